"""transactions/manual (an admin's points reward or deduction) and
transactions/{id}/activate (pending points of an order made available at once)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import Field

from ...control.tenants import Tenant
from ...engine import EngineError
from . import store
from .auth import Caller, guard
from .convert import numeric_id, points_value, to_minor
from .customers import active_member
from .errors import GameballError
from .orders import find_order
from .schemas import Id, Json, Lenient, OptId, parse, read_json


class ManualRequest(Lenient):
    customerId: Id
    transactionId: Id
    username: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]
    transactionTime: str | None = None
    points: int | None = None  # negative deducts
    amount: Annotated[float, Field(allow_inf_nan=False)] | None = None  # negative deducts
    expiryAfter: Annotated[int, Field(ge=0)] | None = None
    email: str | None = None
    mobile: OptId = None


def manual(tenant: Tenant, req: ManualRequest) -> dict[str, Any]:
    engine = tenant.engine
    given = [x for x in (req.points, req.amount) if x is not None]
    if len(given) != 1:
        raise GameballError(3000 if not given else 3003, "Provide exactly one of points or amount")
    txid = req.transactionId
    if txid in store.manual(tenant) or txid in store.redeems(tenant) or find_order(tenant, txid):
        raise GameballError(9004, f"Transaction id {txid!r} already exists")
    member = active_member(engine, req.customerId)
    points = req.points if req.points is not None else _points_for(tenant, req.amount or 0)
    if points == 0:
        raise GameballError(3003, "points (or the points the amount is worth) must not be 0")
    try:
        if points > 0:
            engine.earn(member.member_id, points, source="manual", ref=txid)
        else:
            engine.adjust(member.member_id, points, reason=txid)
    except EngineError as exc:
        raise GameballError.from_engine(exc) from exc
    money = req.amount if req.amount is not None else points_value(engine.config, points)
    response = {
        "customerId": member.member_id,
        "gameballTransactionId": numeric_id("manual", txid),
        "transactionId": txid,
        "points": points,
        "amount": money,
    }
    store.manual(tenant)[txid] = {"customerId": member.member_id, "points": points}
    return response


def _points_for(tenant: Tenant, amount: float) -> int:
    """An amount earns (or takes back) what a purchase of that amount would earn."""
    config = tenant.engine.config
    points = config.points_for_amount(to_minor(config, abs(amount), "amount"))
    return -points if amount < 0 else points


def activate(tenant: Tenant, transaction_id: str) -> dict[str, Any]:
    """Pending points of an order or direct cashback become available now (once)."""
    if find_order(tenant, transaction_id) is None:
        raise GameballError(9002, f"Transaction {transaction_id!r} not found")
    activated = tenant.engine.activate_order_points(transaction_id)
    return {
        "pointsActivated": activated,
        "gameballTransactionId": numeric_id("order", transaction_id),
        "clientTransactionId": transaction_id,
    }


# -- handlers ---------------------------------------------------------------------------
async def manual_transaction(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    req = parse(ManualRequest, await read_json(request), precondition=("customerId",))
    return manual(caller.tenant, req)


async def activate_transaction(
    transactionId: str, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return activate(caller.tenant, transactionId)
