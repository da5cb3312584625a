"""Two-phase holds: pending -> captured | released | expired, each resolved exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest


def _avail(engine, member_id="m1"):
    return engine.balance(member_id)["available"]


def test_hold_reserves_points_without_spending_them(engine, enroll):
    enroll(engine, "m1", 100)
    outcome = engine.create_hold("m1", points=30)
    hold = outcome.value
    assert outcome.replayed is False
    assert (hold.state, hold.amount, hold.captured) == ("pending", 30, 0)
    assert hold.expires_at == hold.created_at + timedelta(seconds=600)  # default TTL
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["held"]) == (100, 70, 30)
    assert engine.hold(hold.hold_id) is hold
    assert engine.audit() == []


def test_full_capture_spends_the_held_points(engine, enroll):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=30).value
    captured = engine.capture_hold(hold.hold_id)
    assert (captured.state, captured.captured) == ("captured", 30)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["held"]) == (70, 70, 0)
    assert engine.audit() == []


def test_partial_capture_gives_the_rest_back(engine, enroll):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=50).value
    engine.capture_hold(hold.hold_id, points=20)
    assert (hold.state, hold.captured) == ("captured", 20)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["held"]) == (80, 80, 0)
    assert engine.audit() == []


def test_capture_above_the_hold_is_refused(engine, enroll, fails):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=50).value
    fails("capture_exceeds_hold", engine.capture_hold, hold.hold_id, points=51)
    assert hold.state == "pending" and _avail(engine) == 50
    engine.capture_hold(hold.hold_id, points=50)
    assert engine.audit() == []


@pytest.mark.parametrize("points", [0, -1, True])
def test_capture_needs_a_positive_integer(engine, enroll, fails, points):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=50).value
    fails("invalid_request", engine.capture_hold, hold.hold_id, points=points)
    assert hold.state == "pending" and hold.captured == 0


def test_release_returns_every_point(engine, enroll):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=60).value
    released = engine.release_hold(hold.hold_id)
    assert released.state == "released" and released.captured == 0
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["held"]) == (100, 100, 0)
    assert engine.audit() == []


def test_a_hold_resolves_at_most_once(engine, enroll, fails):
    enroll(engine, "m1", 100)
    captured = engine.create_hold("m1", points=10).value
    engine.capture_hold(captured.hold_id)
    fails("hold_already_captured", engine.capture_hold, captured.hold_id)
    fails("hold_already_captured", engine.release_hold, captured.hold_id)

    released = engine.create_hold("m1", points=10).value
    engine.release_hold(released.hold_id)
    fails("hold_already_released", engine.release_hold, released.hold_id)
    fails("hold_already_released", engine.capture_hold, released.hold_id)

    assert engine.balance("m1")["balance"] == 90
    assert engine.audit() == []


def test_hold_needs_available_points(engine, enroll, fails):
    enroll(engine, "m1", 100)
    first = engine.create_hold("m1", points=70).value
    err = fails("insufficient_points", engine.create_hold, "m1", points=31)
    assert err.details == {"available": 30, "requested": 31}
    engine.create_hold("m1", points=30)  # exactly what is left
    assert _avail(engine) == 0
    engine.release_hold(first.hold_id)
    assert _avail(engine) == 70
    assert engine.audit() == []


def test_hold_by_money_amount_covers_it_with_points(make_engine, enroll):
    engine = make_engine(redeem_points=1, redeem_value_minor=10)  # 1 point pays 0.10
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", amount=25).value  # 0.25 needs 3 points (ceil)
    assert (hold.amount, hold.amount_minor) == (3, 25)
    assert _avail(engine) == 97
    assert engine.audit() == []


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"points": 5, "amount": 500}, {"points": 0}, {"points": -3}, {"amount": 0}],
)
def test_hold_needs_exactly_one_positive_quantity(engine, enroll, fails, kwargs):
    enroll(engine, "m1", 100)
    fails("invalid_request", engine.create_hold, "m1", **kwargs)
    assert engine.state.holds == {}


def test_ttl_bounds(engine, enroll, fails):
    enroll(engine, "m1", 100)
    cfg = engine.config
    fails("invalid_request", engine.create_hold, "m1", points=1, ttl_s=cfg.hold_ttl_min_s - 1)
    fails("hold_ttl_too_long", engine.create_hold, "m1", points=1, ttl_s=cfg.hold_ttl_max_s + 1)
    shortest = engine.create_hold("m1", points=1, ttl_s=cfg.hold_ttl_min_s).value
    longest = engine.create_hold("m1", points=1, ttl_s=cfg.hold_ttl_max_s).value
    assert shortest.expires_at - shortest.created_at == timedelta(seconds=60)
    assert longest.expires_at - longest.created_at == timedelta(days=15)
    assert engine.audit() == []


def test_capture_one_second_before_expiry_works(engine, enroll):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=30, ttl_s=120).value
    engine.advance_clock(119)
    assert engine.capture_hold(hold.hold_id).state == "captured"
    assert engine.balance("m1")["balance"] == 70
    assert engine.audit() == []


def test_capture_at_the_expiry_instant_fails(engine, enroll, fails):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=30, ttl_s=120).value
    engine.advance_clock(120)
    assert engine.now() == hold.expires_at
    fails("hold_expired", engine.capture_hold, hold.hold_id)
    fails("hold_expired", engine.release_hold, hold.hold_id)
    assert hold.state == "expired" and hold.captured == 0
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["held"]) == (100, 100, 0)
    assert [a.kind for a in engine.activities("m1")][-1] == "expired"
    assert engine.audit() == []


def test_expiry_is_applied_lazily_by_any_read(engine, enroll):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=30, ttl_s=60).value
    engine.clock.advance(60)  # the raw clock: no sweep has run yet
    assert engine.hold(hold.hold_id).state == "expired"
    assert engine.hold(hold.hold_id).resolved_at == hold.expires_at
    assert _avail(engine) == 100
    assert engine.audit() == []


def test_racing_holds_cannot_both_take_the_same_points(engine, enroll, fails):
    enroll(engine, "m1", 100)
    engine.create_hold("m1", points=80, hold_id="pos-1")
    fails("insufficient_points", engine.create_hold, "m1", points=80, hold_id="pos-2")
    fails("insufficient_points", engine.redeem_points, "m1", 21)
    fails("hold_not_found", engine.hold, "pos-2")
    assert engine.audit() == []


def test_unknown_hold(engine, fails):
    fails("hold_not_found", engine.hold, "nope")
    fails("hold_not_found", engine.capture_hold, "nope")
    fails("hold_not_found", engine.release_hold, "nope")


def test_hold_id_replay_and_conflict(engine, enroll, fails):
    enroll(engine, "m1", 100)
    first = engine.create_hold("m1", points=30, hold_id="h1").value
    again = engine.create_hold("m1", points=30, hold_id="h1")
    assert again.replayed is True and again.value is first
    assert _avail(engine) == 70  # not reserved twice
    fails("hold_conflict", engine.create_hold, "m1", points=31, hold_id="h1")
    assert engine.audit() == []
