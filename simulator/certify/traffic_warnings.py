"""Audit warnings: what the traffic shows a POS cannot avoid, but its staff should know.

A Gameball hold has no client-chosen id, so a hold re-sent after a lost answer is a second
hold: the first stays pending (its points unavailable) until its TTL lapses. The rule below
finds such retries; its checklist item is advisory, so a finding is a note on the verdict,
never a blocker. `register` adds it to the audit's tables (one line in traffic_rules).
"""

from __future__ import annotations

from collections import defaultdict

from .traffic_calls import LOST, Op, Traffic
from .traffic_rules import AUDIT_ITEMS, RETRY_WINDOW_S, RULE_TITLES, RULES, AuditItem, RuleResult

ITEM = AuditItem(
    "GB-ERR-06",
    "hold_retry_pending",
    "A hold re-sent after a lost answer leaves the first hold pending until its TTL "
    "(Gameball takes no client hold id): those points stay unavailable meanwhile.",
)


def hold_retry_pending(traffic: Traffic, window_s: float = RETRY_WINDOW_S) -> RuleResult:
    result = RuleResult(what="hold(s)", empty="no hold was sent")
    if traffic.dialect != "gameball":
        return result
    holds: dict[tuple[str, frozenset[str], float | None], list[Op]] = defaultdict(list)
    for op in traffic.ops:
        if op.kind == "hold":
            holds[op.call.pos, op.member, op.points].append(op)
    for ops in holds.values():
        for n, first in enumerate(ops):
            result.inspected += 1
            if first.outcome != LOST:
                continue
            retry = next(
                (op for op in ops[n + 1 :] if op.call.start - first.call.end <= window_s), None
            )
            if retry is not None:
                result.breach(
                    f"{first.label} got no answer and {retry.label} held the same "
                    f"points again: the first hold, if it was made, stays pending until its TTL",
                    first.call,
                    retry.call,
                )
    return result


def register(rules: dict, titles: dict, items: dict) -> None:
    rules[ITEM.rule] = hold_retry_pending
    titles[ITEM.rule] = "a retried hold leaves the first pending (warning)"
    if ITEM not in items["gameball"]:
        items["gameball"] = (*items["gameball"], ITEM)


register(RULES, RULE_TITLES, AUDIT_ITEMS)  # imported at the end of traffic_rules
