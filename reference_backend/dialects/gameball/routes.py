"""Gameball's POS routes. Each one: auth + rate bucket, parse the body, one module call.

The same routes are mounted under /api/v4.0, /api/v4.1 (SecretKey always required) and
/api/v4 (the prefix older Gameball pages print).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from . import customers, direct, extra_routes, history, holds, orders, program, qr, refunds
from .auth import Caller, guard
from .errors import GameballError, GameballRoute
from .schemas import (
    ActivateRequest,
    CashbackRequest,
    EventsRequest,
    HoldRequest,
    OrderRequest,
    QuoteRequest,
    RedeemRequest,
    RefundRequest,
    UpsertCustomer,
    parse,
    read_json,
)

PREFIXES = ("/api/v4.0/integrations", "/api/v4.1/integrations", "/api/v4/integrations")

routes = APIRouter(route_class=GameballRoute)
Json = dict[str, Any]


# -- customers ------------------------------------------------------------------------
@routes.post("/customers")
async def upsert_customer(
    request: Request, caller: Caller = Depends(guard("customers_write"))
) -> Json:
    req = parse(UpsertCustomer, await read_json(request))
    return customers.upsert(caller.tenant.engine, req)


@routes.get("/customers/{customerId}")
async def get_customer(customerId: str, caller: Caller = Depends(guard("customers_read"))) -> Json:
    engine = caller.tenant.engine
    return customers.profile(engine, customers.get_member(engine, customerId), with_pii=False)


@routes.get("/customers/{customerId}/details")
async def get_customer_details(
    customerId: str, caller: Caller = Depends(guard("customers_read", secret=True))
) -> Json:
    engine = caller.tenant.engine
    return customers.profile(engine, customers.get_member(engine, customerId), with_pii=True)


@routes.get("/customers/{customerId}/balance")
async def get_balance(
    customerId: str, caller: Caller = Depends(guard("customers_read", secret=True))
) -> Json:
    return customers.balance(caller.tenant.engine, customerId)


@routes.get("/customers/{customerId}/hash")
async def get_hash(
    customerId: str, caller: Caller = Depends(guard("customers_read", secret=True))
) -> Json:
    member = customers.get_member(caller.tenant.engine, customerId)
    return {"hash": qr.issue_hash(caller.tenant, member.member_id)}


@routes.put("/customers/{customerId}/activate")
async def activate_customer(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_write"))
) -> Json:
    req = parse(ActivateRequest, await read_json(request))
    return customers.set_active(caller.tenant.engine, customerId, req.isActive)


@routes.get("/customers/{customerId}/activities")
async def get_activities(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return history.activities(caller.tenant, customerId, dict(request.query_params))


@routes.get("/customers/{customerId}/referrals")
async def get_referrals(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return history.referrals(caller.tenant, customerId, dict(request.query_params))


# -- holds, refunds, direct transactions ----------------------------------------------
@routes.post("/transactions/hold")
async def create_hold(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    req = parse(HoldRequest, await read_json(request))
    return holds.create(caller.tenant, req)


@routes.get("/transactions/hold/{holdReferenceId}")
async def get_hold(
    holdReferenceId: str, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return holds.describe(caller.tenant, holdReferenceId)


@routes.delete("/transactions/hold/{holdReferenceId}")
async def release_hold(
    holdReferenceId: str, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return holds.release(caller.tenant, holdReferenceId)


@routes.post("/transactions/refund")
async def refund(request: Request, caller: Caller = Depends(guard("transactions", True))) -> Json:
    req = parse(RefundRequest, await read_json(request), precondition=("customerId",))
    return refunds.refund(caller.tenant, req)


@routes.post("/transactions/redeem")
async def redeem(request: Request, caller: Caller = Depends(guard("transactions", True))) -> Json:
    req = parse(RedeemRequest, await read_json(request), precondition=("customerId",))
    return direct.redeem(caller.tenant, req)


@routes.post("/transactions/cashback")
async def cashback(request: Request, caller: Caller = Depends(guard("transactions", True))) -> Json:
    req = parse(CashbackRequest, await read_json(request), precondition=("customerId",))
    return direct.cashback(caller.tenant, req)


# -- orders ---------------------------------------------------------------------------
@routes.post("/orders")
async def track_order(request: Request, caller: Caller = Depends(guard("orders", True))) -> Json:
    req = parse(OrderRequest, await read_json(request), precondition=("customerId",))
    return orders.record(caller.tenant, req)


@routes.get("/orders/{orderId}/transactions")
async def order_transactions(orderId: str, caller: Caller = Depends(guard("orders", True))) -> Json:
    return history.order_transactions(caller.tenant, orderId)


async def _quote(request: Request) -> QuoteRequest:
    """Quotes answer bad amounts with HTTP 400, as the reward-preview reference says."""
    try:
        return parse(QuoteRequest, await read_json(request))
    except GameballError as exc:
        if exc.code == 3003:
            exc.status = 400
        raise


@routes.post("/orders/cashback")
async def order_cashback(request: Request, caller: Caller = Depends(guard("orders_calc"))) -> Json:
    return program.cashback_quote(caller.tenant.engine, await _quote(request))


@routes.post("/orders/reward-preview")
async def order_reward_preview(
    request: Request, caller: Caller = Depends(guard("orders_calc"))
) -> Json:
    return program.reward_preview(caller.tenant.engine, await _quote(request))


# -- events, referrals, configurations ------------------------------------------------
@routes.post("/events")
async def send_events(request: Request, caller: Caller = Depends(guard("events"))) -> Json:
    req = parse(EventsRequest, await read_json(request))
    return program.send_events(caller.tenant.engine, req)


@routes.get("/referrals/validate")
async def validate_referral(request: Request, caller: Caller = Depends(guard("others"))) -> Json:
    code = request.query_params.get("referrerCode")
    if not code:
        raise GameballError(3000, "referrerCode is required")
    for_customer = request.query_params.get("forCustomerId")
    return program.validate_referrer(caller.tenant.engine, code, for_customer)


@routes.get("/configurations/redemption")
async def redemption_config(caller: Caller = Depends(guard("others"))) -> Json:
    return program.redemption_config(caller.tenant.engine)


@routes.get("/configurations/rewards/redemption")
async def redemption_settings(caller: Caller = Depends(guard("others"))) -> Json:
    return program.redemption_settings(caller.tenant.engine)


@routes.get("/configurations/cashback")
async def cashback_config(caller: Caller = Depends(guard("others"))) -> Json:
    return program.cashback_config(caller.tenant.engine)


@routes.get("/configurations/rewards/cashback")
async def cashback_settings(caller: Caller = Depends(guard("others"))) -> Json:
    return program.cashback_settings(caller.tenant.engine)


def build_router() -> APIRouter:
    router = APIRouter(tags=["gameball"])
    for prefix in PREFIXES:
        router.include_router(routes, prefix=prefix)
        router.include_router(extra_routes.routes, prefix=prefix)
    return router
