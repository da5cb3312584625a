"""Gameball's coupon API, manual transactions, early activation, customer deletion and the
count endpoints: the same guard / parse / one-call shape as routes.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from . import coupons, customers, history, manual, tiers, transactions
from .auth import Caller, guard
from .errors import GameballRoute
from .schemas import EventPreviewRequest, TagsRequest, parse, read_json

routes = APIRouter(route_class=GameballRoute)
Json = dict[str, Any]


# -- coupons --------------------------------------------------------------------------
@routes.post("/coupons/validate")
async def validate_coupons(
    request: Request, caller: Caller = Depends(guard("coupons", True))
) -> Json:
    req = parse(coupons.CouponValidate, await read_json(request))
    return coupons.validate(caller.tenant, req, req.coupons or [])


@routes.post("/coupons/burn")
async def burn_coupons(request: Request, caller: Caller = Depends(guard("coupons", True))) -> Json:
    req = parse(coupons.CouponBurn, await read_json(request))
    return coupons.burn(caller.tenant, req)


@routes.post("/coupons/{code}/validate")
async def validate_coupon(
    code: str, request: Request, caller: Caller = Depends(guard("coupons", True))
) -> Json:
    req = parse(coupons.CouponValidate, await read_json(request))
    body = coupons.validate(caller.tenant, req, [code])
    found = body.pop("coupons")
    return {**body, **({"coupon": found[0]} if found else {})}


@routes.delete("/coupons/{lockReference}")
async def release_coupons(
    lockReference: str, caller: Caller = Depends(guard("coupons", True))
) -> Json:
    return coupons.release(caller.tenant, lockReference)


@routes.get("/customers/{customerId}/coupons")
async def customer_coupons(
    customerId: str, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return coupons.customer_coupons(caller.tenant, customerId)


# -- manual transactions, activation --------------------------------------------------
@routes.post("/transactions/manual")
async def manual_transaction(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    req = parse(manual.ManualRequest, await read_json(request), precondition=("customerId",))
    return manual.manual(caller.tenant, req)


@routes.put("/transactions/{transactionId}/activate")
async def activate_transaction(
    transactionId: str, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return manual.activate(caller.tenant, transactionId)


# -- customer deletion and counts -----------------------------------------------------
@routes.delete("/customers/{customerId}")
@routes.post("/customers/{customerId}/delete")  # the alias Gameball's SFCC cartridge calls
async def delete_customer(
    customerId: str, caller: Caller = Depends(guard("customers_write", True))
) -> Json:
    return customers.delete(caller.tenant.engine, customerId)


@routes.post("/customers/{customerId}/tags")
@routes.delete("/customers/{customerId}/tags")
async def change_tags(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_write", True))
) -> Json:
    """POST attaches the comma-separated `tags`, DELETE removes them."""
    req = parse(TagsRequest, await read_json(request))
    attach = request.method == "POST"
    return customers.retag(caller.tenant.engine, customerId, req.tags, attach=attach)


@routes.delete("/customers/{customerId}/tags/{tag}")
async def remove_tag(
    customerId: str, tag: str, caller: Caller = Depends(guard("customers_write", True))
) -> Json:
    return customers.retag(caller.tenant.engine, customerId, tag, attach=False)


@routes.get("/customers/{customerId}/activities/count")
async def count_activities(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    listed = history.activities(caller.tenant, customerId, dict(request.query_params))
    return {"count": listed["count"]}


@routes.get("/customers/{customerId}/referrals/count")
async def count_referrals(
    customerId: str, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return history.referral_counts(caller.tenant, customerId)


# -- transactions listing, tiers, referral configuration, event preview ------------------
@routes.get("/transactions")
async def list_transactions(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return transactions.listing(caller.tenant, dict(request.query_params), customer_view=False)


@routes.get("/transactions/customer-view")
async def list_transactions_with_customers(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return transactions.listing(caller.tenant, dict(request.query_params), customer_view=True)


@routes.get("/transactions/count")
async def count_transactions(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return transactions.count(caller.tenant, dict(request.query_params))


@routes.get("/configurations/tiers")
async def tier_configuration(caller: Caller = Depends(guard("others"))) -> list[Json]:
    return tiers.tiers(caller.tenant.engine)


@routes.get("/customers/{customerId}/tier-progress")
async def tier_progress(
    customerId: str, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return tiers.tier_progress(caller.tenant.engine, customerId)


@routes.get("/configurations/referrals")
async def referral_configuration(caller: Caller = Depends(guard("others"))) -> Json:
    return tiers.referral_configuration(caller.tenant.engine)


@routes.post("/events/reward-preview")
async def event_reward_preview(request: Request, caller: Caller = Depends(guard("events"))) -> Json:
    req = parse(EventPreviewRequest, await read_json(request))
    return tiers.event_preview(caller.tenant.engine, req)
