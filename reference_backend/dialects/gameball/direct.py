"""transactions/redeem and transactions/cashback: spend or earn without the order API."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import EngineError, Order
from . import qr, store
from .auth import Caller, guard
from .convert import numeric_id, points_value, stamp, to_major, to_minor
from .customers import active_member, ensure_customer
from .errors import GameballError
from .orders import find_order, hold_error
from .schemas import CashbackRequest, Json, RedeemRequest, parse, read_json


def redeem_points(tenant: Tenant, req: RedeemRequest) -> dict[str, Any]:
    engine = tenant.engine
    customer_id, scanned = qr.split_scan(tenant, req.customerId)
    code = req.hash or scanned
    request_digest = store.digest(req.model_dump(exclude={"transactionTime"}))
    known = store.redeems(tenant).get(req.transactionId)
    if known is not None:  # a retry: same content replays, other content is a duplicate id
        if known["digest"] != request_digest:
            raise GameballError(9004, f"Transaction id {req.transactionId!r} already exists")
        return known["response"]
    if find_order(tenant, req.transactionId) is not None:
        raise GameballError(9004, f"Transaction id {req.transactionId!r} already exists")
    active_member(engine, customer_id)
    given = [x for x in (req.amount, req.points, req.holdReference) if x is not None]
    if len(given) != 1:
        raise GameballError(
            3000 if not given else 3003, "Provide exactly one of amount, points or holdReference"
        )
    if code:
        qr.check_hash(tenant, customer_id, code)
    if req.holdReference is not None:  # a blank one names no hold: 9006, never the amount path
        points, money = _redeem_hold(tenant, customer_id, req.holdReference, req.transactionId)
    else:
        if req.points is not None:
            points = req.points
            money = engine.config.value_of_points(points)
        elif req.amount is not None:
            money = to_minor(engine.config, req.amount, "amount")
            points = engine.config.points_to_cover(money)
        else:  # `given` above holds exactly one of the three
            raise AssertionError("redeem without points, amount or holdReference")
        _spend(tenant, customer_id, points, req.transactionId)
    if code:
        qr.burn_hash(tenant, customer_id, code)
    response = {
        "customerId": customer_id,
        "gameballTransactionId": str(numeric_id("redeem", req.transactionId)),
        "transactionId": req.transactionId,
        "redeemAmount": to_major(engine.config, money),
        "redeemEquivalentPoints": points,
        "reason": req.reason or "",
    }
    store.redeems(tenant)[req.transactionId] = {
        "customerId": customer_id,
        "points": points,
        "money": money,
        "refunded": 0,
        "at": stamp(engine.now()),
        "digest": request_digest,
        "response": response,
    }
    return response


def _spend(tenant: Tenant, customer_id: str, points: int, transaction_id: str) -> None:
    cfg = tenant.engine.config
    if points < cfg.min_redeem_points:
        raise GameballError(3003, f"Redeem at least {cfg.min_redeem_points} points")
    try:
        tenant.engine.redeem_points(customer_id, points, redemption_id=transaction_id)
    except EngineError as exc:
        raise GameballError.from_engine(exc) from exc


def _redeem_hold(
    tenant: Tenant, customer_id: str, hold_id: str, transaction_id: str
) -> tuple[int, int]:
    """Capture the whole hold as one reversible redemption (the hold shows as "used")."""
    engine = tenant.engine
    try:
        redemption = engine.redeem_points(
            customer_id, redemption_id=transaction_id, order_id=transaction_id, hold_id=hold_id
        ).value
    except EngineError as exc:
        raise hold_error(exc, hold_id) from exc
    hold = engine.hold(hold_id)
    money = hold.amount_minor
    points = redemption.points
    return points, engine.config.value_of_points(points) if money is None else money


def grant_cashback(tenant: Tenant, req: CashbackRequest) -> dict[str, Any]:
    """Earn on an amount, recorded as an order so the refund endpoint can reverse it."""
    engine = tenant.engine
    request_digest = store.digest(req.model_dump(exclude={"transactionTime"}))
    existing = find_order(tenant, req.transactionId)
    replay = existing is not None and existing.attributes.get("gameball", {}).get("digest")
    if existing is not None and replay == request_digest:
        return _cashback_response(tenant, existing)  # a retry replays
    if existing is not None or req.transactionId in store.redeems(tenant):
        raise GameballError(9004, f"Transaction id {req.transactionId!r} already exists")
    member = ensure_customer(engine, req.customerId, req.email, req.mobile)
    amount = to_minor(engine.config, req.amount, "amount")
    window = req.configurations.returnWindow if req.configurations else None
    meta = req.model_dump(include={"merchant"}, exclude_none=True)
    meta.update(kind="cashback", transactionTime=stamp(req.transactionTime), digest=request_digest)
    try:
        order = engine.record_order(
            req.transactionId,
            member.member_id,
            amount,
            paid_amount=amount,
            return_window_days=window,
            attributes={"gameball": meta},
        ).value
    except EngineError as exc:
        if exc.code == "order_conflict":
            message = f"Transaction id {req.transactionId!r} already exists"
            raise GameballError(9004, message) from exc
        raise GameballError.from_engine(exc) from exc
    return _cashback_response(tenant, order)


def _cashback_response(tenant: Tenant, order: Order) -> dict[str, Any]:
    return {
        "customerId": order.member_id,
        "gameballTransactionId": numeric_id("order", order.order_id),
        "rewardAmount": points_value(tenant.engine.config, order.points_earned),
        "rewardEquivalentPoints": order.points_earned,
    }


# -- handlers ---------------------------------------------------------------------------
async def redeem(request: Request, caller: Caller = Depends(guard("transactions", True))) -> Json:
    req = parse(RedeemRequest, await read_json(request), precondition=("customerId",))
    return redeem_points(caller.tenant, req)


async def cashback(request: Request, caller: Caller = Depends(guard("transactions", True))) -> Json:
    req = parse(CashbackRequest, await read_json(request), precondition=("customerId",))
    return grant_cashback(caller.tenant, req)
