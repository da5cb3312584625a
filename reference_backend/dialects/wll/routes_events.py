"""Events (report, list, read, reactions, test_reaction) and the admin event-type registry."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Depends, Request

from . import event_types, events, users
from .auth import Caller, caller, creds, require_admin, require_user_or_admin
from .errors import WllFail, success
from .event_types import INTRINSIC, EventType, all_event_types, register
from .listing import page
from .schemas import EventIn, EventTypeIn, EventTypePatch, parse_body


async def report_event(request: Request, who: Caller = Depends(caller)):
    body = await parse_body(request, EventIn)
    tenant = who.tenant
    etype = events.event_type_for(tenant, body.type)
    events.authorise(who, etype)
    member = events.subject_of(tenant, who, body)
    events.check_payload(tenant, etype, body.payload)
    return success(events.report(tenant, member, body))


def _own(who: Caller):
    """Whose events the caller may read: a user token its own, an admin everyone's."""
    require_user_or_admin(who)
    return users.me(who.tenant, who) if who.is_user else None


async def list_events(request: Request, who: Caller = Depends(caller)):
    found = events.listed(who.tenant, _own(who))
    return success(page(found, request.query_params))


async def test_reaction(request: Request, who: Caller = Depends(caller)):
    """What the reactors would do with this event; nothing is recorded or moved."""
    require_admin(who)
    body = await parse_body(request, EventIn)
    etype = events.event_type_for(who.tenant, body.type)
    events.check_payload(who.tenant, etype, body.payload)
    found = events.reactions(who.tenant, body.type, body.payload)
    return success({"type": body.type, "payload": body.payload, "reactions": found})


async def get_event(event_id: str, who: Caller = Depends(caller)):
    return success(events.find(who.tenant, event_id, _own(who)))


async def event_reactions(event_id: str, who: Caller = Depends(caller)):
    event = events.find(who.tenant, event_id, _own(who))
    return success(events.reactions_of(who.tenant, event))


def _event_type(who: Caller, name: str) -> EventType:
    require_admin(who)
    found = all_event_types(who.tenant).get(name)
    if found is None:
        raise WllFail(404, "Event type not found")
    return found


async def list_event_types(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    types = [t.render(reveal_secret=True) for t in all_event_types(who.tenant).values()]
    return success(page(types, request.query_params))


async def get_event_type(name: str, who: Caller = Depends(caller)):
    return success(_event_type(who, name).render(reveal_secret=True))


async def get_event_type_secret(name: str, who: Caller = Depends(caller)):
    etype = _event_type(who, name)
    if etype.secret is None:
        raise WllFail(404, f"{name} is public and has no secret")
    return success({"name": etype.name, "secret": etype.secret})


async def update_event_type(name: str, request: Request, who: Caller = Depends(caller)):
    etype = _event_type(who, name)
    body = await parse_body(request, EventTypePatch)
    if not event_types.is_registered(who.tenant, name):
        raise WllFail(400, f"{name} is backed by the program's rules and cannot be changed")
    if body.schema_ is not None and body.schema_.get("type", "object") != "object":
        raise WllFail(400, "Validation failed", {"schema.type": "must be object"})
    with who.tenant.engine.lock:
        if body.is_private is not None:
            etype.public = not body.is_private
            etype.secret = _secret(who, name) if body.is_private else None
        if body.description is not None:
            etype.description = body.description
        if body.is_active is not None:
            etype.active = body.is_active
        if body.schema_ is not None:
            etype.schema = body.schema_
        register(who.tenant, etype)
    return success(etype.render(reveal_secret=True))


def _secret(who: Caller, name: str) -> str:
    key = creds(who.tenant)["eventTypeSecret"].encode()
    return hmac.new(key, name.encode(), hashlib.sha256).hexdigest()


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
        etype = EventType(
            name=body.name,
            schema=body.schema_,
            public=not body.is_private,
            secret=_secret(who, body.name) if body.is_private else None,
            active=body.is_active,
            description=body.description,
            created_at=tenant.engine.now(),
        )
        register(tenant, etype)
    return success(etype.render(reveal_secret=True))  # the spec documents 200
