"""WLL users over engine members: WLL id (UUID), 7-digit account number, auth identifier.

The engine has no "auth identifier" kind, so it lives in the member's `wll` attributes,
with a dialect-side index rebuilt by a scan whenever it misses (e.g. after a restore).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import EngineError, Member
from . import benefits, events, rewards
from .auth import NAME, Caller, caller, require_admin, require_user_or_admin
from .convert import NAMESPACE, iso
from .errors import WllFail, success
from .listing import page
from .schemas import AdjustPointsIn, ProfileFields, UserIn, UserPatch, parse, parse_body, read_json

ACCOUNT_NUMBER = re.compile(r"^\d{7}$")
PLACEHOLDER_EMAILS = {"redacted", "unknown"}  # WLL accepts these for PII-free profiles
PROFILE_FIELDS = (
    ("gender", "gender"),
    ("birthdate", "birthdate"),
    ("telephone", "telephone"),
    ("street_address", "streetAddress"),
    ("city", "city"),
    ("region", "region"),
    ("postcode", "postcode"),
    ("country", "country"),
    ("picture_url", "pictureUrl"),
)


def user_not_found() -> WllFail:
    return WllFail(404, "User not found")


def profile_of(member: Member) -> dict[str, Any]:
    return member.attributes.get(NAME) or {}


def auth_identifier_of(member: Member) -> str | None:
    return profile_of(member).get("authIdentifier")


def _index(tenant: Tenant) -> dict[str, str]:
    return tenant.dialect_data(NAME).setdefault("auth_index", {})


def find_by_auth_identifier(tenant: Tenant, value: str) -> Member | None:
    members = tenant.engine.state.members
    with tenant.engine.lock:
        member = members.get(_index(tenant).get(value, ""))
        if member is not None and auth_identifier_of(member) == value:
            return member
        for member in members.values():
            if auth_identifier_of(member) == value:
                _index(tenant)[value] = member.member_id
                return member
    return None


def _lookup(tenant: Tenant, kind: str, value: str) -> Member | None:
    try:
        return tenant.engine.find_member(kind, value)
    except EngineError:
        return None


def _by_contact(tenant: Tenant, ref: str) -> Member | None:
    """Tolerant extension: what a cashier types at a till (email, mobile, external id)."""
    try:
        return tenant.engine.resolve_member(ref)
    except EngineError:
        return None


def resolve(tenant: Tenant, ref: str) -> Member:
    """A WLL id, a 7-digit account number or an auth identifier; then an email or mobile."""
    member = _lookup(tenant, "member_id", ref)
    if member is None and ACCOUNT_NUMBER.match(ref):
        member = _lookup(tenant, "account_number", ref)
    member = member or find_by_auth_identifier(tenant, ref) or _by_contact(tenant, ref)
    if member is None:
        raise user_not_found()
    return member


def resolve_subject(tenant: Tenant, subject: dict[str, Any] | str) -> Member:
    """An event subject: `{"id"}`, `{"accountNumber"}`, `{"authIdentifier"}` or a bare string."""
    if isinstance(subject, str):
        return resolve(tenant, subject)
    for key in ("id", "userId", "accountNumber", "authIdentifier"):
        value = subject.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            if key == "authIdentifier":
                member = find_by_auth_identifier(tenant, str(value))
                if member is None:
                    raise user_not_found()
                return member
            return resolve(tenant, str(value))
    raise WllFail(
        400, "Validation failed", {"subject": "needs id, accountNumber or authIdentifier"}
    )


def me(tenant: Tenant, who: Caller) -> Member:
    if not who.is_user or who.subject is None:
        raise WllFail(403, "'me' needs a user token")
    member = find_by_auth_identifier(tenant, who.subject)
    if member is None:
        raise user_not_found()
    return member


def visible_user(tenant: Tenant, who: Caller, ref: str) -> Member:
    """The user `ref` names, if the caller may see it (admins: all; users: themselves)."""
    if ref == "me":
        return me(tenant, who)
    member = resolve(tenant, ref)
    if who.is_user and auth_identifier_of(member) != who.subject:
        raise WllFail(403, "Forbidden: a user token only grants access to its own user")
    return member


def _new_user_id(tenant: Tenant) -> str:
    members = tenant.engine.state.members
    n = len(members) + 1
    while True:
        candidate = str(uuid.uuid5(NAMESPACE, f"{tenant.tenant_id}:user:{n}"))
        if candidate not in members:
            return candidate
        n += 1


def _identifiers(email: str | None, external: str | None, telephone: str | None) -> dict:
    found = {}
    if email and email.strip().lower() not in PLACEHOLDER_EMAILS:
        found["email"] = email.strip()
    if external:
        found["external_id"] = external
    if telephone and telephone.strip():  # indexed, so a till can look it up
        found["mobile"] = telephone.strip()
    return found


def _profile_values(body: ProfileFields) -> dict[str, Any]:
    """The profile fields the body sets (None = not sent)."""
    values = {}
    for attr, key in PROFILE_FIELDS:
        value = getattr(body, attr)
        if value is not None:
            values[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def register(tenant: Tenant, body: UserIn, auth_identifier: str | None) -> Member:
    engine = tenant.engine
    profile: dict[str, Any] = {key: None for _, key in PROFILE_FIELDS}
    profile.update(_profile_values(body))
    profile.update(email=body.email.strip(), authIdentifier=auth_identifier)
    profile["externalIdentifier"] = body.external_identifier
    profile["gender"] = profile["gender"] or "UNKNOWN"
    profile["attributes"] = dict(body.attributes)
    profile["flags"] = dict(body.flags)
    profile["updatedAt"] = None
    with engine.lock:  # the auth-identifier check and the insert are one step
        if auth_identifier and find_by_auth_identifier(tenant, auth_identifier):
            raise WllFail(409, "A user with this authIdentifier already exists")
        member = engine.upsert_member(
            member_id=_new_user_id(tenant),
            identifiers=_identifiers(body.email, body.external_identifier, body.telephone),
            first_name=body.given_name,
            last_name=body.family_name,
            attributes={NAME: profile},
        ).value
        if auth_identifier:
            _index(tenant)[auth_identifier] = member.member_id
    return member


def update(tenant: Tenant, member: Member, body: UserPatch) -> Member:
    """PATCH /users/{id}: only the fields sent change; the profile's identifiers move too."""
    with tenant.engine.lock:  # read-modify-write of the profile is one step
        return _update(tenant, member, body)


def _update(tenant: Tenant, member: Member, body: UserPatch) -> Member:
    profile = {**profile_of(member), **_profile_values(body)}
    if body.email is not None:
        profile["email"] = body.email.strip()
    if body.external_identifier is not None:
        profile["externalIdentifier"] = body.external_identifier
    if body.attributes is not None:
        profile["attributes"] = {**profile.get("attributes", {}), **body.attributes}
    if body.flags is not None:
        profile["flags"] = {**profile.get("flags", {}), **body.flags}
    if body.is_restricted is not None:
        profile["isRestricted"] = body.is_restricted
    profile["updatedAt"] = iso(tenant.engine.now())
    return tenant.engine.upsert_member(
        member_id=member.member_id,
        identifiers=_identifiers(body.email, body.external_identifier, body.telephone),
        first_name=body.given_name,
        last_name=body.family_name,
        attributes={NAME: profile},
    ).value


def render(member: Member) -> dict[str, Any]:
    profile = profile_of(member)
    email = profile.get("email") or member.identifiers.get("email")
    fields = {
        "givenName": member.first_name,
        "familyName": member.last_name,
        "email": email,
        **{key: profile.get(key) for _, key in PROFILE_FIELDS},
    }
    fields["gender"] = fields["gender"] or "UNKNOWN"
    # the spec's names (profile.emailAddress, profile.telephoneNumber), and posim's older
    # flat names that existing tills read
    spec_profile = {
        **fields,
        "emailAddress": email,
        "telephoneNumber": fields["telephone"],
        "attributes": profile.get("attributes", {}),
    }
    return {
        "id": member.member_id,
        "accountNumber": member.account_number,
        "authIdentifier": profile.get("authIdentifier"),
        "externalIdentifier": member.identifiers.get("external_id"),
        **fields,
        "profile": spec_profile,
        "flags": profile.get("flags", {}),
        "isRestricted": bool(profile.get("isRestricted", False)),
        "active": member.active,
        "createdAt": iso(member.created_at),
        "updatedAt": profile.get("updatedAt") or iso(member.created_at),
    }


# -- handlers ---------------------------------------------------------------------------
# Users and wallets: register, list/search, read, PATCH, the wallet (id may be `me`), and the
# admin points adjustment (`commands/adjust_points`).
async def register_user(request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    data = await read_json(request)
    body = parse(UserIn, UserIn.from_body(data))
    # a user registers themselves: the token's subject is the auth identifier
    auth_identifier = who.subject if who.is_user else body.auth_identifier
    member = register(who.tenant, body, auth_identifier)
    return success(render(member))  # the spec documents 200


async def list_users(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    with who.tenant.engine.lock:
        members = list(who.tenant.engine.state.members.values())
    return success(page([render(m) for m in members], request.query_params))


async def update_user(user_ref: str, request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    member = visible_user(who.tenant, who, user_ref)
    body = parse(UserPatch, UserPatch.from_body(await read_json(request)))
    return success(render(update(who.tenant, member, body)))


async def close_user(user_ref: str, who: Caller = Depends(caller)):
    """Account closure: the user is deactivated (its ledger stays, so nothing is lost) and the
    intrinsic CLOSED_ACCOUNT event is kept; later earning or spending is refused."""
    require_user_or_admin(who)
    member = visible_user(who.tenant, who, user_ref)
    return success(render(events.close_account(who.tenant, member)))


async def adjust_points(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, AdjustPointsIn)
    member = resolve(who.tenant, body.actor_id)
    return success(events.adjust_points(who.tenant, member, body))


async def get_user(user_ref: str, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    return success(render(visible_user(who.tenant, who, user_ref)))


async def get_wallet(user_ref: str, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    member = visible_user(who.tenant, who, user_ref)
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
