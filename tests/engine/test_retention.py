"""Retention keeps a busy program's memory flat and its ledger provable."""

from __future__ import annotations

import pytest

from reference_backend.engine import Clock, Engine, ProgramConfig, retention
from reference_backend.engine import snapshot as snapshots
from reference_backend.engine.audit import audit


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(retention, "RESOLVED_HOLDS", 5)
    monkeypatch.setattr(retention, "ACTIVITIES_PER_MEMBER", 4)
    monkeypatch.setattr(retention, "POSTINGS", 6)
    monkeypatch.setattr(retention, "TIMERS", 3)


def test_a_long_run_of_holds_stays_bounded_and_auditable(small):
    engine = Engine(ProgramConfig(), Clock(), check_invariants=True)
    engine.upsert_member("m1")
    engine.earn("m1", 1000)
    for n in range(200):
        hold = engine.create_hold("m1", points=10).value
        if n % 2:
            engine.release_hold(hold.hold_id)
        else:
            engine.capture_hold(hold.hold_id, points=4)
    st = engine.state
    assert len(st.holds) <= 2 * 5 + 1
    assert len(st.ledger.postings) <= 2 * 6 + 3
    assert len(st.activities["m1"]) <= 2 * 4
    assert len(st.timers) <= 2 * 3 + 1
    assert engine.balance("m1")["balance"] == 1000 - 100 * 4
    lines, points = st.folded_activities["m1"]
    kept = st.activities["m1"]
    assert lines + len(kept) == 1 + 200 * 2  # earn, then hold + capture/release each
    assert points + sum(a.points for a in kept) == 1000 - 200 * 10 - 100 * 4
    assert audit(st) == []
    clone = snapshots.load(snapshots.dump(st))
    assert audit(clone) == []


def test_expiry_of_a_forgotten_hold_is_a_no_op(small):
    engine = Engine(ProgramConfig(), Clock(), check_invariants=True)
    engine.upsert_member("m1")
    engine.earn("m1", 100)
    for _ in range(20):
        engine.release_hold(engine.create_hold("m1", points=10).value.hold_id)
    pending = engine.create_hold("m1", points=30).value
    assert "hold_000001" not in engine.state.holds
    engine.advance_clock(3600)  # every hold's expiry instant passes
    assert pending.state == "expired"
    assert engine.balance("m1")["available"] == 100
    assert engine.audit() == []
