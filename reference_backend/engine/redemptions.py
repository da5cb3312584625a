"""One-phase redeem (spend now) and its reversal, and named events evaluated by rules."""

from __future__ import annotations

import math
from typing import Any

from . import holds, points
from .errors import EngineError, invalid, require_int
from .ledger import REDEMPTION
from .model import EventRecord, Redemption
from .state import State, fingerprint

MAX_EVENT_AMOUNT = 10**12


def _positive(value: Any, name: str) -> int:
    return require_int(value, name)


def redeem(
    state: State,
    member_id: str,
    pts: int | None,
    redemption_id: str | None = None,
    order_id: str | None = None,
    hold_id: str | None = None,
) -> tuple[Redemption, bool]:
    """Spend points now, or turn a pending hold into a reversible redemption (hold_id)."""
    if hold_id is None or pts is not None:
        _positive(pts, "points")
    fp = fingerprint([member_id, pts, order_id, hold_id])
    if redemption_id is not None and redemption_id in state.redemptions:
        existing = state.redemptions[redemption_id]
        if existing.fingerprint == fp:
            return existing, True
        raise EngineError("redemption_conflict", f"redemption {redemption_id!r} differs")
    hold = holds.get_hold(state, hold_id) if hold_id is not None else None
    state.active_member(member_id)
    rid = redemption_id or state.new_id("rdm")
    if hold is not None:
        if hold.member_id != member_id:
            raise EngineError("hold_member_mismatch", "the hold belongs to another member")
        pts = holds.check_capturable(state, hold, pts)
        slices = holds.capture(state, hold, pts, order_id)
    else:
        pts = _positive(pts, "points")  # without a hold the amount is required
        if pts < state.config.min_redeem_points:
            raise invalid(
                f"redeem at least {state.config.min_redeem_points} points", field="points"
            )
        holds.check_available(state, member_id, pts)
        slices, _ = points.spend(state, member_id, pts, rid)
    record = Redemption(rid, member_id, pts, state.now, fp, slices, order_id=order_id)
    state.redemptions[rid] = record
    return record, False


def reverse(state: State, redemption_id: str, pts: int | None = None) -> Redemption:
    """Give back all or part of a one-phase redemption; never more than was spent."""
    record = state.redemptions.get(redemption_id)
    if record is None:
        raise EngineError("redemption_not_found", f"redemption {redemption_id!r} not found")
    amount = record.points - record.reversed if pts is None else _positive(pts, "points")
    if amount == 0 or record.reversed + amount > record.points:
        left = record.points - record.reversed
        raise EngineError("reversal_exceeds_redeemed", f"{left} points left to reverse")
    skip, pieces = record.reversed, []
    for piece in record.slices:
        if skip >= piece.amount:
            skip -= piece.amount
            continue
        pieces.append(type(piece)(piece.lot_id, piece.amount - skip, piece.expires_at))
        skip = 0
    points.restore(state, record.member_id, pieces, amount, redemption_id)
    record.reversed += amount
    state.record(record.member_id, "reverse", amount, redemption_id)
    return record


def apply_event(
    state: State, member_id: str, name: str, payload: dict, event_id: str | None = None
) -> tuple[EventRecord, bool]:
    """Evaluate a named event against the program's rules (earn, deduct or restore)."""
    if not isinstance(payload, dict):
        raise invalid("event payload must be an object", field="payload")
    fp = fingerprint([member_id, name, payload])
    if event_id is not None and event_id in state.events:
        existing = state.events[event_id]
        if existing.fingerprint == fp:
            return existing, True
        raise EngineError("event_conflict", f"event {event_id!r} exists with other content")
    rule = state.config.event_rules.get(name)
    if rule is None:
        state.active_member(member_id)  # B9: not-found and member state outrank a 422
        raise EngineError("event_not_configured", f"no rule for event {name!r}")
    if rule.action == "earn":
        raw = payload.get(rule.amount_field)
        # JSON admits NaN, Infinity and 1e400: refuse them before any arithmetic
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int | float)
            or not math.isfinite(raw)
            or not 0 <= raw <= MAX_EVENT_AMOUNT
        ):
            raise invalid(
                f"{rule.amount_field} must be a number from 0 to {MAX_EVENT_AMOUNT}",
                field=rule.amount_field,
            )
        pts = int(raw * rule.points_per_unit)
    else:
        pts = _positive(payload.get(rule.points_field), rule.points_field)
    member = state.active_member(member_id)
    if rule.action == "deduct" and not rule.allow_negative:
        holds.check_available(state, member_id, pts)
    eid = event_id or state.new_id("evt")
    record = EventRecord(eid, member_id, name, dict(payload), state.now, fp, pts)
    if pts and rule.action == "earn":
        points.grant(state, member_id, pts, "event", eid)
        member.lifetime_earned += pts
        state.record(member_id, "earn", pts, eid, event=name)
    elif pts and rule.action == "deduct":
        _, record.debt_created = points.spend(state, member_id, pts, eid, allow_debt=True)
    elif pts:
        points.grant(state, member_id, pts, "restore", eid, from_account=REDEMPTION, kind="restore")
        state.record(member_id, "restore", pts, eid, event=name)
    state.events[eid] = record
    return record, False
