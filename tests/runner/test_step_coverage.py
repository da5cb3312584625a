"""Every step the features use has a definition the direct runner matches; a step it
cannot match is named (feature file, keyword, text), never found only when certify runs."""

from __future__ import annotations

from pathlib import Path

from simulator.runner.direct import StepLibrary, scenario_cases

FEATURES = Path(__file__).resolve().parents[2] / "features"


def unmatched_steps(features: Path) -> list[str]:
    library = StepLibrary()
    return sorted(
        {
            f"{case.path.name}: {step.type} {step.name!r}"
            for case in scenario_cases(features)
            for step in case.scenario.steps
            if library.match(step.type, step.name) is None
        }
    )


def test_every_step_of_the_features_is_matched_by_the_direct_runner():
    assert unmatched_steps(FEATURES) == []


def test_a_step_nobody_wrote_is_named(tmp_path):
    (tmp_path / "extra.feature").write_text(
        "Feature: extra\n"
        "  Scenario: one unknown step\n"
        '    Given a member "Alice" with 100 points\n'
        "    When the cashier dances\n"
    )
    assert unmatched_steps(tmp_path) == ["extra.feature: when 'the cashier dances'"]
