"""Checks over recorded exchanges: call order within a step, no personal data in payloads."""

from __future__ import annotations

from simulator.certify.checklists import Check, Checklist, ChecklistItem
from simulator.certify.checks import call_order, no_personal_data, run_checks
from simulator.certify.evidence import ExchangeRecord, ScenarioRun
from simulator.certify.readiness import FAILED, NOT_APPLICABLE


def x(n, path, step, status=200, body=None, method="POST"):
    return ExchangeRecord(f"x{n}", "Op", method, path, None, {}, body, status, step=step)


def scenario(*exchanges, status="passed", personal=()):
    run = ScenarioRun("r1", "capillary", "checkout.feature", "S", "S", "n::S", status)
    run.exchanges = list(exchanges)
    run.personal = list(personal)
    return run


ORDER = Check("call_order", {"first": "transaction/add$", "then": "points/redeem$"})
PRIVATE = Check("no_personal_data", {"path": "/events$"})


def test_redeem_after_a_successful_bill_in_the_same_step_is_in_order():
    run = scenario(x(1, "/v1.1/transaction/add", 0), x(2, "/v1.1/points/redeem", 1))
    # the seed bill of an earlier step does not excuse a redeem sent first in its own step
    assert call_order(ORDER, [run]).ok is False
    run = scenario(x(1, "/v1.1/transaction/add", 1), x(2, "/v1.1/points/redeem", 1))
    assert call_order(ORDER, [run]).ok is True


def test_a_failed_bill_does_not_count():
    run = scenario(x(1, "/v1.1/transaction/add", 1, 400), x(2, "/v1.1/points/redeem", 1))
    finding = call_order(ORDER, [run])
    assert finding.ok is False and "x2" in finding.detail


def test_nothing_to_inspect_is_not_a_pass():
    assert call_order(ORDER, [scenario(x(1, "/v1.1/transaction/add", 1))]).ok is None
    assert no_personal_data(PRIVATE, [scenario(x(1, "/v1/users", 1))]).ok is None


def test_personal_data_in_an_event_payload_is_a_breach():
    enroll = x(1, "/v1/users", 0, body={"email": "ann@shop.test", "givenName": "Ann"})
    clean = x(2, "/v1/events", 1, body={"type": "TRANSACTION", "payload": {"amount": 12.5}})
    leaky = x(3, "/v1/events", 2, body={"payload": {"note": "for ann@shop.test"}})
    assert no_personal_data(PRIVATE, [scenario(enroll, clean)]).ok is True
    finding = no_personal_data(PRIVATE, [scenario(enroll, clean, leaky)])
    assert finding.ok is False and "x3" in finding.detail
    named = x(4, "/v1/events", 2, body={"payload": {"cashier": "Ann"}})
    assert no_personal_data(PRIVATE, [scenario(enroll, named)]).ok is False
    persona = x(5, "/v1/events", 2, body={"payload": {"phone": "+201055555555"}})
    assert no_personal_data(PRIVATE, [scenario(persona, personal=["+201055555555"])]).ok is False


def test_run_checks_looks_only_at_runs_that_ran():
    item = ChecklistItem(
        "CAP-PTS-02", "t", "critical", "automated", "", ("checkout.feature: S",), (ORDER,)
    )
    checklist = Checklist("capillary", "t", "s", (item,))
    wrong = (x(1, "/v1.1/points/redeem", 1), x(2, "/v1.1/transaction/add", 1))
    assert run_checks(checklist, [scenario(*wrong, status=FAILED)])["CAP-PTS-02"][0].ok is False
    skipped = run_checks(checklist, [scenario(*wrong, status=NOT_APPLICABLE)])
    assert skipped["CAP-PTS-02"][0].ok is None
