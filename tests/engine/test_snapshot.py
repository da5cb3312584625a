"""snapshot.dump / snapshot.load: a JSON round trip rebuilds the same program, clean under audit."""

from __future__ import annotations

import json

import pytest

from reference_backend.engine import Clock, Engine, ProgramConfig, snapshot

DAY = 86_400
CONFIG = dict(lot_expiry_days=5, return_window_days=2, negative_balance_policy="allow")


def _busy(make_engine) -> Engine:
    """A program with every kind of live state: lots of all states, holds, orders, vouchers..."""
    engine = make_engine(**CONFIG)
    engine.upsert_member("alice", {"mobile": "+1", "email": "a@x.io"}, first_name="Al")
    code = engine.member("alice").referral_code
    engine.upsert_member("bob", {"card_number": "C-9"}, referral_code=code)
    engine.earn("alice", 500)
    engine.earn("bob", 300)
    engine.create_hold("alice", points=100, hold_id="h-live", ttl_s=3 * DAY)
    engine.create_hold("bob", points=50, hold_id="h-cap")
    engine.record_order("o1", "bob", 10000, hold_id="h-cap", key="order-o1")
    engine.refund("o1", "r1", amount=2500, key="refund-r1")
    engine.redeem_points("alice", 40, redemption_id="R1", key="redeem-1")
    engine.create_series("ten", series_id="S1", codes=["P1"])
    engine.create_series("multi", series_id="S3", uses_per_code=3)
    engine.issue_voucher("S1", member_id="alice")
    engine.issue_voucher("S3", code="M")
    engine.burn_voucher("M", order_id="x")
    engine.reserve_voucher("M", None, reservation_id="co-1", ttl_s=DAY)
    engine.apply_event("bob", "REDEEMED_POINTS", {"points": 400}, event_id="E1")  # debt
    engine.advance_clock(3600)
    return engine


def _round_trip(engine: Engine) -> Engine:
    data = json.loads(json.dumps(snapshot.dump(engine.state)))  # must be plain JSON
    clone = Engine(engine.config, Clock(), check_invariants=True)
    clone.state = snapshot.load(data)
    return clone


def _views(engine: Engine) -> dict:
    st = engine.state
    return {
        "balances": {m: engine.balance(m) for m in st.members},
        "holds": {h: (x.state, x.amount, x.captured, x.expires_at) for h, x in st.holds.items()},
        "orders": {k: (o.state, o.refunded_amount, o.points_revoked) for k, o in st.orders.items()},
        "vouchers": {c: (v.redeemed, v.reserved, v.owner_id) for c, v in st.vouchers.items()},
        "referrals": {k: (r.state, r.order_id) for k, r in st.referrals.items()},
        "postings": len(st.ledger.postings),
        "now": engine.now(),
    }


def test_round_trip_gives_identical_balances_and_a_clean_audit(make_engine):
    engine = _busy(make_engine)
    clone = _round_trip(engine)
    assert _views(clone) == _views(engine)
    assert clone.balance("bob")["debt"] > 0 and clone.balance("alice")["held"] == 100
    assert clone.audit() == []
    assert engine.audit() == []


def test_restored_program_evolves_exactly_like_the_original(make_engine):
    engine = _busy(make_engine)
    clone = _round_trip(engine)
    for e in (engine, clone):
        e.advance_clock(DAY)  # the voucher reservation expires
        e.record_order("o2", "alice", 3000, voucher_codes=["P1"])
        e.advance_clock(2 * DAY)  # the live hold expires, pending lots activate
        e.refund("o1", "r2")
        e.advance_clock(5 * DAY)  # lots expire
    assert _views(clone) == _views(engine)
    assert clone.state.counters == engine.state.counters  # new ids continue alike
    assert clone.audit() == []
    assert engine.audit() == []


def test_idempotency_records_survive_a_round_trip(make_engine, fails):
    engine = _busy(make_engine)
    clone = _round_trip(engine)
    assert clone.redeem_points("alice", 40, redemption_id="R1", key="redeem-1").replayed is True
    again = clone.record_order("o1", "bob", 10000, hold_id="h-cap", key="order-o1")
    assert again.replayed is True
    fails("idempotency_key_reused", clone.refund, "o1", "r1", amount=1, key="refund-r1")
    assert _views(clone) == _views(engine)
    assert clone.audit() == []


def test_round_trip_of_an_empty_program():
    engine = Engine(ProgramConfig(), Clock(), check_invariants=True)
    clone = _round_trip(engine)
    assert clone.state.members == {} and clone.now() == engine.now()
    assert clone.config == engine.config
    assert clone.audit() == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(format="other/1"),
        lambda d: d["state"].update(members={"$dc": "Exploit", "f": {}}),
        lambda d: d["state"].update(lots={"$unknown": 1}),
    ],
)
def test_malformed_snapshots_are_rejected(mutate):
    engine = Engine(ProgramConfig(), Clock(), check_invariants=True)
    data = json.loads(json.dumps(snapshot.dump(engine.state)))
    mutate(data)
    with pytest.raises((ValueError, KeyError, TypeError)):
        snapshot.load(data)


def test_a_pending_lot_without_its_ledger_transfer_is_refused(make_engine):
    """Such a lot could never activate: restoring it would break the engine at its instant."""
    engine = make_engine(return_window_days=2)
    engine.upsert_member("m1", {"mobile": "+1"})
    engine.record_order("o1", "m1", 5000)
    data = json.loads(json.dumps(snapshot.dump(engine.state)))
    (lot,) = data["state"]["lots"]["$map"].values()
    assert lot["f"]["state"] == "pending"
    lot["f"]["pending_id"] = None
    with pytest.raises(ValueError, match="pending lot differs from its ledger pending transfer"):
        snapshot.load(data)
