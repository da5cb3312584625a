"""The neutral error catalogue (B9): every code provoked for real, and the precedence rules.

Each provoker sets a scenario up and returns the call that must fail. The failing call must
change nothing (the whole state, serialised, is compared before and after), except for
invariant_violation, whose whole point is that the engine stops writing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from reference_backend.engine import (
    Clock,
    Engine,
    EngineCode,
    EngineError,
    ProgramConfig,
    snapshot,
)

# Modelled in the catalogue, but a single-writer engine without expected_version cannot raise them.
UNREACHABLE = {
    "idempotency_key_in_use": "R4: needs a second caller while the first holds the key in "
    "flight; every command runs under one engine lock, so no request is ever in flight.",
    "version_conflict": "B7: needs an expected_version argument (optimistic locking); no "
    "engine command takes one.",
}

Provoker = Callable[[Engine], Callable[[], Any]]
PROVOKERS: dict[str, Provoker] = {}


def provokes(code: str) -> Callable[[Provoker], Provoker]:
    def register(fn: Provoker) -> Provoker:
        PROVOKERS[code] = fn
        return fn

    return register


def _member(e: Engine, member_id: str = "a", points: int = 500, **fields: Any) -> str:
    e.upsert_member(member_id, **fields)
    if points:
        e.earn(member_id, points)
    return member_id


def _order(e: Engine, order_id: str = "o1", member_id: str = "a", total: int = 1000, **kw):
    return e.record_order(order_id, member_id, total, **kw).value


@provokes("invalid_request")
def _invalid_request(e):
    _member(e)
    return lambda: e.redeem_points("a", -5)


@provokes("member_not_found")
def _member_not_found(e):
    return lambda: e.earn("ghost", 5)


@provokes("order_not_found")
def _order_not_found(e):
    return lambda: e.refund("nope", "r1")


@provokes("hold_not_found")
def _hold_not_found(e):
    return lambda: e.capture_hold("nope")


@provokes("voucher_not_found")
def _voucher_not_found(e):
    return lambda: e.burn_voucher("NOPE")


@provokes("referral_code_not_found")
def _referral_code_not_found(e):
    _member(e)
    return lambda: e.register_referral("a", "NOPE")


@provokes("redemption_not_found")
def _redemption_not_found(e):
    return lambda: e.reverse_redemption("nope")


@provokes("member_blocked")
def _member_blocked(e):
    _member(e)
    e.set_member_active("a", False)
    return lambda: e.redeem_points("a", 10)


@provokes("member_conflict")
def _member_conflict(e):
    _member(e, identifiers={"mobile": "+1"})
    _member(e, "b")
    return lambda: e.upsert_member("b", {"mobile": "+1"})


@provokes("insufficient_points")
def _insufficient_points(e):
    _member(e)
    return lambda: e.create_hold("a", points=501)


@provokes("hold_ttl_too_long")
def _hold_ttl_too_long(e):
    _member(e)
    return lambda: e.create_hold("a", points=1, ttl_s=e.config.hold_ttl_max_s + 1)


@provokes("hold_already_captured")
def _hold_already_captured(e):
    _member(e)
    e.create_hold("a", points=10, hold_id="h1")
    e.capture_hold("h1")
    return lambda: e.capture_hold("h1")


@provokes("hold_already_released")
def _hold_already_released(e):
    _member(e)
    e.create_hold("a", points=10, hold_id="h1")
    e.release_hold("h1")
    return lambda: e.capture_hold("h1")


@provokes("hold_expired")
def _hold_expired(e):
    _member(e)
    e.create_hold("a", points=10, hold_id="h1", ttl_s=60)
    e.advance_clock(60)
    return lambda: e.capture_hold("h1")


@provokes("hold_conflict")
def _hold_conflict(e):
    _member(e)
    e.create_hold("a", points=10, hold_id="h1")
    return lambda: e.create_hold("a", points=11, hold_id="h1")


@provokes("hold_member_mismatch")
def _hold_member_mismatch(e):
    _member(e)
    _member(e, "b", 0)
    e.create_hold("a", points=10, hold_id="h1")
    return lambda: _order(e, member_id="b", hold_id="h1")


@provokes("capture_exceeds_hold")
def _capture_exceeds_hold(e):
    _member(e)
    e.create_hold("a", points=10, hold_id="h1")
    return lambda: e.capture_hold("h1", points=11)


@provokes("voucher_expired")
def _voucher_expired(e):
    e.create_series("s", series_id="S", valid_until=e.now() + timedelta(seconds=1))
    e.issue_voucher("S", code="V")
    e.advance_clock(1)
    return lambda: e.burn_voucher("V")


@provokes("voucher_not_active")
def _voucher_not_active(e):
    e.create_series("s", series_id="S", valid_from=e.now() + timedelta(days=1))
    e.issue_voucher("S", code="V")
    return lambda: e.burn_voucher("V")


@provokes("voucher_voided")
def _voucher_voided(e):
    e.create_series("s", series_id="S")
    e.issue_voucher("S", code="V")
    e.void_voucher("V")
    return lambda: e.burn_voucher("V")


@provokes("voucher_quantity_exceeded")
def _voucher_quantity_exceeded(e):
    e.create_series("s", series_id="S", uses_per_code=2)
    e.issue_voucher("S", code="V")
    e.burn_voucher("V")
    e.burn_voucher("V")
    return lambda: e.burn_voucher("V")


@provokes("voucher_already_burned")
def _voucher_already_burned(e):
    e.create_series("s", series_id="S")
    e.issue_voucher("S", code="V")
    e.burn_voucher("V")
    return lambda: e.burn_voucher("V")


@provokes("voucher_reserved")
def _voucher_reserved(e):
    e.create_series("s", series_id="S")
    e.issue_voucher("S", code="V")
    e.reserve_voucher("V", None, reservation_id="co-1")
    return lambda: e.reserve_voucher("V", None, reservation_id="co-2")


@provokes("voucher_not_reserved")
def _voucher_not_reserved(e):
    e.create_series("s", series_id="S")
    e.issue_voucher("S", code="V")
    return lambda: e.burn_voucher("V", reservation_id="co-1")


@provokes("voucher_owner_mismatch")
def _voucher_owner_mismatch(e):
    _member(e)
    _member(e, "b", 0)
    e.create_series("s", series_id="S")
    e.issue_voucher("S", member_id="a", code="V")
    return lambda: e.burn_voucher("V", member_id="b")


@provokes("voucher_pool_empty")
def _voucher_pool_empty(e):
    _member(e)
    e.create_series("s", series_id="S", attributes={"pool_only": True})
    return lambda: e.purchase_voucher("S", "a")


@provokes("order_conflict")
def _order_conflict(e):
    _member(e)
    _order(e)
    return lambda: _order(e, total=1001)


@provokes("order_already_refunded")
def _order_already_refunded(e):
    _member(e)
    _order(e)
    e.refund("o1", "r1")
    return lambda: e.refund("o1", "r2", amount=1)


@provokes("refund_exceeds_paid")
def _refund_exceeds_paid(e):
    _member(e)
    _order(e)
    return lambda: e.refund("o1", "r1", amount=1001)


@provokes("refund_quantity_exceeds_purchased")
def _refund_quantity_exceeds_purchased(e):
    _member(e)
    _order(e, lines=[{"sku": "A", "quantity": 1, "unit_price": 1000}])
    return lambda: e.refund("o1", "r1", lines=[{"sku": "A", "quantity": 2}])


@provokes("order_member_mismatch")
def _order_member_mismatch(e):
    _member(e)
    _member(e, "b", 0)
    _order(e)
    return lambda: e.refund("o1", "r1", member_id="b")


@provokes("refund_conflict")
def _refund_conflict(e):
    _member(e)
    _order(e)
    e.refund("o1", "r1", amount=100)
    return lambda: e.refund("o1", "r1", amount=200)


@provokes("redemption_conflict")
def _redemption_conflict(e):
    _member(e)
    e.redeem_points("a", 10, redemption_id="R1")
    return lambda: e.redeem_points("a", 11, redemption_id="R1")


@provokes("reversal_exceeds_redeemed")
def _reversal_exceeds_redeemed(e):
    _member(e)
    e.redeem_points("a", 10, redemption_id="R1")
    return lambda: e.reverse_redemption("R1", 11)


@provokes("referral_self_not_allowed")
def _referral_self_not_allowed(e):
    _member(e)
    return lambda: e.register_referral("a", e.member("a").referral_code)


@provokes("referral_not_eligible")
def _referral_not_eligible(e):
    _member(e)
    _member(e, "b", 0)
    _order(e, member_id="b")
    return lambda: e.register_referral("b", e.member("a").referral_code)


@provokes("event_conflict")
def _event_conflict(e):
    _member(e)
    e.apply_event("a", "TRANSACTION", {"amount": 10}, event_id="E1")
    return lambda: e.apply_event("a", "TRANSACTION", {"amount": 20}, event_id="E1")


@provokes("event_not_configured")
def _event_not_configured(e):
    _member(e)
    return lambda: e.apply_event("a", "BIRTHDAY", {})


@provokes("idempotency_key_reused")
def _idempotency_key_reused(e):
    _member(e)
    e.redeem_points("a", 10, key="k1")
    return lambda: e.redeem_points("a", 20, key="k1")


@provokes("clock_cannot_go_backwards")
def _clock_cannot_go_backwards(e):
    return lambda: e.advance_clock(-1)


@provokes("invariant_violation")
def _invariant_violation(e):
    _member(e)
    # stands in for an engine bug: a point leaves a lot without a posting; the audit catches it
    e.state.lots["lot_000001"].remaining -= 1
    return lambda: e.earn("a", 5)


def _state(e: Engine) -> str:
    return json.dumps(snapshot.dump(e.state), sort_keys=True)


def test_every_code_is_provoked_or_declared_unreachable():
    assert set(UNREACHABLE) <= set(EngineCode)
    assert set(PROVOKERS) == set(EngineCode) - set(UNREACHABLE)


@pytest.mark.parametrize("code", sorted(PROVOKERS))
def test_error_code(code):
    engine = Engine(ProgramConfig(), Clock(), check_invariants=True)
    call = PROVOKERS[code](engine)
    engine.audit()  # a read: applies anything the clock made due before the snapshot
    before = _state(engine)
    with pytest.raises(EngineError) as caught:
        call()
    err = caught.value
    assert err.code == code and type(err.code) is EngineCode
    assert err.to_dict()["code"] == code and err.message
    if code == "invariant_violation":
        return
    assert _state(engine) == before, "a failed command changed state"
    assert engine.audit() == []


def test_invariant_violation_makes_the_engine_read_only():
    engine = Engine(ProgramConfig(), Clock(), check_invariants=True)
    call = _invariant_violation(engine)
    with pytest.raises(EngineError, match="I2"):
        call()
    with pytest.raises(EngineError) as caught:
        engine.upsert_member("b")  # any further write
    assert caught.value.code == "invariant_violation"
    assert "read-only" in caught.value.message
    assert engine.balance("a")["balance"] == 505  # reads still work (the ledger says 505)
    assert [v.invariant for v in engine.audit()] == ["I2"]


def test_unknown_codes_cannot_be_raised():
    with pytest.raises(ValueError):
        EngineError("no_such_code")


# -- precedence (B9): invalid_request > idempotency > not-found > member state
#    > resource state (409) > rule limits (422) ---------------------------------------


def test_invalid_request_beats_a_reused_key(engine, enroll, fails):
    enroll(engine, "a", 100)
    engine.redeem_points("a", 10, key="k1")
    fails("invalid_request", engine.redeem_points, "a", 0, key="k1")
    engine.create_hold("a", points=5, key="h1")
    fails("invalid_request", engine.create_hold, "a", points=5, amount=5, key="h1")
    assert engine.balance("a")["available"] == 85
    assert engine.audit() == []


def test_invalid_request_beats_not_found(engine, fails):
    fails("invalid_request", engine.refund, "no-order", "r1", amount=0)
    fails("invalid_request", engine.create_hold, "ghost", points=0)
    fails("invalid_request", engine.record_order, "o1", "ghost", -1)
    fails("invalid_request", engine.apply_event, "ghost", "TRANSACTION", {"amount": -1})


def test_idempotency_beats_not_found(engine, enroll, fails):
    enroll(engine, "a", 100)
    engine.record_order("o1", "a", 1000)
    engine.refund("o1", "r1", amount=100)
    engine.redeem_points("a", 5, key="k1")
    fails("order_conflict", engine.record_order, "o1", "ghost", 1000)
    fails("refund_conflict", engine.refund, "no-order", "r1", amount=100)
    fails("idempotency_key_reused", engine.redeem_points, "ghost", 5, key="k1")
    assert engine.audit() == []


def test_not_found_beats_member_state(engine, enroll, fails):
    enroll(engine, "a", 100)
    engine.set_member_active("a", False)
    fails("hold_not_found", engine.record_order, "o1", "a", 1000, hold_id="nope")
    fails("voucher_not_found", engine.record_order, "o1", "a", 1000, voucher_codes=["NOPE"])
    fails("referral_code_not_found", engine.record_order, "o1", "a", 100, referral_code="NOPE")


def test_not_found_and_member_state_beat_an_unconfigured_event(engine, enroll, fails):
    fails("member_not_found", engine.apply_event, "ghost", "BIRTHDAY", {})
    enroll(engine, "a")
    engine.set_member_active("a", False)
    fails("member_blocked", engine.apply_event, "a", "BIRTHDAY", {})


def test_member_state_beats_resource_state(engine, enroll, fails):
    enroll(engine, "a", 100)
    hold = engine.create_hold("a", points=10).value
    engine.capture_hold(hold.hold_id)
    engine.set_member_active("a", False)
    fails("member_blocked", engine.record_order, "o1", "a", 1000, hold_id=hold.hold_id)


def test_member_state_and_not_found_beat_rule_limits(engine, enroll, fails):
    enroll(engine, "a", 100)
    engine.set_member_active("a", False)
    fails("member_blocked", engine.create_hold, "a", points=1000)
    fails("member_blocked", engine.redeem_points, "a", 1000)
    fails("member_not_found", engine.create_hold, "ghost", points=1000)


def test_resource_state_beats_rule_limits(engine, enroll, fails):
    enroll(engine, "a", 100)
    hold = engine.create_hold("a", points=10, ttl_s=60).value
    engine.record_order("o1", "a", 1000)
    engine.refund("o1", "r1")
    engine.create_series("dated", series_id="S", valid_until=engine.now() + timedelta(days=1))
    engine.issue_voucher("S", code="V")
    engine.burn_voucher("V")
    engine.advance_clock(2 * 86_400)
    # expired hold (409) and capture above the hold (422)
    fails("hold_expired", engine.capture_hold, hold.hold_id, points=11)
    # refunded order (409) and an amount above what was paid (422)
    fails("order_already_refunded", engine.refund, "o1", "r2", amount=5000)
    # single-use code already burned (409) and past its validity (422)
    fails("voucher_already_burned", engine.burn_voucher, "V")
    assert engine.audit() == []


def test_refund_preconditions_follow_the_b4_order(engine, enroll, fails):
    # B4.4 lists them in order: not refunded, then member match, then quantities, then amount
    enroll(engine, "a")
    enroll(engine, "b")
    engine.record_order("o1", "a", 1000, lines=[{"sku": "A", "quantity": 1, "unit_price": 1000}])
    fails("order_member_mismatch", engine.refund, "o1", "r1", amount=5000, member_id="b")
    fails(
        "refund_quantity_exceeds_purchased",
        engine.refund,
        "o1",
        "r1",
        lines=[{"sku": "A", "quantity": 2}],
        member_id="a",
    )
    engine.refund("o1", "r2")
    fails("order_already_refunded", engine.refund, "o1", "r3", amount=1, member_id="b")
