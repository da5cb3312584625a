"""Checks certify runs over the recorded exchanges of an item's scenarios.

A scenario proves what the POS sees (balances, receipts, errors); some rules are about what
the POS sends instead: no personal data in event payloads, points redeemed only after the
sale is recorded. Those are read off the exchanges. A check that finds nothing to inspect is
reported as such (no evidence), never as passed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .checklists import Check, Checklist
from .evidence import ExchangeRecord, ScenarioRun
from .readiness import FAILED, PASSED, CheckFinding
from .redact import personal_name


def _strings(value: Any):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str | int) and not isinstance(value, bool):
        yield str(value)


def _personal_fields(value: Any, found: list[str]) -> list[str]:
    """Values of personal-looking fields (email, mobile, names, ...) in a document."""
    if isinstance(value, dict):
        for k, v in value.items():
            if personal_name(str(k)) and v not in (None, ""):
                found.extend(_strings(v))
            else:
                _personal_fields(v, found)
    elif isinstance(value, list | tuple):
        for v in value:
            _personal_fields(v, found)
    return found


def personal_values(run: ScenarioRun) -> set[str]:
    """The personal data of a run: its personas and every personal field it sent."""
    values = {v for v in run.personal if v}
    for x in run.exchanges:
        values.update(_personal_fields(x.request_json, []))
    return {v for v in values if len(v) >= 3}


def _leaks(exchange: ExchangeRecord, personal: set[str]) -> list[str]:
    found = []
    for leaf in _strings([exchange.request_json, exchange.params]):
        for value in personal:
            if leaf == value or (len(value) >= 6 and value in leaf):
                found.append(value)
    return found


def no_personal_data(check: Check, runs: Sequence[ScenarioRun]) -> CheckFinding:
    pattern = re.compile(check.params["path"])
    inspected, breaches = 0, []
    for run in runs:
        personal = personal_values(run)
        for x in run.exchanges:
            if not pattern.search(x.path):
                continue
            inspected += 1
            if _leaks(x, personal):
                breaches.append(f"{x.id} ({x.method} {x.path}) carries personal data")
    if breaches:
        return CheckFinding(check, False, "; ".join(breaches[:5]))
    if not inspected:
        return CheckFinding(check, None, "no such request was sent")
    return CheckFinding(check, True, f"{inspected} request(s) inspected")


def call_order(check: Check, runs: Sequence[ScenarioRun]) -> CheckFinding:
    """Within each step, every `then` request follows a successful `first` request."""
    first, then = re.compile(check.params["first"]), re.compile(check.params["then"])
    inspected, breaches = 0, []
    for run in runs:
        ready: dict[int | None, bool] = {}
        for x in run.exchanges:
            if first.search(x.path) and x.ok:
                ready[x.step] = True
            elif then.search(x.path):
                inspected += 1
                if not ready.get(x.step):
                    breaches.append(f"{x.id} ({x.method} {x.path}) came first")
    if breaches:
        return CheckFinding(check, False, "; ".join(breaches[:5]))
    if not inspected:
        return CheckFinding(check, None, "no such request was sent")
    return CheckFinding(check, True, f"{inspected} request(s) in order")


CHECKS = {"no_personal_data": no_personal_data, "call_order": call_order}


def run_checks(checklist: Checklist, runs: Sequence[ScenarioRun]) -> dict[str, list[CheckFinding]]:
    """Each item's check findings, over the runs of its scenarios that ran."""
    out: dict[str, list[CheckFinding]] = {}
    for item in checklist.items:
        if not item.checks:
            continue
        mine = [
            r
            for r in runs
            if r.status in (PASSED, FAILED)
            and any(ref in (r.ref, r.example_ref) for ref in item.scenarios)
        ]
        out[item.id] = [CHECKS[c.kind](c, mine) for c in item.checks]
    return out
