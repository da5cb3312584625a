"""Time-driven transitions, applied lazily before every command and read (an idempotent sweep).

Each hold, pending lot, lot expiry and voucher reservation registers its instant in a heap;
the sweep applies everything due at `now` in instant order, exactly at `expires_at`.
"""

from __future__ import annotations

import heapq

from . import holds, points, vouchers
from .state import State


def expire_due(state: State) -> int:
    """Apply every transition whose instant is <= now; returns how many were applied."""
    now = state.now
    timers = state.timers
    applied = 0
    try:
        while timers and timers[0][0] <= now:
            when, _, kind, ident = heapq.heappop(timers)
            state.as_of = when
            applied += 1
            _apply(state, kind, ident)
    finally:
        state.as_of = None
    return applied


def _apply(state: State, kind: str, ident: str) -> None:
    if kind == "hold_expire":
        hold = state.holds.get(ident)  # None: resolved long ago and let go (retention)
        if hold is not None and hold.state == "pending":
            holds.release(state, hold, reason="expired")
    elif kind == "lot_activate":
        points.activate_lot(state, state.lots[ident])
    elif kind == "lot_expire":
        points.expire_lot(state, state.lots[ident])
    elif kind == "voucher_reservation":
        vouchers.expire_reservation(state, ident)
