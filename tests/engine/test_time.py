"""Time: a forward-only clock, exact expiry and activation instants, consumption order (B3, B8)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reference_backend.engine import Clock, EngineError, snapshot

DAY = 86_400


def test_clock_never_goes_backwards(engine, fails):
    start = engine.now()
    fails("clock_cannot_go_backwards", engine.advance_clock, -1)
    assert engine.now() == start
    assert engine.advance_clock(0) == start
    assert engine.advance_clock(1.5) == start + timedelta(seconds=1.5)
    fails("clock_cannot_go_backwards", engine.clock.set, start)
    assert engine.clock.set(start + timedelta(hours=1)) == start + timedelta(hours=1)


def test_running_clock_is_monotonic_and_can_jump_forward():
    clock = Clock(running=True)
    first = clock.now()
    assert clock.now() >= first
    jumped = clock.advance(3600)
    assert jumped >= first + timedelta(seconds=3600)
    with pytest.raises(EngineError) as caught:
        clock.advance(-1)
    assert caught.value.code == "clock_cannot_go_backwards"


def test_lot_expires_at_exactly_its_instant(make_engine, enroll):
    engine = make_engine(lot_expiry_days=1)
    enroll(engine, "m1", 100)
    engine.advance_clock(DAY - 1)
    assert engine.balance("m1")["balance"] == 100
    engine.advance_clock(1)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["next_expiring_at"]) == (0, None)
    assert [(a.kind, a.points) for a in engine.activities("m1")][-1] == ("expire", -100)
    assert engine.audit() == []


def test_pending_lot_activates_at_exactly_its_instant(make_engine, enroll, fails):
    engine = make_engine(return_window_days=2)
    enroll(engine, "m1")
    engine.record_order("o1", "m1", 5000)
    engine.advance_clock(2 * DAY - 1)
    fails("insufficient_points", engine.create_hold, "m1", points=1)
    engine.advance_clock(1)
    bal = engine.balance("m1")
    assert (bal["available"], bal["pending"]) == (50, 0)
    assert engine.audit() == []


def test_relative_expiry_counts_from_activation(make_engine, enroll):
    engine = make_engine(return_window_days=2, lot_expiry_days=5)
    enroll(engine, "m1")
    order = engine.record_order("o1", "m1", 5000).value
    lot = engine.state.lots[order.lot_id]
    assert lot.expires_at - lot.activates_at == timedelta(days=5)
    engine.advance_clock(7 * DAY - 1)
    assert engine.balance("m1")["balance"] == 50
    engine.advance_clock(1)
    assert engine.balance("m1")["balance"] == 0
    assert engine.audit() == []


def test_reads_apply_due_transitions_lazily_and_the_sweep_is_idempotent(make_engine, enroll):
    engine = make_engine(lot_expiry_days=1)
    enroll(engine, "m1", 100)
    engine.clock.advance(5 * DAY)  # the raw clock: nothing swept yet
    assert engine.balance("m1")["balance"] == 0
    assert engine.expire_due() == 0
    # the expiry posting carries the lot's own instant, not the (later) sweep time
    [expired] = [p for p in engine.state.ledger.postings if p.kind == "expire"]
    assert expired.ts == engine.state.lots["lot_000001"].expires_at
    assert expired.ts == engine.now() - timedelta(days=4)
    assert engine.audit() == []


def test_transitions_apply_in_instant_order(make_engine, enroll):
    engine = make_engine(lot_expiry_days=2)
    enroll(engine, "m1", 100)  # lot expires on day 2
    hold = engine.create_hold("m1", points=100, ttl_s=DAY).value  # hold expires on day 1
    engine.clock.advance(3 * DAY)
    assert engine.balance("m1")["balance"] == 0
    assert hold.state == "expired"
    kinds = [a.kind for a in engine.activities("m1")]
    assert kinds[-2:] == ["expired", "expire"]
    assert engine.audit() == []


def test_earliest_expiry_is_spent_first_even_if_created_later(make_engine, enroll):
    engine = make_engine(lot_expiry_days=10)
    enroll(engine, "m1", 100)  # lot 1 expires day 10
    engine.redeem_points("m1", 100, redemption_id="R1")
    engine.advance_clock(DAY)
    engine.earn("m1", 100)  # lot 2, expires day 11
    engine.advance_clock(DAY)
    engine.reverse_redemption("R1")  # lot 3, created day 2, keeps the day-10 expiry
    lots = engine.state.lots
    assert lots["lot_000003"].expires_at < lots["lot_000002"].expires_at
    assert lots["lot_000003"].created_at > lots["lot_000002"].created_at

    hold = engine.create_hold("m1", points=150).value
    assert hold.allocations == [["lot_000003", 100], ["lot_000002", 50]]
    engine.capture_hold(hold.hold_id)
    assert (lots["lot_000003"].remaining, lots["lot_000002"].remaining) == (0, 50)
    assert engine.audit() == []


def test_ties_go_to_the_oldest_lot_and_lots_without_expiry_come_last(make_engine, enroll):
    engine = make_engine(lot_expiry_days=10)
    enroll(engine, "m1", 30)  # lot 1: expires day 10
    engine.redeem_points("m1", 30, redemption_id="R1")
    engine.adjust("m1", 40, "goodwill")  # lot 2: expires day 10 too (same instant)
    engine.advance_clock(DAY)
    engine.reverse_redemption("R1")  # lot 3: restored with the original day-10 expiry
    engine.earn("m1", 20)  # lot 4: day 11
    lots = engine.state.lots
    assert lots["lot_000002"].expires_at == lots["lot_000003"].expires_at
    spent = engine.redeem_points("m1", 75).value
    assert [(s.lot_id, s.amount) for s in spent.slices] == [
        ("lot_000002", 40),  # oldest of the two day-10 lots
        ("lot_000003", 30),
        ("lot_000004", 5),
    ]
    assert engine.audit() == []


def test_lots_without_expiry_are_spent_last(make_engine, enroll):
    engine = make_engine(lot_expiry_days=None)
    enroll(engine, "m1", 50)  # lot 1: never expires
    # the program later turns expiry on (a tenant restored with an edited config)
    data = snapshot.dump(engine.state)
    data["config"]["lot_expiry_days"] = 30
    engine.state = snapshot.load(data)
    engine.advance_clock(DAY)
    engine.earn("m1", 50)  # lot 2: expires in 30 days, created later
    spent = engine.redeem_points("m1", 60).value
    assert [(s.lot_id, s.amount) for s in spent.slices] == [("lot_000002", 50), ("lot_000001", 10)]
    assert engine.audit() == []


def test_reserved_points_outlive_their_lots_expiry_until_the_hold_resolves(make_engine, enroll):
    engine = make_engine(lot_expiry_days=1)
    enroll(engine, "m1", 100)
    captured = engine.create_hold("m1", points=30, ttl_s=2 * DAY).value
    released = engine.create_hold("m1", points=50, ttl_s=2 * DAY).value
    engine.advance_clock(DAY)  # the lot expires: its 20 free points go, 80 stay earmarked
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["held"]) == (80, 0, 80)
    assert engine.state.lots["lot_000001"].state == "expired"

    assert engine.capture_hold(captured.hold_id).captured == 30
    assert engine.balance("m1")["balance"] == 50
    engine.release_hold(released.hold_id)  # un-earmarked points of an expired lot expire now
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["held"]) == (0, 0, 0)
    assert [(a.kind, a.points) for a in engine.activities("m1")][-2:] == [
        ("expire", -50),
        ("release", 0),
    ]
    assert engine.audit() == []
