"""`posim audit`: judge a real POS's recorded traffic against the checklist rules it can see.

    from simulator.certify import write_reports
    from simulator.certify.traffic_audit import audit

    result = audit("traffic.jsonl", "gameball")  # a file from `posim serve --record`
    write_reports(result, "reports")  # audit-junit.xml, audit-evidence.json, audit-report.html
    result.level  # ready | ready_with_risks | not_ready

Each rule of `traffic_rules` judges one item of the vendor's checklist (its id, severity and
section come from `fixtures/checklists/<vendor>.yaml`). The result has certify's shape, so the
readiness verdict, the console table and the three reports are certify's own: each rule is
one run over the traffic, passed, failed (with the offending exchanges and their request
ids) or not applicable when nothing in the traffic exercised it, which leaves its item
without evidence.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from .checklists import Check, Checklist, ChecklistError, ChecklistItem, load_checklist
from .evidence import NOT_RUN, ExchangeRecord, ScenarioRun, StepRecord
from .readiness import FAILED, NOT_APPLICABLE, PASSED, CheckFinding, RunOutcome, assess_item, decide
from .redact import PERSONAL
from .runner import CertifyResult, DialectResult
from .traffic_calls import Call, Traffic, dialect_of, load_traffic, read_lines
from .traffic_rules import (
    AUDIT_ITEMS,
    RETRY_WINDOW_S,
    RULE_TITLES,
    RULES,
    AuditItem,
    RuleResult,
    personal_values,
    query_secrets,
    retry_same_ids,
)

DIALECTS = tuple(AUDIT_ITEMS)
EXCHANGES_SHOWN = 20  # offending exchanges kept per rule in the reports


def check_recording(path: Path, dialect: str) -> None:
    """Refuse, in one line (ValueError), a recording that cannot be judged as `dialect`:
    empty, cut short, or holding only another vendor's exchanges."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        last = max((n for n, line in enumerate(fh, 1) if line.strip()), default=0)
    if not last:
        raise ValueError(f"{path} is empty: no exchange was recorded")
    lines, bad = read_lines(path)
    if last in bad:
        raise ValueError(f"{path} is cut short: line {last}, its last, is not a whole exchange")
    vendors = [dialect_of(entry) for _, entry in lines]
    if dialect not in vendors:
        others = sorted({v for v in vendors if v})
        hint = f" (it records {', '.join(others)}: pass --dialect {others[0]})" if others else ""
        raise ValueError(f"{path} holds no {dialect} exchange{hint}")


@dataclass(frozen=True)
class TrafficCheck(Check):
    """A rule over recorded traffic, shown in the reports the way certify shows a check."""

    text: str = ""

    def describe(self) -> str:
        return self.text


def _scrub(value: Any, personal: set[str]) -> Any:
    """The document with every leaf that is a known personal value masked (short names
    included, which masking by value alone would leave)."""
    if isinstance(value, dict):
        return {k: _scrub(v, personal) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, personal) for v in value]
    leaf = isinstance(value, str | int) and not isinstance(value, bool)
    return PERSONAL if leaf and str(value).strip() in personal else value


def _pieces(text: str) -> set[str]:
    """Every word of the text and every run of two or three words (set lookups stay fast
    however many personal values a large recording holds)."""
    words = re.findall(r"[\w@.+'%-]+", text)
    return {" ".join(words[n : n + w]) for n in range(len(words)) for w in (1, 2, 3)}


def _appears(value: str, pieces: set[str]) -> bool:
    return any(form in pieces for form in (value, quote(value, safe=""), quote_plus(value)))


def _record(call: Call, run_id: str, op: str, personal: set[str]) -> ExchangeRecord:
    headers = dict(call.response_headers)
    if not any(k.lower() == "x-request-id" for k in headers):
        headers["x-request-id"] = call.request_id
    lost = f"no answer reached the POS ({call.fault_kind or f'status {call.status}'})"
    return ExchangeRecord(
        id=f"{run_id}-l{call.line}",
        op=op,
        method=call.method,
        path=call.path,
        params=_scrub(call.params, personal) or None,
        request_headers=dict(call.request_headers),
        request_json=_scrub(call.body, personal),
        status=None if call.lost else call.status,
        response_headers=headers,
        response_body=_scrub(call.response, personal),
        error=lost if call.lost else None,
        started=call.start,
        duration_ms=call.duration_ms,
        step=0,
    )


@dataclass
class _Context:
    traffic: Traffic
    feature: str  # how the reports name the traffic file
    reproduce: str
    personal: set[str]  # raw, for masking only
    secrets: set[str]  # raw, for masking only
    kinds: dict[int, str]  # call index -> what it did (order, hold, ...)


def _run(audit_item: AuditItem, found: RuleResult, n: int, ctx: _Context) -> ScenarioRun:
    dialect = ctx.traffic.dialect
    run_id = f"{dialect}-audit-{n:02d}"
    name = f"{audit_item.item_id} {RULE_TITLES[audit_item.rule]}"
    status = {True: PASSED, False: FAILED, None: NOT_APPLICABLE}[found.ok]
    run = ScenarioRun(
        run_id,
        dialect,
        ctx.feature,
        name,
        name,
        f"{ctx.feature}::{audit_item.rule}",
        status,
        reproduce=ctx.reproduce,
    )
    calls: dict[int, Call] = {}
    for breach in found.breaches[:EXCHANGES_SHOWN]:
        for call in breach.calls:
            calls.setdefault(call.index, call)
    run.exchanges = [
        _record(c, run_id, ctx.kinds.get(c.index, "call"), ctx.personal) for c in calls.values()
    ]
    # what the redactor must mask by value: only what this run's report can show
    shown = _pieces(
        json.dumps(
            [[c.path, c.params, c.body, c.response] for c in calls.values()]
            + [b.message for b in found.breaches[:EXCHANGES_SHOWN]],
            default=str,
            ensure_ascii=False,
        )
    )
    run.personal = sorted(v for v in ctx.personal if _appears(v, shown))
    run.secrets = sorted(v for v in ctx.secrets if _appears(v, shown))
    step_status = {PASSED: PASSED, FAILED: FAILED}.get(status, NOT_RUN)
    step = StepRecord("Rule", audit_item.text, step_status, exchanges=[x.id for x in run.exchanges])
    if status == FAILED:
        run.reason = found.detail()
        more = len(found.breaches) - EXCHANGES_SHOWN
        lines = [b.message for b in found.breaches[:EXCHANGES_SHOWN]]
        step.error = "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))
        run.failing_step = 0
    elif status == NOT_APPLICABLE:
        run.reason = f"no evidence: {found.empty}"
    run.steps = [step]
    return run


def _item(
    base: ChecklistItem, audit_items: list[AuditItem], runs: list[ScenarioRun]
) -> ChecklistItem:
    return ChecklistItem(
        id=base.id,
        text=" ".join(a.text for a in audit_items),
        severity=base.severity,
        lane="automated",  # whatever a person reviews in certify, the traffic shows this part
        section=base.section,
        scenarios=tuple(run.ref for run in runs),
        source=base.source,
        note=f"Checklist: {base.text}",
    )


def audit(
    traffic_path: str | Path,
    dialect: str,
    *,
    checklists_dir: Path | None = None,
    retry_window_s: float = RETRY_WINDOW_S,
) -> CertifyResult:
    """Judge one dialect's recorded traffic; raises OSError when the file cannot be read and
    ValueError for a dialect posim does not know."""
    if dialect not in AUDIT_ITEMS:
        raise ValueError(f"unknown dialect {dialect!r}; choose {', '.join(DIALECTS)}")
    started = datetime.now(UTC)
    path = Path(traffic_path)
    traffic = load_traffic(path, dialect)  # calls in start order
    problems = list(traffic.problems)
    if not traffic.calls:
        problems.append(f"the traffic holds no {dialect} request")
    try:
        vendor = load_checklist(dialect, checklists_dir)
    except ChecklistError as exc:
        problems.append(str(exc))
        vendor = Checklist(dialect, f"{dialect} checklist", "", ())
    found: dict[str, RuleResult] = {}
    for audit_item in AUDIT_ITEMS[dialect]:
        if audit_item.rule not in found:
            judge = RULES[audit_item.rule]
            if judge is retry_same_ids:
                found[audit_item.rule] = retry_same_ids(traffic, retry_window_s)
            else:
                found[audit_item.rule] = judge(traffic)
    personal = personal_values(traffic.calls)
    for rule_result in found.values():
        personal |= rule_result.leaves
    ctx = _Context(
        traffic,
        path.name,
        f"posim audit {shlex.quote(str(path))} --dialect {dialect}",
        personal,
        query_secrets(traffic.calls),
        {op.call.index: op.kind for op in reversed(traffic.ops)},
    )
    known = {item.id: item for item in vendor.items}
    by_item: dict[str, list[AuditItem]] = {}  # an item may be judged by several rules
    for audit_item in AUDIT_ITEMS[dialect]:
        by_item.setdefault(audit_item.item_id, []).append(audit_item)
    items, runs, results = [], [], []
    n = 0
    for item_id, audit_items in by_item.items():
        base = known.get(item_id)
        if base is None:
            problems.append(f"the {dialect} checklist has no item {item_id}")
            continue
        mine, findings = [], []
        for audit_item in audit_items:
            n += 1
            rule = found[audit_item.rule]
            mine.append(_run(audit_item, rule, n, ctx))
            text = RULE_TITLES[audit_item.rule]
            check = TrafficCheck("traffic", {"rule": audit_item.rule}, text=text)
            findings.append(CheckFinding(check, rule.ok, rule.detail()))
        item = _item(base, audit_items, mine)
        # the verdict model judges each rule like a certify check over a run that passed
        # ("the traffic was read"); the item then shows the rules' own runs as its evidence
        read = [RunOutcome(run.run_id, run.ref, PASSED) for run in mine]
        judged = assess_item(item, read, findings)
        items.append(item)
        runs.extend(mine)
        results.append(replace(judged, runs=tuple(run.outcome() for run in mine)))
    checklist = Checklist(dialect, f"{vendor.title}: traffic audit", vendor.source, tuple(items))
    certified = CertifyResult(
        [DialectResult(dialect, checklist, runs, results, decide(results, problems))],
        seed=None,  # type: ignore[arg-type]  # nothing is seeded: the traffic is what it is
        target=f"recorded traffic {path}",
        started_at=started,
        command="audit",
    )
    certified.finished_at = datetime.now(UTC)
    return certified
