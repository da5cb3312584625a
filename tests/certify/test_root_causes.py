"""One reason behind many failed scenarios is reported once, as a root cause."""

from __future__ import annotations

import io

from rich.console import Console

from simulator.certify.cli import print_summary
from simulator.certify.root_causes import root_causes

GARBAGE = (
    "BadAnswer: GET /api/v4.0/integrations/customers/{}/balance: HTTP 200, the body is not JSON"
)


def _scenario(n: int, reason: str, status: str = "failed", items=("GB-1",)) -> dict:
    return {"id": f"s{n}", "status": status, "reason": reason, "items": list(items)}


def _dialect(scenarios: list[dict]) -> dict:
    verdict = {
        "level": "not_ready",
        "label": "Not ready",
        "blockers": ["GB-1"],
        "risks": [],
        "notes": [],
        "manual": [],
        "problems": [],
    }
    return {
        "dialect": "gameball",
        "checklist": None,
        "items": [],
        "verdict": verdict,
        "scenarios": scenarios,
    }


def test_identical_failures_differing_only_in_ids_are_one_cause():
    scenarios = [
        _scenario(n, GARBAGE.format(f"member-{n}"), items=(f"GB-{n % 3}",)) for n in range(12)
    ]
    scenarios.append(_scenario(99, "AssertionError: balance 10 != 20"))
    scenarios.append(_scenario(98, GARBAGE.format("x1"), status="passed"))
    causes = root_causes(_dialect(scenarios))
    assert len(causes) == 1
    assert causes[0].scenarios == 12 and causes[0].items == ("GB-0", "GB-1", "GB-2")
    assert causes[0].reason == GARBAGE.format("member-0")


def test_distinct_single_failures_are_no_root_cause():
    scenarios = [_scenario(1, "AssertionError: a"), _scenario(2, "KeyError: b")]
    assert root_causes(_dialect(scenarios)) == []


def test_the_summary_says_the_root_cause_once():
    out = io.StringIO()
    scenarios = [_scenario(n, GARBAGE.format(f"m{n}")) for n in range(5)]
    print_summary(Console(file=out, width=200, no_color=True), {"dialects": [_dialect(scenarios)]})
    text = out.getvalue()
    assert text.count("root cause") == 1
    assert "root cause (5 scenarios; items GB-1): BadAnswer: GET" in text
