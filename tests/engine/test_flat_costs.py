"""A command's work does not grow with the member's or the program's history: holds take
only the lots they need, dead lots leave the index, stale keys leave from the front, and
the per-command audit reads only what the command touched."""

from __future__ import annotations

from reference_backend.engine import Clock, Engine, EngineError, ProgramConfig
from reference_backend.engine.audit import audit
from reference_backend.engine.ledger import Account, replay


def test_a_hold_earmarks_only_the_lots_it_needs(engine, enroll):
    enroll(engine, "m1")
    for _ in range(200):
        engine.earn("m1", 5)
    hold = engine.create_hold("m1", points=12).value
    assert [n for _, n in hold.allocations] == [5, 5, 2]
    assert engine.balance("m1")["available"] == 200 * 5 - 12


def test_spent_lots_leave_the_members_index(engine, enroll):
    enroll(engine, "m1")
    for _ in range(50):
        engine.earn("m1", 2)
    engine.redeem_points("m1", 60)  # empties the first 30 lots
    engine.create_hold("m1", points=1)  # the next walk drops them
    assert len(engine.state.member_lots["m1"]) == 20
    assert engine.balance("m1")["balance"] == 40


def test_free_points_follow_holds_debt_and_expiry(make_engine, enroll, fails):
    engine = make_engine(lot_expiry_days=1)
    enroll(engine, "m1", 100)
    engine.create_hold("m1", points=70)
    fails("insufficient_points", engine.create_hold, "m1", points=31)
    engine.create_hold("m1", points=30)
    engine.advance_clock(2 * 86400)  # holds expire, then every lot
    fails("insufficient_points", engine.create_hold, "m1", points=1)
    engine.earn("m1", 10)
    assert engine.create_hold("m1", points=10).value.amount == 10


def test_next_expiring_points_sum_the_earliest_instant_only(make_engine, enroll):
    engine = make_engine(lot_expiry_days=3)
    enroll(engine, "m1", 10)
    engine.earn("m1", 5)
    engine.advance_clock(3600)
    engine.earn("m1", 7)
    bal = engine.balance("m1")
    assert bal["next_expiring_points"] == 15
    engine.redeem_points("m1", 15)
    assert engine.balance("m1")["next_expiring_points"] == 7


def test_stale_idempotency_keys_leave_from_the_front(make_engine, enroll):
    engine = make_engine(idempotency_retention_s=100)
    enroll(engine, "m1", 1000)
    for n in range(5):
        engine.redeem_points("m1", 1, key=f"old{n}")
    engine.advance_clock(60)
    engine.redeem_points("m1", 1, key="fresh")
    engine.advance_clock(50)  # the old ones are now 110 s old, "fresh" 50 s
    engine.redeem_points("m1", 1, key="new")
    assert [k for _, k in engine.state.idempotency] == ["fresh", "new"]
    assert engine.redeem_points("m1", 1, key="fresh").replayed
    assert not engine.redeem_points("m1", 1, key="old0").replayed  # a new command now


def _audited() -> Engine:
    return Engine(ProgramConfig(), Clock(), check_invariants=True)


def test_the_per_command_audit_catches_a_broken_hold(enroll):
    engine = _audited()
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=30).value
    engine.state.ledger.pending[hold.pending_id].remaining += 1  # stands in for a bug
    try:
        engine.capture_hold(hold.hold_id)  # leaves 1 point reserved by a resolved hold
    except EngineError as exc:
        assert exc.code == "invariant_violation"
    else:
        raise AssertionError("the touched hold was not audited")


def test_the_per_command_audit_starts_over_after_a_restore(enroll):
    engine = _audited()
    enroll(engine, "m1", 100)
    saved = engine.snapshot()
    saved.lots["lot_000001"].remaining -= 1  # the restored state is already broken
    engine.restore(saved)
    try:
        engine.upsert_member("m2")  # touches no points: only a full audit sees the lot
    except EngineError as exc:
        assert "I2" in exc.message
    else:
        raise AssertionError("a restored state was trusted without a full audit")


def test_compacting_the_ledger_keeps_every_invariant_provable(enroll):
    engine = _audited()
    enroll(engine, "m1", 100)
    holds = [engine.create_hold("m1", points=10).value for _ in range(3)]
    engine.release_hold(holds[0].hold_id)
    ledger = engine.state.ledger
    folded = ledger.compact(keep=2)
    assert folded > 0 and ledger.dropped == folded and len(ledger.postings) == 2
    rebuilt = replay(ledger.postings, ledger.base)
    assert all(rebuilt.get(name, Account()) == a for name, a in ledger.accounts.items())
    engine.capture_hold(holds[1].hold_id)
    assert ledger.postings[-1].seq == folded + 3
    assert audit(engine.state) == []
    ledger.base["member:m1"].credits_posted += 1  # a lost posting shows in the replay
    assert [v.invariant for v in audit(engine.state)] == ["I14"]
