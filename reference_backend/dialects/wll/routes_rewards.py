"""Rewards: the catalogue (GET), admin set-up (POST, PATCH, code pools, discounts) and
purchase with points (`commands/purchase_reward`)."""

from __future__ import annotations

from fastapi import Depends, Request

from . import benefits, discounts, rewards, users
from .auth import Caller, caller, require_admin, require_user_or_admin
from .errors import WllFail, success
from .listing import page
from .schemas import (
    CodesIn,
    DiscountIn,
    DiscountPatchIn,
    PurchaseIn,
    RewardIn,
    RewardPatchIn,
    parse,
    parse_body,
    read_json,
)


async def list_rewards(request: Request, type: str | None = None, who: Caller = Depends(caller)):
    issued = rewards.issued_counts(who.tenant)
    found = [rewards.render(who.tenant, s, issued) for s in rewards.all_series(who.tenant)]
    if type:  # POS guides filter offers; accepted as a query as well as client-side
        found = [r for r in found if r["type"] == type.upper()]
    found.sort(key=lambda r: -int(r["priority"] or 0))
    return success(page(found, request.query_params))


async def get_reward(reward_id: str, who: Caller = Depends(caller)):
    return success(rewards.render(who.tenant, rewards.get(who.tenant, reward_id)))


async def create_reward(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, RewardIn)
    if body.code_type == "STATIC" and not body.code:
        raise WllFail(400, "Validation failed", {"code": "is required for STATIC codes"})
    series = rewards.create(who.tenant, body)
    return success(rewards.render(who.tenant, series))  # the spec documents 200


async def update_reward(reward_id: str, request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, RewardPatchIn)
    series = rewards.update(who.tenant, reward_id, body)
    return success(rewards.render(who.tenant, series))


async def delete_reward(reward_id: str, who: Caller = Depends(caller)):
    require_admin(who)
    series = rewards.delete(who.tenant, reward_id)
    return success(rewards.render(who.tenant, series))


async def add_discount(reward_id: str, request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, DiscountIn)
    return success(discounts.add(who.tenant, reward_id, body), status=201)  # as the spec says


async def change_discount(
    reward_id: str, discount_id: str, request: Request, who: Caller = Depends(caller)
):
    require_admin(who)
    body = await parse_body(request, DiscountPatchIn)
    return success(discounts.change(who.tenant, reward_id, discount_id, body))


async def remove_discount(reward_id: str, discount_id: str, who: Caller = Depends(caller)):
    require_admin(who)
    discounts.remove(who.tenant, reward_id, discount_id)
    return success(rewards.discounts(rewards.get(who.tenant, reward_id)))


async def list_discounts(reward_id: str, who: Caller = Depends(caller)):
    return success(rewards.discounts(rewards.get(who.tenant, reward_id)))


async def get_discount(reward_id: str, discount_id: str, who: Caller = Depends(caller)):
    for discount in rewards.discounts(rewards.get(who.tenant, reward_id)):
        if discount["id"] == discount_id:
            return success(discount)
    raise WllFail(404, "Discount not found")


async def list_codes(reward_id: str, who: Caller = Depends(caller)):
    require_admin(who)
    series = rewards.get(who.tenant, reward_id)
    return success([{"value": code, "rewardId": series.series_id} for code in series.pool])


async def add_codes(reward_id: str, request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = parse(CodesIn, CodesIn.from_body(await read_json(request)))
    series = rewards.add_codes(who.tenant, reward_id, body.codes)
    return success(rewards.render(who.tenant, series))


async def purchase_reward(request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    body = await parse_body(request, PurchaseIn)
    tenant = who.tenant
    beneficiary = body.beneficiary_id
    if who.is_user:
        member = users.me(tenant, who)
        if beneficiary is not None and users.resolve(tenant, beneficiary) is not member:
            raise WllFail(403, "A user token can only purchase for its own user")
    elif beneficiary is None:
        missing = {"beneficiaryId": "is required with an admin token"}
        raise WllFail(400, "Validation failed", missing)
    else:
        member = users.resolve(tenant, beneficiary)
    series = rewards.get(tenant, body.reward_id)
    rewards.check_purchasable(series, tenant.engine.now())
    voucher = tenant.engine.purchase_voucher(series.series_id, member.member_id)
    return success(benefits.render(tenant, voucher))
