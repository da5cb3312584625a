"""Fault plans as data beside each checklist: loaded, checked against the checklist, and turned
into the control plane's rules."""

from __future__ import annotations

import pytest

from simulator.certify.checklists import load_checklist
from simulator.certify.fault_plan import FaultPlanError, load_fault_plan, parse_fault_plan
from simulator.certify.pos_cli import PLACEHOLDERS
from simulator.certify.pos_command import fill, placeholder_help, placeholders
from simulator.certify.traffic_rules import AUDIT_ITEMS

VENDORS = ("gameball", "wll", "capillary")


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_vendor_plan_proves_items_of_its_checklist_with_sale_faults_and_a_429(vendor):
    plan = load_fault_plan(vendor, checklist=load_checklist(vendor))
    kinds = [f.rule["kind"] for f in plan.faults]
    assert kinds == ["error", "lose_response", "latency", "rate_limit"]
    sales = plan.faults[:3]
    assert all(f.rule["once_per"] == "order" and f.rule["count"] == 1 for f in sales)
    assert plan.faults[3].rule.get("retry_after_s")
    assert plan.proving()  # every fault names what it proves


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_fault_proves_the_items_of_the_audit_rule_it_exercises(vendor):
    """Sale faults give evidence to the retry rule's item, the 429 burst to the back-off's."""
    rule_items = {"retry_same_ids": set(), "backoff": set()}
    for audit_item in AUDIT_ITEMS[vendor]:
        rule_items.get(audit_item.rule, set()).add(audit_item.item_id)
    for fault in load_fault_plan(vendor).faults:
        rule = "backoff" if fault.rule["kind"] == "rate_limit" else "retry_same_ids"
        assert set(fault.proves) == rule_items[rule], fault.fault_id


def test_slower_than_client_outlasts_the_tills_timeout():
    plan = load_fault_plan("gameball")
    lost, slow = plan.faults[1], plan.faults[2]
    assert lost.control_rule(2.5)["hang_s"] == 3.5
    assert slow.control_rule(2.5)["latency_ms"] == 3500
    assert plan.faults[0].control_rule(2.5)["fault_id"] == "sale-5xx"


def _plan(**fault):
    base = {"id": "f", "proves": ["GB-ERR-01"], "rule": {"kind": "error"}}
    return {"vendor": "gameball", "faults": [{**base, **fault}]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "a mapping with a list of faults"),
        ({"vendor": "wll", "faults": []}, "for 'wll', not gameball"),
        (_plan(id=""), "has no id"),
        (_plan(proves=[]), "proves must list"),
        (_plan(proves=["GB-NOPE-01"]), "GB-NOPE-01: not in the checklist"),
        (_plan(rule={"kind": "explode"}), "rule needs a kind"),
        (_plan(rule={"kind": "error", "colour": "red"}), "unknown field(s) colour"),
        (_plan(slower_than_client=True), "only a latency, drop or lost answer"),
        (_plan(extra=1), "unknown key(s) extra"),
        ({"vendor": "gameball", "faults": [_plan()["faults"][0]] * 2}, "unique"),
    ],
)
def test_a_malformed_plan_is_refused_in_one_line(document, message):
    with pytest.raises(FaultPlanError) as refused:
        parse_fault_plan(document, "gameball", load_checklist("gameball"))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_placeholders_fill_the_command_and_unknown_ones_are_refused():
    values = placeholders("http://127.0.0.1:9", "wll", "t1", {"apiKey": "k1"}, 2)
    command = fill(
        "till --url {base_url} --key {apiKey} {wllApiKey} --t {client_timeout} {{x}}", values
    )
    assert command == "till --url http://127.0.0.1:9/v1 --key k1 k1 --t 2 {x}"
    with pytest.raises(ValueError, match=r"unknown placeholder \{secretKey\}"):
        fill("till {secretKey}", values)
    with pytest.raises(ValueError, match="literal braces"):
        fill("till {url", values)


def test_the_help_lists_every_credential_of_every_dialect():
    for part in placeholder_help().split("; "):
        dialect, *keys = part.split()
        assert f"{dialect} {' '.join(keys)}" in PLACEHOLDERS
