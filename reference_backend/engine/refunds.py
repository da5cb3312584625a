"""Refunds: full, partial, repeated, by amount or by lines; points follow the money.

Points revoked and restored are computed on cumulative totals with floor arithmetic, so
any sequence of partial refunds ends exactly where one full refund would.
"""

from __future__ import annotations

from typing import Any

from . import points, referrals, vouchers
from .errors import EngineError, invalid, is_int, require_int
from .ledger import ISSUANCE, member_account
from .model import Order, Refund
from .orders import get_order
from .state import State, fingerprint


def _parse_lines(order: Order, lines) -> list[list[int]]:
    """Refund lines name an order line by index or by sku; quantities are positive."""
    parsed: dict[int, int] = {}
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            raise invalid(f"refund line {i} must be an object", field=f"lines[{i}]")
        qty = line.get("quantity", 1)
        message = "refund quantity must be a positive integer"
        require_int(qty, f"lines[{i}]", message=message)
        index = line.get("line")
        if index is None:
            sku = line.get("sku")
            matches = [n for n, ol in enumerate(order.lines) if ol.sku == sku]
            if not matches:
                raise invalid(f"the order has no line with sku {sku!r}", field=f"lines[{i}]")
            index = matches[0]
        if not isinstance(index, int) or not 0 <= index < len(order.lines):
            raise invalid(f"the order has no line {index!r}", field=f"lines[{i}]")
        parsed[index] = parsed.get(index, 0) + qty
    return [[k, v] for k, v in sorted(parsed.items())]


def _line_refund_amount(order: Order, lines: list[list[int]]) -> int:
    """Money for refunded lines, scaled from line prices to what the order can refund."""
    lines_total = sum(line.total for line in order.lines)
    value = sum(order.lines[i].unit_price * q for i, q in lines)
    value_after = order.refunded_line_value + value
    if lines_total == 0:
        return 0
    if value_after >= lines_total:  # every line back: settle exactly
        return order.refund_left
    base = order.refundable_total
    return base * value_after // lines_total - base * order.refunded_line_value // lines_total


def refund(
    state: State,
    order_id: str,
    refund_id: str,
    amount: int | None = None,
    lines=None,
    member_id: str | None = None,
    merchant_id: str = "",
) -> tuple[Refund, bool]:
    """Refund part or all of an order. Returns (refund, replayed)."""
    if not isinstance(refund_id, str) or not refund_id.strip():
        raise invalid("refund id is required", field="refund_id")
    if amount is not None and not is_int(amount):
        raise invalid("refund amount must be an integer of minor units", field="amount")
    if amount is not None and amount <= 0:
        raise invalid("refund amount must be positive", field="amount")
    if amount is not None and lines:
        raise invalid("give an amount or lines, not both")
    fp = fingerprint([order_id, amount, lines, member_id])
    existing = state.refunds.get((merchant_id, refund_id))
    if existing is not None:
        if existing.fingerprint == fp:
            return existing, True
        raise EngineError("refund_conflict", f"refund {refund_id!r} exists with other content")
    order = get_order(state, order_id, merchant_id)
    if order.state == "refunded":
        raise EngineError("order_already_refunded", f"order {order_id!r} is fully refunded")
    if member_id is not None and member_id != order.member_id:
        raise EngineError("order_member_mismatch", "the order belongs to another member")
    parsed = _parse_lines(order, lines) if lines else []
    for index, qty in parsed:
        left = order.lines[index].quantity - order.refunded_qty.get(index, 0)
        if qty > left:
            raise EngineError(
                "refund_quantity_exceeds_purchased",
                f"line {index}: {qty} asked, {left} left to refund",
                line=index,
            )
    left = order.refund_left
    if parsed:
        money = _line_refund_amount(order, parsed)
    elif amount is not None:
        money = amount
    else:
        money = left
    if money > left:
        raise EngineError("refund_exceeds_paid", f"only {left} left to refund", remaining=left)
    cash = min(money, order.paid_amount - order.refunded_amount)  # cash_first: cash, then points

    record = Refund(
        refund_id=refund_id,
        order_id=order_id,
        merchant_id=merchant_id,
        member_id=order.member_id,
        created_at=state.now,
        amount=cash,
        lines=parsed,
        fingerprint=fp,
        points_value=money - cash,
    )
    _apply(state, order, record, parsed)
    state.refunds[(merchant_id, refund_id)] = record
    return record, False


def _apply(state: State, order: Order, record: Refund, lines: list[list[int]]) -> None:
    member = state.members[order.member_id]
    order.refunded_amount += record.amount
    for index, qty in lines:
        order.refunded_qty[index] = order.refunded_qty.get(index, 0) + qty
        order.refunded_line_value += order.lines[index].unit_price * qty
    order.refund_ids.append(record.refund_id)
    order.refunded_points_value += record.points_value
    full = order.refund_left == 0
    revoke_target, restore_target = point_targets(order)
    revoke_now = revoke_target - order.points_revoked - order.points_uncollectable
    if revoke_now:
        gap = points.revoke(state, order.member_id, revoke_now, order.lot_id, record.refund_id)
        uncollectable = gap
        if gap and state.config.negative_balance_policy == "allow":
            account = member_account(order.member_id)
            state.ledger.transfer("revoke", account, ISSUANCE, gap, state.now, ref=record.refund_id)
            member.debt += gap
            record.debt_created, uncollectable = gap, 0
        record.points_revoked = revoke_now - uncollectable
        record.points_uncollectable = uncollectable
        order.points_revoked += record.points_revoked
        order.points_uncollectable += uncollectable
        member.lifetime_earned -= record.points_revoked
        state.record(order.member_id, "revoke", -record.points_revoked, record.refund_id)
    restore_now = restore_target - order.points_restored
    if restore_now:
        points.restore(state, order.member_id, _unrestored(order), restore_now, record.refund_id)
        order.points_restored += restore_now
        record.points_restored = restore_now
        state.record(order.member_id, "restore", restore_now, record.refund_id)
    member.spend_net_minor -= record.amount
    order.state = "refunded" if full else "partially_refunded"
    if full:
        if state.config.voucher_reinstate_on_full_refund:
            for code in order.vouchers:
                if vouchers.reinstate(state, code, order.order_id):
                    record.vouchers_reinstated.append(code)
        referrals.clawback(state, order)


def point_targets(order: Order) -> tuple[int, int]:
    """(earned points revoked, redeemed points restored) that the refunds so far call for.

    Cumulative and floored, so a sequence of partial refunds ends exactly where one full
    refund would. Earned points follow the cash refunded; redeemed points follow the cash
    (proportional) or the points' money value refunded (cash_first).
    """
    if not order.refund_ids:
        return 0, 0
    earned, redeemed, paid = order.points_earned, order.points_redeemed, order.paid_amount
    if order.refund_left == 0:
        return earned, redeemed
    cash = order.refunded_amount
    # a partial refund leaves cash to refund, except under cash_first, so paid > 0 here
    revoke = earned if cash == paid else earned * cash // paid
    if order.refund_allocation != "cash_first":
        return revoke, redeemed * cash // paid
    value, done = order.redeemed_value, order.refunded_points_value
    if done == value:  # points worth under one minor unit come back with the full refund
        return revoke, 0
    return revoke, redeemed * done // value


def _unrestored(order: Order):
    """The spent slices not yet given back, in consumption order."""
    skip = order.points_restored
    out = []
    for piece in order.redeemed_slices:
        if skip >= piece.amount:
            skip -= piece.amount
            continue
        out.append(type(piece)(piece.lot_id, piece.amount - skip, piece.expires_at))
        skip = 0
    return out


def refunds_of(state: State, order: Order) -> list[Refund]:
    return [state.refunds[(order.merchant_id, rid)] for rid in order.refund_ids]


def summary(record: Refund) -> dict[str, Any]:
    return {
        "refund_id": record.refund_id,
        "order_id": record.order_id,
        "amount": record.amount,
        "points_revoked": record.points_revoked,
        "points_restored": record.points_restored,
        "points_uncollectable": record.points_uncollectable,
        "debt_created": record.debt_created,
    }
