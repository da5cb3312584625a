"""Checks on a restored candidate state, before it replaces a live one.

Field types are already checked while decoding (snapshot.load); this adds what types cannot
say: instants carry a time zone, numbers stay within sane bounds, the counters that mint ids
and order timers are ahead of everything already minted, and the ledger audit finds nothing.
Each failure is a ValueError naming the first problem.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any

from .audit import audit
from .state import State

MAX_INT = 10**18  # far above any balance or amount; a larger one is an edited snapshot
_MINTED = re.compile(r"(?P<prefix>[a-z]+)_(?P<n>\d{6,})")
# the State maps whose keys the engine mints with state.new_id(prefix)
_MINTED_KEYS = {"holds": "hold", "members": "mem", "lots": "lot", "redemptions": "rdm"}


def check(state: State) -> None:
    _check_values(state)
    _check_counters(state)
    violations = audit(state)
    if violations:
        first = violations[0]
        raise ValueError(f"invariant {first.invariant} fails for {first.subject}: {first.detail}")


def _check_values(state: State) -> None:
    """Every instant aware, every integer bounded, anywhere in the state (iteratively)."""
    stack: list[tuple[str, Any]] = [
        (f.name, getattr(state, f.name))
        for f in dataclasses.fields(state)
        if f.name not in ("config", "clock", "as_of")
    ]
    while stack:
        where, value = stack.pop()
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"{where}: instant {value.isoformat()} has no time zone")
        elif isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > MAX_INT:
                raise ValueError(f"{where}: {value} is out of range")
        elif isinstance(value, dict):
            stack.extend((f"{where}.{k}", v) for k, v in value.items())
            stack.extend((f"{where} key", k) for k in value)
        elif isinstance(value, list | tuple | set | frozenset):
            stack.extend((f"{where}[]", v) for v in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            stack.extend(
                (f"{where}.{f.name}", getattr(value, f.name)) for f in dataclasses.fields(value)
            )


def _check_counters(state: State) -> None:
    timer = state.counters.get("_timer", 0)
    if state.timers and max(seq for _, seq, _, _ in state.timers) > timer:
        raise ValueError(f"counters._timer {timer} is behind the timers it ordered")
    for name, prefix in _MINTED_KEYS.items():
        minted = state.counters.get(prefix, 0)
        for key in getattr(state, name):
            match = _MINTED.fullmatch(key)
            if match and match["prefix"] == prefix and int(match["n"]) > minted:
                raise ValueError(f"counters.{prefix} {minted} is behind the minted id {key}")
    seqs = [line.seq for lines in state.activities.values() for line in lines]
    if seqs and max(seqs) > state.activity_seq:
        raise ValueError(f"activity_seq {state.activity_seq} is behind the activity lines")
    ledger = state.ledger
    # retention folds the oldest postings into `base`: the kept ones number on from there
    for index, posting in enumerate(ledger.postings, start=ledger.dropped + 1):
        if posting.seq != index:
            raise ValueError(f"ledger posting {index} carries sequence {posting.seq}")
    used = [p.pending_id for p in ledger.postings if p.pending_id is not None]
    if any(pid >= ledger.next_pending_id for pid in [*used, *ledger.pending]):
        raise ValueError(f"ledger.next_pending_id {ledger.next_pending_id} was already used")
