"""Track order: earn on totalPaid, redeem through a hold, referral on the first purchase."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import EngineError, Order
from . import coupons as coupon_api
from . import store
from .auth import Caller, guard
from .config import get_config, refund_allocation
from .convert import stamp, to_minor
from .customers import ensure_customer, usable_referrer
from .errors import GameballError
from .program import share_points
from .schemas import Json, LineItem, OrderRequest, parse, read_json

_HOLD_ERRORS = {
    "hold_not_found": "not found",
    "hold_expired": "expired",
    "hold_already_captured": "already used",
    "hold_already_released": "already released or used",
    "hold_member_mismatch": "for another customer",
}


def _failing_coupon(tenant: Tenant, codes: list[str], member_id: str) -> str | None:
    """Which coupon made the order fail (read-only; only used to word the error)."""
    for code in codes:
        try:
            tenant.engine.validate_voucher(code, member_id)
        except EngineError:
            return code
    return None


def engine_lines(tenant: Tenant, items: list[LineItem]) -> list[dict[str, Any]]:
    """Engine lines need whole quantities; a fractional one (0.5 kg) becomes one line unit."""
    cfg = tenant.engine.config
    lines = []
    for item in items:
        whole = float(item.quantity).is_integer()
        quantity = int(item.quantity) if whole else 1
        unit = item.price if whole else item.price * item.quantity
        category = item.category[0] if item.category else None
        lines.append(
            {
                "sku": item.key,
                "quantity": quantity,
                "unit_price": to_minor(cfg, unit, "lineItems.price"),
                "name": item.title,
                "category": category,
            }
        )
    return lines


def _attributes(req: OrderRequest, request_digest: str) -> dict[str, Any]:
    meta = req.model_dump(
        exclude={"customerId", "orderId", "lineItems", "email", "mobile"}, exclude_none=True
    )
    meta["orderDate"] = stamp(req.orderDate)
    meta["kind"] = "order"
    meta["digest"] = request_digest
    meta["lineKeys"] = [
        {"sku": i.sku, "productId": i.productId, "quantity": i.quantity, "discount": i.discount}
        for i in req.lineItems or ()
    ]
    return {"gameball": meta}


def find_order(tenant: Tenant, order_id: str) -> Order | None:
    try:
        return tenant.engine.order(order_id)
    except EngineError:
        return None


def record(tenant: Tenant, req: OrderRequest) -> dict[str, Any]:
    """A re-sent orderId is 9004, as Gameball's POS guide says (GET orders/{id}/transactions
    tells a till what the first attempt did). With `order_replay` set, an identical retry
    replays the first result instead; other content is still 9004."""
    engine = tenant.engine
    cfg = engine.config
    request_digest = store.digest(req.model_dump(exclude={"orderDate"}))
    existing = find_order(tenant, req.orderId)
    if existing is not None:
        same = existing.attributes.get("gameball", {}).get("digest") == request_digest
        if not (same and get_config(tenant).order_replay):
            raise GameballError(9004, f"Order id {req.orderId!r} already exists")
        return present(tenant, existing)
    paid = to_minor(cfg, req.totalPaid, "totalPaid")
    total = paid if req.totalPrice is None else to_minor(cfg, req.totalPrice, "totalPrice")
    if req.orderId in store.redeems(tenant):
        raise GameballError(9004, f"Transaction id {req.orderId!r} already exists")
    member = ensure_customer(engine, req.customerId, req.email, req.mobile)
    window = req.cashbackConfigurations.returnWindow if req.cashbackConfigurations else None
    hold_id = req.redemption.pointsHoldReference if req.redemption else None
    coupons = list(req.redemption.couponCodes or ()) if req.redemption else []
    lock_id = req.redemption.couponsLockReference if req.redemption else None
    locked = coupon_api.locked_coupons(tenant, lock_id, member.member_id) if lock_id else {}
    coupons += [code for code in locked if code not in coupons]
    fields: dict[str, Any] = dict(
        paid_amount=paid,
        lines=engine_lines(tenant, req.lineItems or []),
        hold_id=hold_id,
        voucher_codes=coupons,
        voucher_reservations=locked,
        referral_code=usable_referrer(engine, member.member_id, req.referrerCode),
        return_window_days=window,
        attributes=_attributes(req, request_digest),
        refund_allocation=refund_allocation(tenant),
    )
    try:
        try:
            outcome = engine.record_order(req.orderId, member.member_id, total, **fields)
        except EngineError as exc:
            if not exc.code.startswith("referral"):
                raise
            fields["referral_code"] = None  # a referral never blocks a sale
            outcome = engine.record_order(req.orderId, member.member_id, total, **fields)
    except EngineError as exc:
        if exc.code in coupon_api.COUPON_ERRORS:
            code = _failing_coupon(
                tenant, [c for c in coupons if c not in locked], member.member_id
            )
            raise coupon_api.coupon_error(exc, code) from exc
        raise _order_error(exc, hold_id, req.orderId) from exc
    if lock_id:
        store.coupon_locks(tenant).pop(lock_id, None)  # its coupons are used
    return present(tenant, outcome.value)


def hold_error(exc: EngineError, hold_id: str | None) -> GameballError:
    """Every reason a hold cannot be used is 9006 (Gameball has no finer code)."""
    if exc.code in _HOLD_ERRORS:
        return GameballError(9006, f"Hold reference {hold_id!r} is {_HOLD_ERRORS[exc.code]}")
    return GameballError.from_engine(exc)


def _order_error(exc: EngineError, hold_id: str | None, order_id: str) -> GameballError:
    if exc.code in _HOLD_ERRORS:
        return hold_error(exc, hold_id)
    if exc.code == "order_conflict":
        return GameballError(9004, f"Order id {order_id!r} already exists with other content")
    return GameballError.from_engine(exc)


def present(tenant: Tenant, order: Order) -> dict[str, Any]:
    """The union of the OAS and POS-guide response fields."""
    body: dict[str, Any] = {
        "customerId": order.member_id,
        "orderId": order.order_id,
        "rewardedPoints": order.points_earned,
        "pointsEarned": order.points_earned,
        "redeemedPoints": order.points_redeemed,
        "pointsRedeemed": order.points_redeemed,
        "status": "completed",
    }
    if order.lines:
        body["lineItems"] = _present_lines(tenant, order)
    return body


def _present_lines(tenant: Tenant, order: Order) -> list[dict[str, Any]]:
    keys = list(order.attributes.get("gameball", {}).get("lineKeys", []))
    cfg = tenant.engine.config
    keys += [{}] * (len(order.lines) - len(keys))
    nets = [
        max(0, line.total - to_minor(cfg, key.get("discount") or 0, "discount"))
        for line, key in zip(order.lines, keys, strict=True)
    ]
    shares = share_points(cfg, nets, order.paid_amount)
    rows = []
    for line, key, (decimal, points) in zip(order.lines, keys, shares, strict=True):
        quantity = key.get("quantity", line.quantity)
        rows.append(
            {
                "productId": key.get("productId") or line.sku,
                "quantity": int(quantity) if float(quantity).is_integer() else quantity,
                "decimalPoints": decimal,
                "points": points,
                "score": points,
            }
        )
    return rows


# -- handlers ---------------------------------------------------------------------------
async def track_order(request: Request, caller: Caller = Depends(guard("orders", True))) -> Json:
    req = parse(OrderRequest, await read_json(request), precondition=("customerId",))
    return record(caller.tenant, req)
