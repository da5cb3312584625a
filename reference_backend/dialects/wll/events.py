"""Reporting events: who may report which type, payload checks, and the reactor (engine rule).

Event ids: WLL documents no de-duplication, so an event without an `id` is always new. A
client-supplied `id` makes the report idempotent: the same content returns the stored event,
different content is a 409.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import Member
from ...engine.state import fingerprint
from . import event_types, payload_schema, users
from .auth import NAME, Caller, caller, creds, require_admin, require_user_or_admin
from .convert import NAMESPACE, iso
from .errors import WllFail, success
from .event_types import (
    INTRINSIC,
    EventType,
    all_event_types,
    has_reactor,
    register,
    schema_for_rule,
)
from .listing import page
from .schemas import AdjustPointsIn, EventIn, EventTypeIn, EventTypePatch, parse_body


def event_type_for(tenant: Tenant, name: str) -> EventType:
    if name in INTRINSIC:
        raise WllFail(400, f"{name} is an intrinsic event type and cannot be reported")
    found = all_event_types(tenant).get(name)
    if found is None:
        raise WllFail(400, f"Unknown event type {name}")
    if not found.active:
        raise WllFail(400, f"Event type {name} is not active")
    return found


def authorise(who: Caller, etype: EventType) -> None:
    if who.is_admin:
        return
    if who.kind == "secret":
        if etype.secret is None or who.secret != etype.secret:
            raise WllFail(401, "Invalid event type secret")
        return
    if who.kind == "anonymous":
        raise WllFail(401, "A user token, admin token or event type secret is required")
    if not etype.public:
        raise WllFail(403, f"{etype.name} is private: report it with an admin token or its secret")


def subject_of(tenant: Tenant, who: Caller, body: EventIn) -> Member:
    if body.subject is None:
        if who.is_user:
            return users.me(tenant, who)
        raise WllFail(400, "Validation failed", {"subject": "is required"})
    member = users.resolve_subject(tenant, body.subject)
    if who.is_user and users.auth_identifier_of(member) != who.subject:
        raise WllFail(403, "A user token can only report events about its own user")
    return member


def _custom_events(tenant: Tenant) -> dict[str, dict[str, Any]]:
    return tenant.dialect_data(NAME).setdefault("events", {})


def _new_event_id(tenant: Tenant) -> str:
    taken = tenant.engine.state.events
    n = len(taken) + len(_custom_events(tenant)) + 1
    while True:
        candidate = str(uuid.uuid5(NAMESPACE, f"{tenant.tenant_id}:event:{n}"))
        if candidate not in taken and candidate not in _custom_events(tenant):
            return candidate
        n += 1


def _occurred(tenant: Tenant) -> dict[str, str]:
    return tenant.dialect_data(NAME).setdefault("occurred_at", {})


def report(tenant: Tenant, member: Member, body: EventIn) -> dict[str, Any]:
    engine = tenant.engine
    with engine.lock:  # id allocation and the write are one step
        event_id = body.id or _new_event_id(tenant)
        if has_reactor(tenant, body.type):
            if event_id in _custom_events(tenant):
                raise WllFail(409, "An event with this id exists with different content")
            done = engine.apply_event(member.member_id, body.type, body.payload, event_id).value
            out = render(member, event_id, done.name, done.payload, done.at)
        else:
            out = _record_custom(tenant, member, body, event_id)
        if body.occurred_at:  # when it happened at the till; the first report's value stays
            _occurred(tenant).setdefault(event_id, body.occurred_at)
        out["occurredAt"] = _occurred(tenant).get(event_id, out["createdAt"])
        return out


def _rows(tenant: Tenant) -> list[tuple]:
    """(id, member id, type, payload, at) of every event, engine-reacted and dialect-kept."""
    rows = [
        (r.event_id, r.member_id, r.name, r.payload, r.at)
        for r in tenant.engine.state.events.values()
    ]
    custom = _custom_events(tenant).items()
    return rows + [(eid, e["member_id"], e["type"], e["payload"], e["at"]) for eid, e in custom]


def _show(tenant: Tenant, row: tuple) -> dict[str, Any]:
    event_id, member_id, name, payload, at = row
    event = render(tenant.engine.state.members[member_id], event_id, name, payload, at)
    event["occurredAt"] = _occurred(tenant).get(event_id, event["createdAt"])
    return event


def listed(tenant: Tenant, member: Member | None) -> list[dict[str, Any]]:
    """Every event, or a member's, oldest first."""
    with tenant.engine.lock:
        rows = [r for r in _rows(tenant) if member is None or r[1] == member.member_id]
        rows.sort(key=lambda row: row[4])
        return [_show(tenant, row) for row in rows]


def find(tenant: Tenant, event_id: str, member: Member | None) -> dict[str, Any]:
    """One event by id (a user token sees only its own: others' look absent)."""
    with tenant.engine.lock:
        record = tenant.engine.state.events.get(event_id)
        kept = _custom_events(tenant).get(event_id)
        if record is not None:
            row = (event_id, record.member_id, record.name, record.payload, record.at)
        elif kept is not None:
            row = (event_id, kept["member_id"], kept["type"], kept["payload"], kept["at"])
        else:
            row = None
        if row is None or (member is not None and row[1] != member.member_id):
            raise WllFail(404, "Event not found")
        return _show(tenant, row)


def reactions_of(tenant: Tenant, event: dict[str, Any]) -> list[dict[str, Any]]:
    """What moved points for a recorded event, intrinsic ones included."""
    name, payload = event["type"], event["payload"]
    if name == "POINTS_ADJUSTED":
        return [{"eventType": name, "action": "adjust", "points": payload["points"]}]
    if name == "ORDER_PLACED":  # the order's earning is the reaction (receipts.py)
        earned = tenant.engine.order(payload["orderId"]).points_earned
        return [{"eventType": name, "action": "earn", "points": earned}]
    return reactions(tenant, name, payload)


def reactions(tenant: Tenant, name: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """What the type's reactor does with this payload (the points it moves), nothing applied."""
    rule = tenant.engine.config.event_rules.get(name)
    if rule is None:
        return []
    if rule.action == "earn":
        points = int(float(payload.get(rule.amount_field) or 0) * rule.points_per_unit)
    else:
        points = int(payload.get(rule.points_field) or 0)
    signed = -points if rule.action == "deduct" else points
    return [{"eventType": name, "action": rule.action, "points": signed}]


def _record_custom(tenant: Tenant, member: Member, body: EventIn, event_id: str):
    """A type with no reactor moves no points; it is kept so replays behave the same."""
    stored = _custom_events(tenant).get(event_id)
    fp = fingerprint([member.member_id, body.type, body.payload])
    if stored is not None or event_id in tenant.engine.state.events:
        if stored is None or stored["fingerprint"] != fp:
            raise WllFail(409, "An event with this id exists with different content")
        return render(member, event_id, stored["type"], stored["payload"], stored["at"])
    record(tenant, member, event_id, body.type, body.payload, fp)
    return render(member, event_id, body.type, body.payload, tenant.engine.now())


def record(tenant, member: Member, event_id: str, name: str, payload: dict, fp: str = "") -> None:
    """Keep an event the engine has no record of (no reactor, or intrinsic)."""
    _custom_events(tenant)[event_id] = {
        "type": name,
        "member_id": member.member_id,
        "payload": dict(payload),
        "at": tenant.engine.now(),
        "fingerprint": fp,
    }


def exists(tenant: Tenant, event_id: str) -> bool:
    return event_id in _custom_events(tenant) or event_id in tenant.engine.state.events


def close_account(tenant: Tenant, member: Member) -> Member:
    with tenant.engine.lock:  # closing twice keeps the first CLOSED_ACCOUNT event
        if member.active:
            closed = tenant.engine.set_member_active(member.member_id, False)
            record(tenant, member, _new_event_id(tenant), "CLOSED_ACCOUNT", {})
            return closed
        return member


def adjust_points(tenant: Tenant, member: Member, body: AdjustPointsIn) -> dict[str, Any]:
    """An admin adjustment: engine postings, then the intrinsic POINTS_ADJUSTED event."""
    payload = {"points": body.points, "comment": body.comment, "impactType": body.impact_type}
    with tenant.engine.lock:  # the id, the postings and the event record are one step
        event_id = _new_event_id(tenant)
        # REJECT_EVENT refuses a deduction the balance cannot cover; BYPASS lets it go negative
        tenant.engine.adjust(member.member_id, body.points, event_id, body.policy == "BYPASS")
        record(tenant, member, event_id, "POINTS_ADJUSTED", payload)
    return render(member, event_id, "POINTS_ADJUSTED", payload, tenant.engine.now())


def check_payload(tenant: Tenant, etype: EventType, payload: dict[str, Any]) -> None:
    errors = payload_schema.check(etype.schema, payload, "payload")
    rule = tenant.engine.config.event_rules.get(etype.name)
    if rule is not None:  # a registered schema may be looser than what the reactor needs
        errors = {**payload_schema.check(schema_for_rule(rule), payload, "payload"), **errors}
    if errors:
        raise WllFail(400, "Payload does not match the event type schema", errors)


def render(member: Member, event_id: str, name: str, payload: dict, at) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": name,
        "subject": member.member_id,  # the spec's EventDefinition: the user's id
        "user": {  # the user's identifiers together, so a till need not look them up
            "id": member.member_id,
            "accountNumber": member.account_number,
            "authIdentifier": users.auth_identifier_of(member),
        },
        "payload": payload,
        "createdAt": iso(at),
    }


# -- handlers ---------------------------------------------------------------------------
# Events (report, list, read, reactions, test_reaction) and the admin event-type registry.
async def report_event(request: Request, who: Caller = Depends(caller)):
    body = await parse_body(request, EventIn)
    tenant = who.tenant
    etype = event_type_for(tenant, body.type)
    authorise(who, etype)
    member = subject_of(tenant, who, body)
    check_payload(tenant, etype, body.payload)
    return success(report(tenant, member, body))


def _own(who: Caller):
    """Whose events the caller may read: a user token its own, an admin everyone's."""
    require_user_or_admin(who)
    return users.me(who.tenant, who) if who.is_user else None


async def list_events(request: Request, who: Caller = Depends(caller)):
    found = listed(who.tenant, _own(who))
    return success(page(found, request.query_params))


async def test_reaction(request: Request, who: Caller = Depends(caller)):
    """What the reactors would do with this event; nothing is recorded or moved."""
    require_admin(who)
    body = await parse_body(request, EventIn)
    etype = event_type_for(who.tenant, body.type)
    check_payload(who.tenant, etype, body.payload)
    found = reactions(who.tenant, body.type, body.payload)
    return success({"type": body.type, "payload": body.payload, "reactions": found})


async def get_event(event_id: str, who: Caller = Depends(caller)):
    return success(find(who.tenant, event_id, _own(who)))


async def event_reactions(event_id: str, who: Caller = Depends(caller)):
    event = find(who.tenant, event_id, _own(who))
    return success(reactions_of(who.tenant, event))


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
