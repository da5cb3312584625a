"""Two-phase points holds: pending -> captured | released | expired, resolved exactly once."""

from __future__ import annotations

from datetime import timedelta

from . import points
from .errors import EngineError, invalid, require_int
from .ledger import REDEMPTION, member_account
from .model import Hold, Slice
from .state import State, fingerprint


def check_available(state: State, member_id: str, wanted: int) -> None:
    member = state.members[member_id]
    if member.debt > 0:
        raise EngineError("insufficient_points", "member owes points", debt=member.debt)
    available = points.free_points(state, member_id)
    if available < wanted:
        raise EngineError(
            "insufficient_points",
            f"{wanted} points requested, {available} available",
            available=available,
            requested=wanted,
        )


def resolve_amount(state: State, pts: int | None, amount_minor: int | None) -> int:
    if (pts is None) == (amount_minor is None):
        raise invalid("give exactly one of points or amount")
    if pts is not None:
        return require_int(pts, "points")
    message = "amount must be a positive integer of minor units"
    return state.config.points_to_cover(require_int(amount_minor, "amount", message=message))


def create_hold(
    state: State,
    member_id: str,
    pts: int | None = None,
    amount_minor: int | None = None,
    ttl_s: int | None = None,
    hold_id: str | None = None,
    order_id: str | None = None,
) -> tuple[Hold, bool]:
    """Reserve points for a checkout; returns (hold, replayed)."""
    cfg = state.config
    wanted = resolve_amount(state, pts, amount_minor)
    ttl = cfg.hold_ttl_default_s if ttl_s is None else ttl_s
    if not isinstance(ttl, int) or ttl < cfg.hold_ttl_min_s:
        raise invalid(f"hold ttl must be at least {cfg.hold_ttl_min_s} seconds", field="ttl")
    params = {"member": member_id, "points": pts, "amount": amount_minor, "ttl": ttl_s}
    fp = fingerprint(params)
    if hold_id is not None and hold_id in state.holds:
        existing = state.holds[hold_id]
        if existing.fingerprint == fp:
            return existing, True
        raise EngineError("hold_conflict", f"hold {hold_id!r} exists with other content")
    state.active_member(member_id)
    if ttl > cfg.hold_ttl_max_s:
        raise EngineError("hold_ttl_too_long", f"ttl above {cfg.hold_ttl_max_s} seconds")
    check_available(state, member_id, wanted)
    now = state.now
    hold_id = hold_id or state.new_id("hold")
    hold = Hold(
        hold_id=hold_id,
        member_id=member_id,
        amount=wanted,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
        pending_id=state.ledger.open_pending(
            "hold", member_account(member_id), REDEMPTION, wanted, now, hold=hold_id
        ),
        allocations=points.earmark(state, member_id, wanted),
        order_id=order_id,
        amount_minor=amount_minor,
        fingerprint=fp,
    )
    state.holds[hold.hold_id] = hold
    state.schedule(hold.expires_at, "hold_expire", hold.hold_id)
    state.record(member_id, "hold", -wanted, hold.hold_id)
    return hold, False


def get_hold(state: State, hold_id: str) -> Hold:
    hold = state.holds.get(hold_id)
    if hold is None:
        raise EngineError("hold_not_found", f"hold {hold_id!r} not found")
    return hold


def check_capturable(state: State, hold: Hold, pts: int | None) -> int:
    if hold.state == "captured":
        raise EngineError("hold_already_captured", f"hold {hold.hold_id!r} already captured")
    if hold.state == "released":
        raise EngineError("hold_already_released", f"hold {hold.hold_id!r} already released")
    if hold.state == "expired" or state.now >= hold.expires_at:
        raise EngineError("hold_expired", f"hold {hold.hold_id!r} expired at {hold.expires_at}")
    amount = hold.amount if pts is None else pts
    require_int(amount, "points", message="capture amount must be a positive integer")
    if amount > hold.amount:
        raise EngineError("capture_exceeds_hold", f"hold has {hold.amount} points")
    return amount


def capture(state: State, hold: Hold, amount: int, order_id: str | None = None) -> list[Slice]:
    """Spend `amount` of a checked hold; the rest goes back to the member."""
    now = state.now
    slices = points.consume_earmarked(state, hold.allocations, amount)
    state.ledger.post_pending(hold.pending_id, amount, "capture", now, hold=hold.hold_id)
    rest = hold.amount - amount
    if rest:
        state.ledger.void_pending(hold.pending_id, rest, "release", now, hold=hold.hold_id)
    hold.state, hold.captured, hold.resolved_at = "captured", amount, now
    state.resolved_holds.append(hold.hold_id)
    hold.order_id = order_id or hold.order_id
    hold.slices = slices
    state.record(hold.member_id, "capture", -amount, hold.hold_id, released=rest)
    points.settle_debt(state, hold.member_id)
    return slices


def release(state: State, hold: Hold, reason: str = "released") -> None:
    """Give every reserved point back (void, cancel, or expiry at exactly `expires_at`)."""
    state.ledger.void_pending(
        hold.pending_id,
        hold.amount,
        "expire_hold" if reason == "expired" else "release",
        state.now,
        hold=hold.hold_id,
    )
    points.unearmark(state, hold.allocations)
    hold.state, hold.resolved_at = reason, state.now
    state.resolved_holds.append(hold.hold_id)
    state.record(hold.member_id, reason if reason == "expired" else "release", 0, hold.hold_id)
    points.settle_debt(state, hold.member_id)


def release_hold(state: State, hold_id: str) -> Hold:
    hold = get_hold(state, hold_id)
    if hold.state == "captured":
        raise EngineError("hold_already_captured", f"hold {hold_id!r} already captured")
    if hold.state == "released":
        raise EngineError("hold_already_released", f"hold {hold_id!r} already released")
    if hold.state == "expired":
        raise EngineError("hold_expired", f"hold {hold_id!r} expired at {hold.expires_at}")
    release(state, hold)
    return hold
