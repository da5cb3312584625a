"""Customers: upsert, auto-create, profile and balance views."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Depends, Request

from ...engine import Engine, EngineError, Member
from .auth import Caller, guard
from .convert import points_value, stamp, to_major
from .errors import GameballError
from .schemas import ActivateRequest, Json, TagsRequest, UpsertCustomer, parse, read_json

# Gameball links a referrer code only shortly after registration (5 minutes by default)
REFERRAL_WINDOW = timedelta(minutes=5)
CHANNELS = ("mobile", "pos", "web", "callcenter")
REFERRAL_BASE = "https://gameball.posim.local/r/"
_PUBLIC = ("gender", "country", "city", "zip", "custom", "tags", "source", "utms", "devices")
_PRIVATE = (
    "displayName",
    "firstName",
    "lastName",
    "email",
    "mobile",
    "dateOfBirth",
    "joinDate",
    "preferredLanguage",
)


# the identifiers a customerId value may stand for (Gameball's channel merging keys)
MERGE_KEYS = ("mobile", "email")


def find_customer(engine: Engine, ref: str) -> Member | None:
    """The customer a `customerId` value names: the customerId itself, else the customer
    whose mobile or email it is (Gameball merges channels on those), else None."""
    try:
        member = engine.member(ref)
        return None if member.erased else member
    except EngineError:
        pass
    for kind in MERGE_KEYS:
        try:
            return engine.find_member(kind, ref)
        except EngineError:
            continue
    return None


def customer_id_of(engine: Engine, ref: str) -> str:
    """`ref` resolved to a customerId; an unknown value is returned as it is."""
    member = find_customer(engine, ref)
    return ref if member is None else member.member_id


def get_member(engine: Engine, customer_id: str) -> Member:
    member = find_customer(engine, customer_id)
    if member is None:
        raise GameballError(7000, f"Customer {customer_id!r} not found")
    return member


def active_member(engine: Engine, customer_id: str) -> Member:
    member = get_member(engine, customer_id)
    if not member.active:
        raise GameballError(3009, f"Customer {customer_id!r} is inactive")
    return member


def _identifiers(email: str | None, mobile: str | None) -> dict[str, str]:
    return {k: v for k, v in (("email", email), ("mobile", mobile)) if v}


def ensure_customer(
    engine: Engine, customer_id: str, email: str | None = None, mobile: str | None = None
) -> Member:
    """Orders, events and cashback create unknown customers on the fly, as Gameball does."""
    known = find_customer(engine, customer_id)
    if known is not None:
        return known
    refuse_retired(engine, customer_id)
    try:
        ids = _identifiers(email, mobile)
        return engine.upsert_member(member_id=customer_id, identifiers=ids).value
    except EngineError as exc:
        if exc.code != "member_conflict":
            raise
        # email/mobile already used by another profile: create the customer without them
        return engine.upsert_member(member_id=customer_id).value


def usable_referrer(engine: Engine, customer_id: str, code: str | None) -> str | None:
    """Gameball silently ignores referrer codes it cannot apply; so do we."""
    if not code:
        return None
    try:
        referrer = engine.referrer_for_code(code)
    except EngineError:
        return None
    if referrer == customer_id:
        return None
    try:
        member = engine.member(customer_id)
    except EngineError:
        return code
    if member.referred_by or engine.member_orders(customer_id):
        return None
    return code if engine.now() - member.created_at <= REFERRAL_WINDOW else None


def refuse_retired(engine: Engine, customer_id: str) -> None:
    """A deleted customer's id stays in posim's append-only ledger and is never reused."""
    try:
        erased = engine.member(customer_id).erased
    except EngineError:
        return
    if erased:
        message = f"Customer {customer_id!r} was deleted; its customerId cannot be used again"
        raise GameballError(3003, message)


def delete(engine: Engine, customer_id: str) -> dict[str, Any]:
    """DELETE customers/{id} (GDPR): personal data goes, the customer is gone for good."""
    member = get_member(engine, customer_id)
    engine.erase_member(member.member_id)
    return {"customerId": member.member_id, "deleted": True}


def tag_list(value: Any) -> list[str]:
    """Tags as a list: Gameball's tag calls send "gamer, highSpender"; profiles list them."""
    items = value.split(",") if isinstance(value, str) else value or []
    return [str(t).strip() for t in items if str(t).strip()]


def retag(engine: Engine, customer_id: str, tags: Any, attach: bool) -> dict[str, Any]:
    """Attach or remove customer tags (kept with the other profile attributes)."""
    member = get_member(engine, customer_id)
    profile = dict(member.attributes.get("gameball", {}))
    current, given = tag_list(profile.get("tags")), tag_list(tags)
    if not given:
        raise GameballError(3000, "tags is required")
    kept = current + [t for t in given if t not in current] if attach else current
    profile["tags"] = kept if attach else [t for t in kept if t not in given]
    engine.upsert_member(member_id=member.member_id, attributes={"gameball": profile})
    message = "Tags attached" if attach else "Tags removed"
    return {"success": True, "message": message}


def upsert(engine: Engine, req: UpsertCustomer) -> dict[str, Any]:
    refuse_retired(engine, req.customerId)
    attrs = req.customerAttributes.model_dump(exclude_none=True) if req.customerAttributes else {}
    email = req.email or attrs.get("email")
    mobile = req.mobile or attrs.get("mobile")
    try:
        current = engine.member(req.customerId).attributes.get("gameball", {})
    except EngineError:
        current = {}
    profile = {**current, **attrs, "guest": req.guest}
    for extra in ("deviceToken", "osType"):
        if getattr(req, extra):
            profile[extra] = getattr(req, extra)
    fields: dict[str, Any] = dict(
        member_id=req.customerId,
        identifiers=_identifiers(email, mobile),
        first_name=attrs.get("firstName"),
        last_name=attrs.get("lastName"),
        attributes={"gameball": profile},
        referral_code=usable_referrer(engine, req.customerId, req.referrerCode),
    )
    try:
        member = engine.upsert_member(**fields).value
    except EngineError as exc:
        if exc.code == "member_conflict":
            raise _conflict(engine, req.customerId, email) from exc
        if not exc.code.startswith("referral"):
            raise
        member = engine.upsert_member(**{**fields, "referral_code": None}).value
    body = {
        "gameballId": int(member.account_number),
        "customerId": member.member_id,
        "name": profile.get("displayName") or _full_name(member),
        "email": member.identifiers.get("email"),
        "mobile": member.identifiers.get("mobile"),
        "createdAt": stamp(member.created_at),
    }
    return {k: v for k, v in body.items() if v is not None}


def _conflict(engine: Engine, customer_id: str, email: str | None) -> GameballError:
    try:
        owner = engine.find_member("email", email).member_id if email else customer_id
    except EngineError:
        owner = customer_id
    if owner != customer_id:
        return GameballError(3008, "Email already belongs to another customer")
    return GameballError(3003, "Mobile already belongs to another customer")


def _full_name(member: Member) -> str | None:
    parts = [p for p in (member.first_name, member.last_name) if p]
    return " ".join(parts) or None


def _order_stats(engine: Engine, member: Member) -> dict[str, Any]:
    orders = engine.member_orders(member.member_id)
    cfg = engine.config
    stats: dict[str, Any] = {
        "totalSpent": to_major(cfg, member.spend_net_minor),
        "totalOrders": len(orders),
    }
    if orders:
        stats["lastOrderDate"] = stamp(max(o.created_at for o in orders))
    return stats


def profile(engine: Engine, member: Member, with_pii: bool) -> dict[str, Any]:
    """GET customers/{id} (public) and .../details (with PII)."""
    stored = member.attributes.get("gameball", {})
    keys = _PUBLIC + (_PRIVATE if with_pii else ())
    attrs = {k: stored[k] for k in keys if stored.get(k) is not None}
    if "tags" in attrs:
        attrs["tags"] = tag_list(attrs["tags"])
    attrs["paymentMethods"] = [str(x) for x in stored.get("paymentMethods", ())]
    attrs.update(_order_stats(engine, member))
    if with_pii:
        attrs.setdefault("email", member.identifiers.get("email"))
        attrs.setdefault("mobile", member.identifiers.get("mobile"))
        attrs.setdefault("firstName", member.first_name)
        attrs.setdefault("lastName", member.last_name)
        if stored.get("channel") in CHANNELS:
            attrs["channel"] = stored["channel"]
        if attrs["totalOrders"]:
            attrs["avgOrderAmount"] = round(attrs["totalSpent"] / attrs["totalOrders"], 2)
    link = REFERRAL_BASE + member.referral_code
    return {
        "gameballId": int(member.account_number),
        "customerId": member.member_id,
        "customerAttributes": {k: v for k, v in attrs.items() if v is not None},
        "referralCode": member.referral_code,
        "referralLink": link,
        "dynamicReferralLink": f"{link}?utm_source=posim",
        "isReferred": member.referred_by is not None,
    }


def balance(engine: Engine, customer_id: str) -> dict[str, Any]:
    member = get_member(engine, customer_id)
    cfg = engine.config
    raw = engine.balance(member.member_id)
    total = raw["balance"] + raw["pending"]
    body: dict[str, Any] = {
        "totalPointsBalance": total,
        "totalPointsValue": points_value(cfg, total),
        "availablePointsBalance": raw["available"],
        "availablePointsValue": points_value(cfg, raw["available"]),
        "pendingPoints": raw["pending"],
        "pendingPointsValue": points_value(cfg, raw["pending"]),
        "currency": cfg.currency,
        "pointsName": "Points",
        "nextExpiringPointsAmount": raw["next_expiring_points"],
        "nextExpiringPointsValue": points_value(cfg, raw["next_expiring_points"]),
        "totalEarnedPoints": raw["lifetime_earned"],
    }
    if raw["next_expiring_at"] is not None:
        body["nextExpiringPointsDate"] = stamp(raw["next_expiring_at"])
    return body


def set_active(engine: Engine, customer_id: str, active: bool) -> dict[str, Any]:
    member = get_member(engine, customer_id)
    changed = member.active != active
    if changed:
        engine.set_member_active(member.member_id, active)
    return {"customerId": member.member_id, "isActive": active, "stateChanged": changed}


# -- handlers ---------------------------------------------------------------------------
async def upsert_customer(
    request: Request, caller: Caller = Depends(guard("customers_write"))
) -> Json:
    req = parse(UpsertCustomer, await read_json(request))
    return upsert(caller.tenant.engine, req)


async def get_customer(customerId: str, caller: Caller = Depends(guard("customers_read"))) -> Json:
    engine = caller.tenant.engine
    return profile(engine, get_member(engine, customerId), with_pii=False)


async def get_customer_details(
    customerId: str, caller: Caller = Depends(guard("customers_read", secret=True))
) -> Json:
    engine = caller.tenant.engine
    return profile(engine, get_member(engine, customerId), with_pii=True)


async def get_balance(
    customerId: str, caller: Caller = Depends(guard("customers_read", secret=True))
) -> Json:
    return balance(caller.tenant.engine, customerId)


async def activate_customer(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_write"))
) -> Json:
    req = parse(ActivateRequest, await read_json(request))
    return set_active(caller.tenant.engine, customerId, req.isActive)


async def delete_customer(
    customerId: str, caller: Caller = Depends(guard("customers_write", True))
) -> Json:
    return delete(caller.tenant.engine, customerId)


async def change_tags(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_write", True))
) -> Json:
    """POST attaches the comma-separated `tags`, DELETE removes them."""
    req = parse(TagsRequest, await read_json(request))
    attach = request.method == "POST"
    return retag(caller.tenant.engine, customerId, req.tags, attach=attach)


async def remove_tag(
    customerId: str, tag: str, caller: Caller = Depends(guard("customers_write", True))
) -> Json:
    return retag(caller.tenant.engine, customerId, tag, attach=False)
