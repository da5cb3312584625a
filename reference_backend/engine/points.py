"""Lot mechanics shared by every operation: grant, earmark, consume, revoke, restore, expire.

A member's balance is the sum of what remains in activated lots, less any debt. Spending
draws the earliest-expiring lot first (ties: oldest, then lot id); lots without expiry last.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta

from .ledger import EXPIRY, ISSUANCE, REDEMPTION, member_account
from .model import Lot, Slice
from .state import State

_FAR = datetime.max.replace(tzinfo=None)


def _order_key(lot: Lot):
    expires = lot.expires_at.replace(tzinfo=None) if lot.expires_at else _FAR
    return (expires, lot.created_at, lot.lot_id)


_DEAD = ("depleted", "expired")
_COMPACT_AFTER = 32  # dead lots skipped in one walk before the member's index is rebuilt


def _emptied(lot: Lot) -> bool:
    """A lot that can never be spent or restored again (an expired lot keeps its earmarks
    until their hold resolves, so it stays indexed until then)."""
    return lot.state in _DEAD and lot.remaining == 0


def spendable_lots(state: State, member_id: str) -> Iterator[Lot]:
    """The member's active lots in spending order, yielded lazily so that a spend touches
    only the lots it takes. Emptied lots are dropped from the index as the walk meets them:
    a dead prefix at once, dead lots further in once enough of them slow the walk down."""
    ids = state.member_lots.get(member_id)
    if not ids:
        return
    lots = state.lots
    head = 0
    while head < len(ids) and _emptied(lots[ids[head]]):
        head += 1
    if head:
        del ids[:head]
    skipped = 0
    try:
        for lot_id in ids:
            lot = lots[lot_id]
            if lot.state == "active":
                yield lot
            elif lot.remaining == 0 and lot.state in _DEAD:
                skipped += 1
    finally:
        if skipped > _COMPACT_AFTER:
            ids[:] = [i for i in ids if not _emptied(lots[i])]


def active_lots(state: State, member_id: str) -> list[Lot]:
    return list(spendable_lots(state, member_id))


def free_points(state: State, member_id: str) -> int:
    """Unreserved points in active lots, from the ledger's running counters: I2 makes the
    member's posted balance equal its activated lots less debt, and its pending debits
    equal the lots' earmarks, so no lot needs summing."""
    account = state.ledger.account(member_account(member_id))
    return account.balance + state.members[member_id].debt - account.debits_pending


def _lot_expiry(state: State, activates_at: datetime, expires_at: datetime | None):
    if expires_at is not None:
        return expires_at
    days = state.config.lot_expiry_days
    return activates_at + timedelta(days=days) if days else None


def grant(
    state: State,
    member_id: str,
    points: int,
    source: str,
    ref: str | None = None,
    *,
    from_account: str = ISSUANCE,
    kind: str = "earn",
    activates_at: datetime | None = None,
    expires_at: datetime | None = None,
    program_expiry: bool = True,
) -> Lot:
    """Credit `points` as a new lot; pending until `activates_at` if that lies ahead."""
    now = state.now
    activates = activates_at if activates_at and activates_at > now else now
    lot = Lot(
        lot_id=state.new_id("lot"),
        member_id=member_id,
        amount=points,
        remaining=points,
        created_at=now,
        activates_at=activates,
        expires_at=_lot_expiry(state, activates, expires_at) if program_expiry else expires_at,
        source=source,
        ref=ref,
    )
    state.lots[lot.lot_id] = lot
    # a lot's spending order (expiry, creation, id) never changes: insert it in place once
    ids = state.member_lots.setdefault(member_id, [])
    bisect.insort(ids, lot.lot_id, key=lambda i: _order_key(state.lots[i]))
    account = member_account(member_id)
    if activates > now:
        lot.state = "pending"
        lot.pending_id = state.ledger.open_pending(kind, from_account, account, points, now)
        state.schedule(activates, "lot_activate", lot.lot_id)
    else:
        state.ledger.transfer(kind, from_account, account, points, now, lot=lot.lot_id)
        _after_activation(state, lot)
    return lot


def _after_activation(state: State, lot: Lot) -> None:
    if lot.expires_at is not None:
        if lot.expires_at <= state.now:
            expire_lot(state, lot)
            return
        state.schedule(lot.expires_at, "lot_expire", lot.lot_id)
    if lot.remaining == 0:
        lot.state = "depleted"
    settle_debt(state, lot.member_id)


def _pending_id(lot: Lot) -> int:
    """The ledger transfer a pending lot's points wait in (audit I4 keeps one per such lot)."""
    if lot.pending_id is None:
        raise AssertionError(f"pending lot {lot.lot_id} has no ledger pending transfer")
    return lot.pending_id


def activate_lot(state: State, lot: Lot) -> None:
    """pending -> active at `activates_at`: the pending credit is posted."""
    if lot.state != "pending":
        return
    pending_id = _pending_id(lot)
    lot.state = "active"
    if lot.remaining:
        state.ledger.post_pending(pending_id, lot.remaining, "activate", state.now)
    if pending_id in state.ledger.pending:  # the revoked part was voided already
        rest = state.ledger.pending_remaining(pending_id)
        state.ledger.void_pending(pending_id, rest, "revoke", state.now)
    _after_activation(state, lot)


def activate_now(state: State, lot: Lot) -> int:
    """Activate a pending lot ahead of its time (an order confirmed early); returns the
    points it made available. Its expiry stays as granted, so its spending order holds."""
    if lot.state != "pending":
        return 0
    lot.activates_at = state.now
    activate_lot(state, lot)
    return lot.remaining


def settle_debt(state: State, member_id: str) -> None:
    """Points that become free while a member owes points repay the debt first."""
    member = state.members[member_id]
    if member.debt <= 0:
        return
    for lot in spendable_lots(state, member_id):
        take = min(member.debt, lot.free)
        if take:
            lot.remaining -= take
            member.debt -= take
            if lot.remaining == 0:
                lot.state = "depleted"
        if member.debt == 0:
            break


def earmark(state: State, member_id: str, points: int) -> list[list]:
    """Reserve `points` on lots in consumption order; the caller checked availability."""
    allocations = []
    left = points
    for lot in spendable_lots(state, member_id):
        take = min(left, lot.free)
        if take:
            lot.reserved += take
            allocations.append([lot.lot_id, take])
            left -= take
        if not left:
            break
    if left:
        raise AssertionError("earmark beyond available points")
    return allocations


def consume_earmarked(state: State, allocations: list[list], points: int) -> list[Slice]:
    """Spend `points` of earmarked allocations (in order); un-earmark the rest."""
    slices, left = [], points
    for lot_id, reserved in allocations:
        lot = state.lots[lot_id]
        take = min(left, reserved)
        lot.reserved -= reserved
        if take:
            lot.remaining -= take
            slices.append(Slice(lot_id, take, lot.expires_at))
            left -= take
        _settle_lot(state, lot)
    return slices


def unearmark(state: State, allocations: list[list]) -> None:
    for lot_id, reserved in allocations:
        lot = state.lots[lot_id]
        lot.reserved -= reserved
        _settle_lot(state, lot)


def _settle_lot(state: State, lot: Lot) -> None:
    """After earmarks drop: freed points on an expired lot expire now; empty lots deplete."""
    if lot.state == "expired" or (lot.expires_at is not None and lot.expires_at <= state.now):
        free = lot.free
        if free:
            lot.remaining -= free
            state.ledger.transfer(
                "expire", member_account(lot.member_id), EXPIRY, free, state.now, lot=lot.lot_id
            )
            state.record(lot.member_id, "expire", -free, lot.lot_id)
        lot.state = "expired"
    elif lot.remaining == 0 and lot.state == "active":
        lot.state = "depleted"


def spend_free(state: State, member_id: str, points: int) -> tuple[list[Slice], int]:
    """Take up to `points` of unreserved points now; returns the slices and the shortfall."""
    slices, left = [], points
    for lot in spendable_lots(state, member_id):
        take = min(left, lot.free)
        if take:
            lot.remaining -= take
            slices.append(Slice(lot.lot_id, take, lot.expires_at))
            left -= take
            if lot.remaining == 0:
                lot.state = "depleted"
        if not left:
            break
    return slices, left


def revoke(state: State, member_id: str, points: int, own_lot_id: str | None, ref: str) -> int:
    """Claw back up to `points` unreserved points; the order's own lot first. Returns the gap."""
    left = points
    account = member_account(member_id)
    own = state.lots.get(own_lot_id) if own_lot_id else None
    if own is not None and own.state == "pending" and own.remaining:
        take = min(left, own.remaining)
        own.remaining -= take
        state.ledger.void_pending(_pending_id(own), take, "revoke", state.now, ref=ref)
        left -= take
    candidates = spendable_lots(state, member_id)
    if own is not None and own.state == "active":
        rest = (lot for lot in candidates if lot is not own)
        candidates = itertools.chain((own,), rest)
    for lot in candidates:
        if not left:
            break
        take = min(left, lot.free)
        if take:
            lot.remaining -= take
            state.ledger.transfer("revoke", account, ISSUANCE, take, state.now, ref=ref)
            left -= take
            if lot.remaining == 0:
                lot.state = "depleted"
    return left


def restore(state: State, member_id: str, slices: list[Slice], points: int, ref: str) -> None:
    """Give back `points` of spent slices as lots that keep the original expiry."""
    left = points
    fresh = state.config.restore_expiry == "fresh"
    for piece in slices:
        if not left:
            break
        take = min(left, piece.amount)
        expires = None if fresh else piece.expires_at
        grant(
            state,
            member_id,
            take,
            "restore",
            ref,
            from_account=REDEMPTION,
            kind="restore",
            expires_at=expires,
            program_expiry=fresh,
        )
        left -= take
    if left:  # points spent while in debt have no slices; restore them without expiry
        grant(state, member_id, left, "restore", ref, from_account=REDEMPTION, kind="restore")


def expire_lot(state: State, lot: Lot) -> None:
    """At `expires_at` the unreserved part expires; the reserved part waits for its hold."""
    if lot.state not in ("active", "depleted"):
        return
    lot.state = "expired"
    _settle_lot(state, lot)


def spend(
    state: State, member_id: str, points: int, ref: str, allow_debt: bool = False
) -> tuple[list[Slice], int]:
    """One-phase spend of `points` (the caller checked availability unless debt is allowed).

    Returns the lot slices taken and the debt created by a shortfall.
    """
    slices, short = spend_free(state, member_id, points)
    if short and not allow_debt:
        raise AssertionError("spend beyond available points")
    state.ledger.transfer(
        "spend", member_account(member_id), REDEMPTION, points, state.now, ref=ref
    )
    if short:
        state.members[member_id].debt += short
    state.record(member_id, "redeem", -points, ref)
    return slices, short
