"""Orders: one earn per (merchant, order id), with hold capture, voucher burns and referral.

Every check runs before the first change, so an order either happens whole or not at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import holds, points, referrals, vouchers
from .errors import EngineError, invalid, require_int
from .model import Order, OrderLine
from .state import State, fingerprint

REFUND_ALLOCATIONS = ("proportional", "cash_first")


def _int(value: Any, name: str, minimum: int = 0) -> int:
    return require_int(value, name, minimum, f"{name} must be an integer >= {minimum}")


def parse_lines(lines) -> list[OrderLine]:
    parsed = []
    for i, line in enumerate(lines or ()):
        if isinstance(line, OrderLine):
            line = vars(line)
        if not isinstance(line, dict) or not line.get("sku"):
            raise invalid(f"line {i} needs a sku", field=f"lines[{i}]")
        parsed.append(
            OrderLine(
                sku=str(line["sku"]),
                quantity=_int(line.get("quantity", 1), f"lines[{i}].quantity", 1),
                unit_price=_int(line.get("unit_price", 0), f"lines[{i}].unit_price"),
                name=line.get("name"),
                category=line.get("category"),
            )
        )
    return parsed


def get_order(state: State, order_id: str, merchant_id: str = "") -> Order:
    order = state.orders.get((merchant_id, order_id))
    if order is None:
        raise EngineError("order_not_found", f"order {order_id!r} not found")
    return order


def record_order(
    state: State,
    order_id: str,
    member_id: str,
    total_amount: int,
    paid_amount: int | None = None,
    lines=(),
    merchant_id: str = "",
    hold_id: str | None = None,
    redeem_points: int | None = None,
    voucher_codes=(),
    voucher_reservations: dict[str, str] | None = None,
    referral_code: str | None = None,
    return_window_days: int | None = None,
    earn_points: int | None = None,
    attributes: dict | None = None,
    refund_allocation: str | None = None,
) -> tuple[Order, bool]:
    """Record a completed sale. Returns (order, replayed).

    `refund_allocation` (see ProgramConfig) is fixed on the order when it is recorded, so
    its refunds follow the rule it was sold under."""
    refund_allocation = refund_allocation or state.config.refund_allocation or "proportional"
    if refund_allocation not in REFUND_ALLOCATIONS:
        raise invalid("refund allocation is proportional or cash_first", field="refund_allocation")
    if not isinstance(order_id, str) or not order_id.strip():
        raise invalid("order id is required", field="order_id")
    total = _int(total_amount, "total_amount")
    paid = total if paid_amount is None else _int(paid_amount, "paid_amount")
    parsed = parse_lines(lines)
    if redeem_points is not None:
        _int(redeem_points, "redeem_points", 1)
    if earn_points is not None:
        _int(earn_points, "earn_points")
    if return_window_days is not None:
        _int(return_window_days, "return_window_days")
    codes = [str(c) for c in voucher_codes or ()]
    held = dict(voucher_reservations or {})  # code -> the checkout's reservation id
    if set(held) - set(codes):
        raise invalid("a reservation names a voucher the order does not use", field="vouchers")
    if len(set(codes)) != len(codes):
        raise invalid("a voucher code appears twice", field="vouchers")
    fp = fingerprint(
        [
            member_id,
            total,
            paid,
            [vars(x) for x in parsed],
            hold_id,
            redeem_points,
            codes,
            referral_code,
            return_window_days,
            earn_points,
        ]
    )
    existing = state.orders.get((merchant_id, order_id))
    if existing is not None:
        if existing.fingerprint == fp:
            return existing, True
        raise EngineError("order_conflict", f"order {order_id!r} exists with other content")

    # not found, then member state, then resource state, then rule limits (B9 precedence)
    member = state.member(member_id)
    hold = holds.get_hold(state, hold_id) if hold_id else None
    found = [vouchers.get_voucher(state, code) for code in codes]
    referrer_id = referrals.referrer_for_code(state, referral_code) if referral_code else None
    if not member.active:
        raise EngineError("member_blocked", f"member {member_id!r} is inactive")
    capture_amount = 0
    if hold is not None:
        if hold.member_id != member_id:
            raise EngineError("hold_member_mismatch", "the hold belongs to another member")
        capture_amount = holds.check_capturable(state, hold, redeem_points)
    for voucher in found:
        reservation = held.get(voucher.code)
        if reservation is not None and not vouchers.is_live(voucher, reservation):
            raise EngineError("voucher_not_reserved", f"no live reservation {reservation!r}")
        vouchers.check_usable(state, voucher, member_id, reservation_id=reservation)
    referral = referrals.check_order_referral(state, member_id, referrer_id, referral_code)
    if hold is None and redeem_points:
        holds.check_available(state, member_id, redeem_points)

    now = state.now
    order = Order(
        order_id=order_id,
        merchant_id=merchant_id,
        member_id=member_id,
        created_at=now,
        total_amount=total,
        paid_amount=paid,
        lines=parsed,
        fingerprint=fp,
        hold_id=hold_id,
        vouchers=codes,
        attributes=dict(attributes or {}),
        refund_allocation=refund_allocation,
    )
    if hold is not None:
        order.redeemed_slices = holds.capture(state, hold, capture_amount, order_id)
        order.points_redeemed = capture_amount
    elif redeem_points:
        order.redeemed_slices, _ = points.spend(state, member_id, redeem_points, order_id)
        order.points_redeemed = redeem_points
    if refund_allocation == "cash_first":
        order.redeemed_value = state.config.value_of_points(order.points_redeemed)
    for voucher in found:
        vouchers.burn(state, voucher, member_id, order_id, reservation_id=held.get(voucher.code))
    earned = state.config.points_for_amount(paid) if earn_points is None else earn_points
    if earned:
        window = (
            state.config.return_window_days if return_window_days is None else return_window_days
        )
        lot = points.grant(
            state,
            member_id,
            earned,
            "order",
            order_id,
            activates_at=now + timedelta(days=window) if window else None,
        )
        order.lot_id, order.points_earned = lot.lot_id, earned
        member.lifetime_earned += earned
        state.record(member_id, "earn", earned, order_id, pending=lot.state == "pending")
    member.spend_net_minor += paid
    state.orders[(merchant_id, order_id)] = order
    state.member_orders.setdefault(member_id, []).append((merchant_id, order_id))
    if referral is not None:
        referrals.reward(state, referral, order)
    return order, False


def quote_points(state: State, paid_amount: int) -> int:
    """What a sale would earn, with no side effect (previews)."""
    return state.config.points_for_amount(_int(paid_amount, "amount"))
