"""WLL's Receipts API, served under its own base path: POST /receipts/v1/orders, and a read
of a stored order so a till can recover after a lost answer."""

from __future__ import annotations

from fastapi import Depends, Request

from . import receipts, users
from .auth import Caller, caller, require_user_or_admin
from .errors import WllFail, success
from .schemas import OrderIn, parse_body

BASE = "/receipts/v1"


async def place_order(request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    body = await parse_body(request, OrderIn)
    tenant = who.tenant
    if body.submitter is None:
        if not who.is_user:
            raise WllFail(400, "Validation failed", {"submitter": "is required"})
        member = users.me(tenant, who)
    else:
        member = users.resolve_subject(tenant, body.submitter)
        if who.is_user and users.auth_identifier_of(member) != who.subject:
            raise WllFail(403, "A user token can only submit its own orders")
    return success(receipts.place(tenant, member, body), status=201)


async def get_order(order_id: str, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    return success(receipts.stored(who.tenant, order_id, who))
