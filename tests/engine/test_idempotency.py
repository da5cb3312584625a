"""Idempotency keys (B6 R1-R6) and natural ids (R7, R8)."""

from __future__ import annotations

import pytest

DAY = 86_400


def test_same_key_same_request_replays_without_a_second_effect(engine, enroll):
    enroll(engine, "m1", 100)
    first = engine.redeem_points("m1", 30, key="k1")
    again = engine.redeem_points("m1", 30, key="k1")
    assert first.replayed is False and again.replayed is True
    assert again.value is first.value
    assert engine.balance("m1")["balance"] == 70
    assert len(engine.state.redemptions) == 1
    assert engine.audit() == []


def test_same_key_other_request_is_refused_and_not_executed(engine, enroll, fails):
    enroll(engine, "m1", 100)
    engine.redeem_points("m1", 30, key="k1")
    fails("idempotency_key_reused", engine.redeem_points, "m1", 31, key="k1")
    fails("idempotency_key_reused", engine.redeem_points, "m1", 30, order_id="x", key="k1")
    assert engine.balance("m1")["balance"] == 70
    assert len(engine.state.redemptions) == 1


def test_keys_are_scoped_per_operation(engine, enroll):
    enroll(engine, "m1", 100)
    engine.redeem_points("m1", 30, key="same")
    hold = engine.create_hold("m1", points=20, key="same")
    assert hold.replayed is False
    assert engine.balance("m1")["available"] == 50
    assert engine.audit() == []


def test_a_stored_business_error_replays_even_after_state_changed(engine, enroll, fails):
    enroll(engine, "m1", 10)
    fails("insufficient_points", engine.redeem_points, "m1", 50, key="k1")
    engine.earn("m1", 100)
    err = fails("insufficient_points", engine.redeem_points, "m1", 50, key="k1")
    assert err.details == {"available": 10, "requested": 50}  # the stored answer
    assert engine.balance("m1")["balance"] == 110
    assert engine.redeem_points("m1", 50, key="k2").replayed is False  # a new key tries again
    assert engine.balance("m1")["balance"] == 60
    assert engine.audit() == []


def test_invalid_requests_are_not_stored(engine, enroll, fails):
    enroll(engine, "m1", 100)
    fails("invalid_request", engine.redeem_points, "m1", 0, key="k1")
    outcome = engine.redeem_points("m1", 10, key="k1")  # corrected, same key
    assert outcome.replayed is False
    assert engine.balance("m1")["balance"] == 90
    assert engine.audit() == []


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", 42])
def test_malformed_keys_are_invalid(engine, enroll, fails, key):
    enroll(engine, "m1", 100)
    fails("invalid_request", engine.redeem_points, "m1", 10, key=key)
    assert engine.balance("m1")["balance"] == 100


def test_longest_key_is_accepted(engine, enroll):
    enroll(engine, "m1", 100)
    assert engine.redeem_points("m1", 10, key="k" * 255).replayed is False
    assert engine.redeem_points("m1", 10, key="k" * 255).replayed is True


def test_keys_are_kept_24_hours_of_engine_time(engine, enroll, fails):
    enroll(engine, "m1", 100)
    engine.redeem_points("m1", 10, key="k1")
    engine.advance_clock(DAY - 1)
    assert engine.redeem_points("m1", 10, key="k1").replayed is True
    fails("idempotency_key_reused", engine.redeem_points, "m1", 20, key="k1")
    engine.advance_clock(1)
    fresh = engine.redeem_points("m1", 20, key="k1")  # pruned: a new request
    assert fresh.replayed is False
    assert engine.balance("m1")["balance"] == 70
    assert engine.audit() == []


def test_key_replays_cover_every_keyed_command(engine, enroll):
    enroll(engine, "m1", 1000)
    assert engine.upsert_member("m2", key="u").replayed is False
    assert engine.upsert_member("m2", key="u").replayed is True
    assert len(engine.state.members) == 2

    hold = engine.create_hold("m1", points=100, key="h").value
    assert engine.create_hold("m1", points=100, key="h").value is hold
    captured = engine.capture_hold(hold.hold_id, points=60, key="c")
    assert engine.capture_hold(hold.hold_id, points=60, key="c") is captured  # no error
    other = engine.create_hold("m1", points=10).value
    assert engine.release_hold(other.hold_id, key="r").state == "released"
    assert engine.release_hold(other.hold_id, key="r").state == "released"

    order = engine.record_order("o1", "m1", 5000, key="o")
    assert engine.record_order("o1", "m1", 5000, key="o").value is order.value
    refund = engine.refund("o1", "r1", amount=1000, key="f")
    assert engine.refund("o1", "r1", amount=1000, key="f").value is refund.value
    event = engine.apply_event("m1", "TRANSACTION", {"amount": 5}, key="e")
    assert engine.apply_event("m1", "TRANSACTION", {"amount": 5}, key="e").replayed is True
    assert len(engine.state.events) == 1 and event.replayed is False

    # 1000 - 60 captured + 50 earned - 10 revoked + 5 from the event
    assert engine.balance("m1")["balance"] == 985
    assert engine.audit() == []


def test_natural_ids_replay_under_a_new_key(engine, enroll, fails):
    enroll(engine, "m1", 500)
    order = engine.record_order("o1", "m1", 5000, key="a").value
    again = engine.record_order("o1", "m1", 5000, key="b")
    assert again.replayed is True and again.value is order
    fails("order_conflict", engine.record_order, "o1", "m1", 5001, key="c")

    refund = engine.refund("o1", "r1", amount=100, key="d").value
    assert engine.refund("o1", "r1", amount=100, key="e").value is refund
    fails("refund_conflict", engine.refund, "o1", "r1", amount=200, key="f")

    hold = engine.create_hold("m1", points=10, hold_id="h1", key="g").value
    assert engine.create_hold("m1", points=10, hold_id="h1", key="h").replayed is True
    fails("hold_conflict", engine.create_hold, "m1", points=11, hold_id="h1", key="i")
    assert engine.balance("m1")["held"] == hold.amount == 10
    assert engine.balance("m1")["balance"] == 500 + 50 - 1
    assert engine.audit() == []


def test_second_capture_with_a_new_key_is_refused(engine, enroll, fails):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=40).value
    engine.capture_hold(hold.hold_id, key="c1")
    assert engine.capture_hold(hold.hold_id, key="c1").state == "captured"  # R2 replay
    fails("hold_already_captured", engine.capture_hold, hold.hold_id, key="c2")  # R8
    assert engine.balance("m1")["balance"] == 60
    assert engine.audit() == []
