"""POST /events (report), and the admin event-type registry (path inferred: /event_types)."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import APIRouter, Depends, Request

from . import events
from .auth import Caller, caller, creds, require_admin
from .errors import WllFail, success
from .event_types import INTRINSIC, EventType, all_event_types, register
from .routing import WllRoute
from .schemas import EventIn, EventTypeIn, parse_body

router = APIRouter(prefix="/v1", route_class=WllRoute)


@router.post("/events")
async def report_event(request: Request, who: Caller = Depends(caller)):
    body = await parse_body(request, EventIn)
    tenant = who.tenant
    etype = events.event_type_for(tenant, body.type)
    events.authorise(who, etype)
    member = events.subject_of(tenant, who, body)
    events.check_payload(tenant, etype, body.payload)
    return success(events.report(tenant, member, body))


@router.get("/event_types")
async def list_event_types(who: Caller = Depends(caller)):
    require_admin(who)
    types = all_event_types(who.tenant).values()
    return success([t.render(reveal_secret=True) for t in types])


@router.post("/event_types")
async def create_event_type(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, EventTypeIn)
    tenant = who.tenant
    if body.name in INTRINSIC:
        raise WllFail(400, f"{body.name} is an intrinsic event type")
    if body.schema_.get("type", "object") != "object":
        raise WllFail(400, "Validation failed", {"schema.type": "must be object"})
    with tenant.engine.lock:
        if body.name in all_event_types(tenant):
            raise WllFail(409, f"Event type {body.name} exists")
        key = creds(tenant)["eventTypeSecret"].encode()
        secret = hmac.new(key, body.name.encode(), hashlib.sha256).hexdigest()
        etype = EventType(
            name=body.name,
            schema=body.schema_,
            public=body.public,
            secret=None if body.public else secret,
            description=body.description,
            created_at=tenant.engine.now(),
        )
        register(tenant, etype)
    return success(etype.render(reveal_secret=True), status=201)
