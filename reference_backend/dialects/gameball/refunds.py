"""transactions/refund: reverse an order, a direct cashback or a direct redeem.

Money decides: no refundAmount (or null, or at least what is left) refunds the rest; a
smaller amount is a partial refund, repeatable. By default (Gameball's refund guide) a
refund covers the money paid first, reversing earned points, then the money value of the
redeemed points, giving them back; a program with `refund_allocation: proportional` moves
both in proportion instead. Points follow on cumulative floor arithmetic, so the last
refund settles exactly.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import EngineError, Order, Refund
from . import store
from .auth import Caller, guard
from .convert import numeric_id, to_major, to_minor
from .customers import customer_id_of
from .errors import GameballError
from .schemas import Json, LineItem, RefundRequest, parse, read_json


def refund_transaction(tenant: Tenant, req: RefundRequest) -> dict[str, Any]:
    request_digest = store.digest(req.model_dump(exclude={"transactionTime"}))
    seen = store.refunds(tenant).get(req.refundTransactionId)
    if seen is not None:  # a retry: same content replays, other content is a duplicate id
        if seen[0] != request_digest:
            raise GameballError(9004, f"Refund id {req.refundTransactionId!r} already exists")
        return seen[1]
    target = req.reverseTransactionId
    if target in store.redeems(tenant):
        response = _refund_redeem(tenant, req)
    else:
        response = _refund_order(tenant, req, _find_order(tenant, target))
    store.refunds(tenant)[req.refundTransactionId] = (request_digest, response)
    return response


def _find_order(tenant: Tenant, order_id: str) -> Order:
    try:
        return tenant.engine.order(order_id)
    except EngineError as exc:
        raise GameballError(9005, f"Transaction {order_id!r} to reverse was not found") from exc


def _present(refund_id: str, money: float, points: int) -> dict[str, Any]:
    return {
        "gameballTransactionId": str(numeric_id("refund", refund_id)),
        "refundTransactionId": refund_id,
        "refundAmount": money,
        "refundEquivalentPoints": points,
    }


def _present_engine(tenant: Tenant, record: Refund) -> dict[str, Any]:
    moved = record.points_revoked + record.points_uncollectable + record.points_restored
    money = record.amount + record.points_value  # cash, then the points' money value
    return _present(record.refund_id, to_major(tenant.engine.config, money), moved)


def _refund_order(tenant: Tenant, req: RefundRequest, order: Order) -> dict[str, Any]:
    engine = tenant.engine
    if order.member_id != customer_id_of(engine, req.customerId):
        raise GameballError(9005, "The transaction to reverse belongs to another customer")
    prior = {r.refund_id: r for r in engine.order_refunds(order.order_id)}
    if req.refundTransactionId in prior:  # replay after the dialect store was cleared
        return _present_engine(tenant, prior[req.refundTransactionId])
    if order.state == "refunded":
        raise GameballError(9001, f"Transaction {order.order_id!r} is already fully refunded")
    lines = _engine_lines(order, req.lineItems or []) if order.lines else []
    amount = None
    if not lines and req.refundAmount is not None:
        amount = to_minor(engine.config, req.refundAmount, "refundAmount")
        if amount == 0:
            raise GameballError(3003, "refundAmount is below the smallest currency unit")
        if amount >= order.refund_left:
            amount = None  # Gameball caps a refund at what is left
    try:
        record = engine.refund(
            order.order_id,
            req.refundTransactionId,
            amount=amount,
            lines=lines or None,
            member_id=order.member_id,
        ).value
    except EngineError as exc:
        if exc.code == "refund_conflict":
            message = f"Refund id {req.refundTransactionId!r} already exists"
            raise GameballError(9004, message) from exc
        raise GameballError.from_engine(exc) from exc
    return _present_engine(tenant, record)


def _engine_lines(order: Order, items: list[LineItem]) -> list[dict[str, int]]:
    """Refunded items matched to order lines by sku or productId."""
    keys = order.attributes.get("gameball", {}).get("lineKeys", [])
    lines = []
    for item in items:
        index = _line_index(order, keys, item)
        whole = float(keys[index]["quantity"]).is_integer() if index < len(keys) else True
        if not whole:  # a fractional line (0.5 kg) is refunded as its single unit
            quantity = 1
        elif float(item.quantity).is_integer():
            quantity = int(item.quantity)
        else:
            raise GameballError(3003, f"lineItems: quantity {item.quantity} is not whole")
        lines.append({"line": index, "quantity": quantity})
    return lines


def _line_index(order: Order, keys: list[dict], item: LineItem) -> int:
    wanted = {x for x in (item.sku, item.productId) if x}
    for index, line in enumerate(order.lines):
        key = keys[index] if index < len(keys) else {}
        if wanted & {line.sku, key.get("sku"), key.get("productId")}:
            return index
    raise GameballError(3003, f"lineItems: {item.key!r} is not a line of the order")


def _refund_redeem(tenant: Tenant, req: RefundRequest) -> dict[str, Any]:
    """Give back redeemed points in proportion to the money refunded (cumulative, floored)."""
    engine = tenant.engine
    record = store.redeems(tenant)[req.reverseTransactionId]
    if record["customerId"] != customer_id_of(engine, req.customerId):
        raise GameballError(9005, "The transaction to reverse belongs to another customer")
    left = record["money"] - record["refunded"]
    if left <= 0:
        raise GameballError(9001, f"Transaction {req.reverseTransactionId!r} is already refunded")
    amount = left
    if req.refundAmount is not None:
        amount = min(left, to_minor(engine.config, req.refundAmount, "refundAmount"))
        if amount == 0:
            raise GameballError(3003, "refundAmount is below the smallest currency unit")
    after = record["refunded"] + amount
    points, money = record["points"], record["money"]
    target = points if after >= money else points * after // money
    reversed_so_far = engine.redemption(req.reverseTransactionId).reversed
    give_back = target - reversed_so_far
    if give_back:
        engine.reverse_redemption(req.reverseTransactionId, give_back)
    record["refunded"] = after
    record.setdefault("refunds", []).append(
        {"id": req.refundTransactionId, "money": amount, "points": give_back, "at": engine.now()}
    )
    return _present(req.refundTransactionId, to_major(engine.config, amount), give_back)


# -- handlers ---------------------------------------------------------------------------
async def refund(request: Request, caller: Caller = Depends(guard("transactions", True))) -> Json:
    req = parse(RefundRequest, await read_json(request), precondition=("customerId",))
    return refund_transaction(caller.tenant, req)
