"""The direct runner executes the same features with the same steps as pytest-bdd: outlines
expand per example row, `needs_*` tags make a scenario not applicable, a wrong expectation
fails only its own scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.runner.direct import DirectRunner

FEATURES = Path(__file__).resolve().parents[2] / "features"


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(running_clock=False, check_invariants=True, demo_tenant=False))


def _run(app, folder: Path, dialects: list[str]):
    outcomes, _ = DirectRunner(app, folder, dialects).run()
    return [(o.scenario, o.dialect, o.status) for o in outcomes], outcomes


def test_the_members_feature_runs_like_under_pytest_bdd(app, tmp_path):
    (tmp_path / "members.feature").write_text((FEATURES / "members.feature").read_text())
    summary, outcomes = _run(app, tmp_path, ["gameball", "wll"])
    assert [o for o in outcomes if o.status == "failed"] == []
    outline = [s for s in summary if s[0].startswith("Identify an existing member by")]
    assert len(outline) >= 2 * 4  # each example row, per dialect
    assert app.state.registry.all() == []  # every scenario's tenant was cleaned up


def test_a_wrong_expectation_fails_its_scenario_only(app, tmp_path):
    text = (FEATURES / "members.feature").read_text()
    broken = text.replace(
        'And "Carol" has 0 available points', 'And "Carol" has 7 available points'
    )
    assert broken != text
    (tmp_path / "members.feature").write_text(broken)
    summary, outcomes = _run(app, tmp_path, ["gameball"])
    failed = [o for o in outcomes if o.status == "failed"]
    assert [o.scenario for o in failed] == ["An unknown customer is offered enrolment, then found"]
    assert sum(1 for s in summary if s[2] == "passed") >= 4


def test_needs_tags_mark_scenarios_not_applicable(app, tmp_path):
    feature = (FEATURES / "members.feature").read_text()
    (tmp_path / "members.feature").write_text(feature)
    _, outcomes = _run(app, tmp_path, ["gameball", "wll", "capillary"])
    by_card = [o for o in outcomes if o.scenario.endswith("by loyalty card")]
    assert {o.status for o in by_card} <= {"passed", "not_applicable"}
    assert any(o.status == "not_applicable" and o.detail for o in outcomes)
