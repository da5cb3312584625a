"""WLL's Receipts API `POST /orders`: the order is stored (an engine order) and the intrinsic
`ORDER_PLACED` event is emitted for the reactors to reward.

WLL publishes no body for it, so the shape is inferred (parity table): `id`, `submitter`
(named like an event subject), `totalSpend` in major units, `currency`, `items`,
`occurredAt`. The reactor is the program's `ORDER_PLACED` rule when it has one, else its
`TRANSACTION` earning rule (WLL's documented core earning `+$totalSpend*1`), else the
engine's own earn rate. An order id is unique: the same order again returns the stored
result, other content under its id is a 409.
"""

from __future__ import annotations

import math
import uuid
from decimal import Decimal
from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import EngineError, Member
from . import events, users
from .auth import NAME, Caller, caller, require_user_or_admin
from .convert import NAMESPACE, iso
from .errors import WllFail, success
from .schemas import OrderIn, parse_body

ORDER_PLACED = "ORDER_PLACED"


def minor_units(tenant: Tenant, total: float) -> int:
    scaled = Decimal(str(total)).scaleb(tenant.engine.config.minor_units)
    if scaled != scaled.to_integral_value():
        raise WllFail(
            400, "Validation failed", {"totalSpend": "has more decimals than the currency"}
        )
    return int(scaled)


def points_for(tenant: Tenant, total: float) -> int | None:
    rules = tenant.engine.config.event_rules
    rule = rules.get(ORDER_PLACED) or rules.get("TRANSACTION")
    if rule is None or rule.action != "earn":
        return None  # the engine's own earn rate applies
    return math.floor(total * rule.points_per_unit)


def event_id_of(order_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"order-placed:{order_id}"))


def place(tenant: Tenant, member: Member, body: OrderIn) -> dict[str, Any]:
    engine = tenant.engine
    items = [item.model_dump(by_alias=True) for item in body.items]
    details = {
        "totalSpend": body.total_spend,
        "currency": body.currency,
        "items": items,
        "occurredAt": body.occurred_at,
    }
    with engine.lock:  # the order, its event and the record are one step
        order = engine.record_order(
            body.id,
            member.member_id,
            minor_units(tenant, body.total_spend),
            earn_points=points_for(tenant, body.total_spend),
            attributes={NAME: details},
        ).value
        event_id = event_id_of(body.id)
        payload = {"orderId": body.id, **details}
        if not events.exists(tenant, event_id):
            events.record(tenant, member, event_id, ORDER_PLACED, payload)
    return render(member, order, event_id)


def stored(tenant: Tenant, order_id: str, who: Caller) -> dict[str, Any]:
    """A Receipts order by id; a user token sees only its own (others' look absent)."""
    try:
        order = tenant.engine.order(order_id)
    except EngineError:
        order = None
    if order is None or NAME not in order.attributes:  # an order another dialect recorded
        raise WllFail(404, "Order not found")
    member = tenant.engine.member(order.member_id)
    if who.is_user and users.auth_identifier_of(member) != who.subject:
        raise WllFail(404, "Order not found")
    return render(member, order, event_id_of(order_id))


def render(member: Member, order, event_id: str) -> dict[str, Any]:
    details = order.attributes.get(NAME, {})
    return {
        "id": order.order_id,
        "submitter": {
            "id": member.member_id,
            "accountNumber": member.account_number,
            "authIdentifier": users.auth_identifier_of(member),
        },
        "totalSpend": details.get("totalSpend"),
        "currency": details.get("currency"),
        "items": details.get("items", []),
        "occurredAt": details.get("occurredAt") or iso(order.created_at),
        "createdAt": iso(order.created_at),
        "event": {"id": event_id, "type": ORDER_PLACED},
        "pointsEarned": order.points_earned,
    }


# -- handlers ---------------------------------------------------------------------------
# WLL's Receipts API, served under its own base path: POST /receipts/v1/orders, and a read
# of a stored order so a till can recover after a lost answer.
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
    return success(place(tenant, member, body), status=201)


async def get_order(order_id: str, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    return success(stored(who.tenant, order_id, who))
