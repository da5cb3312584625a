"""The checklists: their format, and traceability between items and scenarios."""

from __future__ import annotations

import pytest
import yaml

from simulator.certify.checklists import (
    CHECKLISTS_DIR,
    ChecklistError,
    feature_scenarios,
    load_checklist,
    parse_checklist,
    resolve,
    traceability_problems,
)
from simulator.protocol import DIALECTS, codec_class

SCENARIOS = feature_scenarios()


@pytest.fixture(params=DIALECTS)
def checklist(request):
    return load_checklist(request.param)


def test_every_dialect_has_a_checklist_with_both_lanes_and_critical_items(checklist):
    lanes = {i.lane for i in checklist.items}
    assert lanes == {"automated", "manual"}
    assert any(i.severity == "critical" and i.automated for i in checklist.items)
    assert all(i.id.split("-")[0] == checklist.items[0].id.split("-")[0] for i in checklist.items)


def test_traceability(checklist):
    """Every automated item names scenarios, and every scenario named exists."""
    # an automated item needs a scenario the vendor can run
    not_applicable = dict(codec_class(checklist.vendor).not_applicable)
    assert traceability_problems(checklist, SCENARIOS, not_applicable) == []


def test_every_scenario_is_judged_by_some_checklist():
    named = set()
    for vendor in DIALECTS:
        for ref in load_checklist(vendor).scenario_refs():
            info = resolve(ref, SCENARIOS)
            if info is not None:
                named.add(info.ref)
    assert sorted(set(SCENARIOS) - named) == []


def test_gameball_lists_the_five_test_cases():
    gameball = load_checklist("gameball")
    cases = [i for i in gameball.items if i.section == "Test cases"]
    assert [i.id for i in cases] == [f"GB-TC-0{n}" for n in range(1, 6)]
    assert all(i.automated for i in cases[:4])


def test_traceability_catches_a_missing_scenario_and_an_item_without_scenarios():
    document = yaml.safe_load((CHECKLISTS_DIR / "gameball.yaml").read_text())
    document["items"][0]["scenarios"] = ["checkout.feature: No such scenario"]
    broken = parse_checklist(document, "gameball")
    problems = traceability_problems(broken, SCENARIOS)
    assert problems == ["gameball GB-API-01: no scenario 'checkout.feature: No such scenario'"]
    document["items"][0]["scenarios"] = []
    with pytest.raises(ChecklistError, match="automated item needs scenarios"):
        parse_checklist(document, "gameball")


def test_traceability_catches_an_item_whose_scenarios_are_all_not_applicable():
    document = {
        "vendor": "gameball",
        "title": "t",
        "source": "s",
        "items": [
            {
                "id": "GB-X-01",
                "text": "validate a coupon",
                "severity": "critical",
                "lane": "automated",
                "scenarios": ["vouchers.feature: Validate without burning, then burn once"],
            }
        ],
    }
    problems = traceability_problems(
        parse_checklist(document), SCENARIOS, {"voucher_validate": "no such call"}
    )
    assert len(problems) == 1 and "not applicable" in problems[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"severity": "urgent"}, "severity must be one of"),
        ({"lane": "robot"}, "lane must be one of"),
        ({"id": "gb-1"}, "ids look like"),
        ({"scenarios": ["Earn on a sale"]}, "is not '<file>.feature: <name>'"),
        ({"colour": "red"}, "unknown field"),
        ({"checks": [{"kind": "telepathy"}]}, "a check needs `kind`"),
        ({"checks": [{"kind": "call_order", "first": "a"}]}, "takes first, then"),
    ],
)
def test_format_errors_are_named(change, message):
    raw = {
        "id": "GB-X-01",
        "text": "t",
        "severity": "critical",
        "lane": "automated",
        "scenarios": ["checkout.feature: Earn on a sale"],
        **change,
    }
    with pytest.raises(ChecklistError, match=message):
        parse_checklist({"vendor": "x", "title": "t", "source": "s", "items": [raw]})


def test_duplicate_ids_are_refused():
    raw = {"id": "GB-X-01", "text": "t", "severity": "advisory", "lane": "manual"}
    with pytest.raises(ChecklistError, match="used twice"):
        parse_checklist({"vendor": "x", "title": "t", "source": "s", "items": [raw, raw]})
