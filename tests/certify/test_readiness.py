"""The readiness model on its own: item statuses and the verdict, from plain values."""

from __future__ import annotations

import pytest

from simulator.certify.checklists import Check, Checklist, ChecklistItem
from simulator.certify.readiness import (
    FAILED,
    MANUAL,
    NO_EVIDENCE,
    NOT_APPLICABLE,
    NOT_READY,
    PASSED,
    READY,
    RISKS,
    SKIPPED,
    CheckFinding,
    RunOutcome,
    assess,
    assess_item,
    decide,
    exit_status,
    worst,
)

A, B, C = "x.feature: A", "x.feature: B", "x.feature: Outline <kind>"


def item(item_id="T-ITEM-01", severity="critical", lane="automated", scenarios=(A,), checks=()):
    return ChecklistItem(item_id, f"text of {item_id}", severity, lane, "", scenarios, checks)


def run(ref=A, status=PASSED, reason="", run_id=None, example=""):
    return RunOutcome(run_id or f"r-{ref[-1]}-{status}", ref, status, reason, example)


# -- one item ----------------------------------------------------------------------------
def test_all_runs_passed_is_passed():
    result = assess_item(item(scenarios=(A, B)), [run(A), run(B), run("x.feature: Z", FAILED)])
    assert result.status == PASSED
    assert [r.ref for r in result.runs] == [A, B]


def test_any_failed_run_fails_the_item():
    assert assess_item(item(scenarios=(A, B)), [run(A), run(B, FAILED)]).status == FAILED


def test_a_skip_that_is_not_not_applicable_is_skipped():
    result = assess_item(item(), [run(A, SKIPPED, "flaky target")])
    assert result.status == SKIPPED


def test_not_applicable_is_never_evidence():
    result = assess_item(item(), [run(A, NOT_APPLICABLE, "not applicable to x: no holds")])
    assert result.status == NO_EVIDENCE
    assert "no holds" in result.detail
    assert result.evidence == ()


def test_not_applicable_runs_are_ignored_next_to_real_evidence():
    result = assess_item(item(scenarios=(A, B)), [run(A), run(B, NOT_APPLICABLE, "n/a")])
    assert result.status == PASSED
    assert [r.ref for r in result.evidence] == [A]


def test_nothing_ran_is_no_evidence():
    result = assess_item(item(), [])
    assert (result.status, result.detail) == (NO_EVIDENCE, "none of its scenarios ran")


def test_manual_items_are_for_review_whatever_ran():
    assert assess_item(item(lane="manual", scenarios=()), [run(A, FAILED)]).status == MANUAL


def test_outline_examples_match_by_outline_or_by_example_name():
    by_mobile = run(C, PASSED, run_id="m", example="x.feature: Outline mobile")
    by_email = run(C, FAILED, run_id="e", example="x.feature: Outline email")
    assert assess_item(item(scenarios=(C,)), [by_mobile, by_email]).status == FAILED
    only_mobile = item(scenarios=("x.feature: Outline mobile",))
    assert assess_item(only_mobile, [by_mobile, by_email]).status == PASSED


def test_check_breach_fails_and_empty_check_is_no_evidence():
    check = Check("call_order", {"first": "a", "then": "b"})
    breach = CheckFinding(check, False, "b came first")
    empty = CheckFinding(check, None, "no such request")
    ok = CheckFinding(check, True, "1 in order")
    with_check = item(checks=(check,))
    assert assess_item(with_check, [run(A)], [breach]).status == FAILED
    assert assess_item(with_check, [run(A)], [empty]).status == NO_EVIDENCE
    assert assess_item(with_check, [run(A)], [ok]).status == PASSED
    # a failed scenario outranks the check
    assert assess_item(with_check, [run(A, FAILED)], [ok]).status == FAILED


# -- the verdict -------------------------------------------------------------------------
def results(*statuses_by_severity):
    checklist = Checklist(
        "x",
        "X",
        "src",
        tuple(
            item(f"T-ITEM-{n:02d}", severity, scenarios=(f"x.feature: S{n}",))
            for n, (severity, _) in enumerate(statuses_by_severity)
        ),
    )
    runs = [
        run(f"x.feature: S{n}", status, run_id=f"r{n}")
        for n, (_, status) in enumerate(statuses_by_severity)
        if status is not None
    ]
    return assess(checklist, runs)


def test_ready_when_every_critical_and_important_item_passed():
    verdict = decide(results(("critical", PASSED), ("important", PASSED), ("advisory", FAILED)))
    assert verdict.level == READY
    assert [r.item.id for r in verdict.notes] == ["T-ITEM-02"]
    assert verdict.label == "Ready"


def test_ready_with_risks_lists_the_important_failures():
    verdict = decide(results(("critical", PASSED), ("important", FAILED), ("important", None)))
    assert verdict.level == RISKS
    assert [r.item.id for r in verdict.risks] == ["T-ITEM-01", "T-ITEM-02"]
    assert verdict.blockers == ()


@pytest.mark.parametrize("status", [FAILED, SKIPPED, NOT_APPLICABLE, None])
def test_not_ready_when_a_critical_item_did_not_pass(status):
    verdict = decide(results(("critical", status), ("important", PASSED)))
    assert verdict.level == NOT_READY
    assert [r.item.id for r in verdict.blockers] == ["T-ITEM-00"]


def test_manual_items_are_listed_and_never_block():
    checklist = Checklist("x", "X", "src", (item(), item("T-MAN-01", lane="manual", scenarios=())))
    verdict = decide(assess(checklist, [run(A)]))
    assert verdict.level == READY
    assert [i.id for i in verdict.manual] == ["T-MAN-01"]


def test_a_run_problem_is_not_ready_even_with_nothing_failed():
    verdict = decide(results(("critical", PASSED)), problems=["no wll codec"])
    assert verdict.level == NOT_READY and verdict.problems == ("no wll codec",)


def test_worst_and_exit_status():
    assert worst([READY, RISKS]) == RISKS
    assert worst([READY, NOT_READY, RISKS]) == NOT_READY
    assert worst([]) == NOT_READY
    assert exit_status(READY) == 0
    assert exit_status(RISKS) == 0
    assert exit_status(RISKS, "risks") == 3
    assert exit_status(NOT_READY) == 1
    assert exit_status(NOT_READY, "risks") == 1
    assert exit_status(NOT_READY, "never") == 0
    with pytest.raises(ValueError):
        exit_status(READY, "sometimes")
