"""Users and wallets: register, list/search, read, PATCH, the wallet (id may be `me`), and the
admin points adjustment (`commands/adjust_points`)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import Member
from . import benefits, events, rewards, users
from .auth import Caller, caller, require_admin, require_user_or_admin
from .errors import success
from .listing import page
from .schemas import AdjustPointsIn, UserIn, UserPatch, parse, parse_body, read_json


async def register_user(request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    data = await read_json(request)
    body = parse(UserIn, UserIn.from_body(data))
    # a user registers themselves: the token's subject is the auth identifier
    auth_identifier = who.subject if who.is_user else body.auth_identifier
    member = users.register(who.tenant, body, auth_identifier)
    return success(users.render(member))  # the spec documents 200


async def list_users(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    with who.tenant.engine.lock:
        members = list(who.tenant.engine.state.members.values())
    return success(page([users.render(m) for m in members], request.query_params))


async def update_user(user_ref: str, request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    member = users.visible_user(who.tenant, who, user_ref)
    body = parse(UserPatch, UserPatch.from_body(await read_json(request)))
    return success(users.render(users.update(who.tenant, member, body)))


async def close_user(user_ref: str, who: Caller = Depends(caller)):
    """Account closure: the user is deactivated (its ledger stays, so nothing is lost) and the
    intrinsic CLOSED_ACCOUNT event is kept; later earning or spending is refused."""
    require_user_or_admin(who)
    member = users.visible_user(who.tenant, who, user_ref)
    return success(users.render(events.close_account(who.tenant, member)))


async def adjust_points(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, AdjustPointsIn)
    member = users.resolve(who.tenant, body.actor_id)
    return success(events.adjust_points(who.tenant, member, body))


async def get_user(user_ref: str, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    return success(users.render(users.visible_user(who.tenant, who, user_ref)))


async def get_wallet(user_ref: str, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    member = users.visible_user(who.tenant, who, user_ref)
    return success(wallet(who.tenant, member))


def wallet(tenant: Tenant, member: Member) -> dict[str, Any]:
    balance = tenant.engine.balance(member.member_id)
    owned = benefits.owned_by(tenant, member)
    # the wallet lists vouchers still usable: unredeemed, or redeemed and not yet burned
    usable = [v for v in owned if benefits.state(tenant, v) in ("created", "redeemed")]
    cost = 0
    for voucher in owned:
        fields = rewards.wll_fields(tenant.engine.series(voucher.series_id))
        cost += int(fields.get("value") or 0)
    tier = balance["tier"]
    issued = rewards.issued_counts(tenant) if usable else None
    return {
        "points": balance["balance"],  # negative after an over-redemption, as WLL allows
        "lifetimePoints": balance["lifetime_earned"],
        "loyaltyCost": cost,
        "tier": {"id": tier.lower(), "name": tier} if tier else None,
        "vouchers": [benefits.render(tenant, v, issued) for v in usable],
    }
