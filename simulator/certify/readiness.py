"""The readiness model: checklist items judged from scenario outcomes, then one verdict.

Pure functions over plain values, so the rules can be read and tested on their own:

- An automated item **passed** when every applicable scenario run it names passed, at least
  one did, and every check on its exchanges found what it looks for and no breach.
- It **failed** when one of those runs failed or a check found a breach; it was **skipped**
  when a run was skipped for another reason than "not applicable"; it has **no evidence**
  when nothing applicable ran. A run that is not applicable is never evidence.
- **Ready**: every critical and important automated item passed. **Ready with risks**: every
  critical one passed; important ones that did not are the risks. **Not ready**: a critical
  item did not pass, or the run itself could not be made. Advisory items never change the
  verdict; manual items are listed for review. There are no percentage scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .checklists import Check, Checklist, ChecklistItem

# scenario run statuses
PASSED, FAILED, SKIPPED, NOT_APPLICABLE = "passed", "failed", "skipped", "not applicable"
# item statuses (besides PASSED, FAILED, SKIPPED)
NO_EVIDENCE, MANUAL = "no evidence", "manual review"

READY, RISKS, NOT_READY = "ready", "ready_with_risks", "not_ready"
LABELS = {READY: "Ready", RISKS: "Ready with risks", NOT_READY: "Not ready"}
_RANK = {READY: 0, RISKS: 1, NOT_READY: 2}


@dataclass(frozen=True)
class RunOutcome:
    """How one scenario run (one scenario, one example, one dialect) ended."""

    run_id: str
    ref: str  # `file.feature: scenario name` (an outline's own name)
    status: str
    reason: str = ""
    example_ref: str = ""  # `file.feature: rendered name` for an outline's example

    def matches(self, ref: str) -> bool:
        return ref in (self.ref, self.example_ref)


@dataclass(frozen=True)
class CheckFinding:
    """What a check over the exchanges found: ok True / False, or None when nothing to inspect."""

    check: Check
    ok: bool | None
    detail: str = ""


@dataclass(frozen=True)
class ItemResult:
    item: ChecklistItem
    status: str
    detail: str = ""
    runs: tuple[RunOutcome, ...] = ()
    findings: tuple[CheckFinding, ...] = ()

    @property
    def evidence(self) -> tuple[RunOutcome, ...]:
        """The runs that count as evidence (not applicable ones never do)."""
        return tuple(r for r in self.runs if r.status != NOT_APPLICABLE)


@dataclass(frozen=True)
class Verdict:
    level: str
    blockers: tuple[ItemResult, ...] = ()  # critical items that did not pass
    risks: tuple[ItemResult, ...] = ()  # important items that did not pass
    notes: tuple[ItemResult, ...] = ()  # advisory items that did not pass
    manual: tuple[ChecklistItem, ...] = ()  # for a person to review
    problems: tuple[str, ...] = ()  # why the run itself is not evidence

    @property
    def label(self) -> str:
        return LABELS[self.level]


def runs_for(item: ChecklistItem, runs: Iterable[RunOutcome]) -> tuple[RunOutcome, ...]:
    """The runs an item names, in run order, each once."""
    return tuple(r for r in runs if any(r.matches(ref) for ref in item.scenarios))


def _names(runs: Iterable[RunOutcome]) -> str:
    seen: list[str] = []
    for r in runs:
        name = (r.example_ref or r.ref).partition(": ")[2]
        if name not in seen:
            seen.append(name)
    return "; ".join(seen)


def assess_item(
    item: ChecklistItem, runs: Sequence[RunOutcome], findings: Sequence[CheckFinding] = ()
) -> ItemResult:
    """One item's status from the runs it names and the findings of its checks."""
    if not item.automated:
        return ItemResult(item, MANUAL, "to be reviewed by a person")
    mine = runs_for(item, runs)
    findings = tuple(findings)
    applicable = [r for r in mine if r.status != NOT_APPLICABLE]
    failed = [r for r in applicable if r.status == FAILED]
    skipped = [r for r in applicable if r.status == SKIPPED]
    if failed:
        return ItemResult(item, FAILED, f"failed: {_names(failed)}", mine, findings)
    if skipped:
        return ItemResult(item, SKIPPED, f"skipped: {_names(skipped)}", mine, findings)
    if not applicable:
        if mine:
            reasons = sorted({r.reason for r in mine if r.reason})
            detail = "its scenarios are not applicable here: " + "; ".join(reasons)
        else:
            detail = "none of its scenarios ran"
        return ItemResult(item, NO_EVIDENCE, detail, mine, findings)
    breaches = [f for f in findings if f.ok is False]
    if breaches:
        detail = "; ".join(f"{f.check.describe()}: {f.detail}" for f in breaches)
        return ItemResult(item, FAILED, detail, mine, findings)
    empty = [f for f in findings if f.ok is None]
    if empty:
        detail = "; ".join(f"{f.check.describe()}: nothing to inspect" for f in empty)
        return ItemResult(item, NO_EVIDENCE, detail, mine, findings)
    return ItemResult(item, PASSED, f"passed: {_names(applicable)}", mine, findings)


def assess(
    checklist: Checklist,
    runs: Sequence[RunOutcome],
    findings: Mapping[str, Sequence[CheckFinding]] | None = None,
) -> list[ItemResult]:
    findings = findings or {}
    return [assess_item(item, runs, findings.get(item.id, ())) for item in checklist.items]


def decide(results: Sequence[ItemResult], problems: Sequence[str] = ()) -> Verdict:
    """The verdict of the readiness model (see the module docstring)."""
    automated = [r for r in results if r.item.automated]

    def open_items(severity: str) -> tuple[ItemResult, ...]:
        return tuple(r for r in automated if r.item.severity == severity and r.status != PASSED)

    blockers, risks, notes = open_items("critical"), open_items("important"), open_items("advisory")
    manual = tuple(r.item for r in results if not r.item.automated)
    if blockers or problems:
        level = NOT_READY
    elif risks:
        level = RISKS
    else:
        level = READY
    return Verdict(level, blockers, risks, notes, manual, tuple(problems))


def worst(levels: Iterable[str]) -> str:
    """The overall verdict of several dialects: the worst of theirs (Not ready when none)."""
    levels = list(levels)
    return max(levels, key=_RANK.__getitem__) if levels else NOT_READY


FAIL_ON = ("not-ready", "risks", "never")


def exit_status(level: str, fail_on: str = "not-ready") -> int:
    """0 go; 1 Not ready; 3 Ready with risks under `--fail-on risks` (2 is a usage error)."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}")
    if fail_on == "never":
        return 0
    if level == NOT_READY:
        return 1
    if level == RISKS and fail_on == "risks":
        return 3
    return 0
