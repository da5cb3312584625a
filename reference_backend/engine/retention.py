"""Retention: what a long-running program lets go of, so memory stays flat under a steady
stream of holds and sales while every invariant stays provable.

- Resolved holds beyond the newest RESOLVED_HOLDS are forgotten (their ledger effects stay:
  postings and balances do not depend on the hold record once it is resolved).
- A member's history keeps its newest ACTIVITIES_PER_MEMBER lines; older lines are folded
  into per-member totals (how many lines, how many points).
- The posting log keeps its newest POSTINGS lines; older ones are folded into per-account
  totals from which a replay starts, so I14 still rebuilds every balance.
- Timers of holds resolved before their expiry are swept out of the heap once they are the
  larger part of it.

Each step trims only when its structure has grown to twice its bound, so the cost per
command is O(1) amortised.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # state.py calls trim_history, so only the type is imported here
    from .state import State

RESOLVED_HOLDS = 5_000
ACTIVITIES_PER_MEMBER = 1_000
POSTINGS = 20_000
TIMERS = 10_000


def after_command(state: State) -> None:
    _holds(state)
    _postings(state)
    _timers(state)


def trim_history(state: State, member_id: str) -> None:
    """Called when a history line is added: fold the oldest lines into the member's totals."""
    lines = state.activities[member_id]
    if len(lines) <= 2 * ACTIVITIES_PER_MEMBER:
        return
    fold = len(lines) - ACTIVITIES_PER_MEMBER
    totals = state.folded_activities.setdefault(member_id, [0, 0])
    totals[0] += fold
    totals[1] += sum(line.points for line in lines[:fold])
    del lines[:fold]


def _holds(state: State) -> None:
    resolved = state.resolved_holds
    if len(resolved) <= 2 * RESOLVED_HOLDS:
        return
    fold = len(resolved) - RESOLVED_HOLDS
    for hold_id in resolved[:fold]:
        hold = state.holds.get(hold_id)
        if hold is not None and hold.state != "pending":
            del state.holds[hold_id]
    del resolved[:fold]


def _postings(state: State) -> None:
    if len(state.ledger.postings) > 2 * POSTINGS:
        state.ledger.compact(POSTINGS)


def _timers(state: State) -> None:
    timers = state.timers
    if len(timers) <= 2 * max(TIMERS, state.counters.get("_timers_live", 0)):
        return
    live = [t for t in timers if _still_due(state, t[2], t[3])]
    heapq.heapify(live)
    state.timers = live
    state.counters["_timers_live"] = len(live)


def _still_due(state: State, kind: str, ident: str) -> bool:
    if kind == "hold_expire":
        hold = state.holds.get(ident)
        return hold is not None and hold.state == "pending"
    return True
