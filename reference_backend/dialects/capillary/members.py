"""Customers: v1.1 identifiers onto engine members, registration, and the profile blocks.

Capillary user ids are numeric, so members registered here get numeric engine ids.
Members created by other dialects keep their own ids and are still found by identifier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...engine import EngineError, Member
from ...engine import points as engine_points
from .auth import Till
from .errors import ItemError
from .schemas import CustomerIn, CustomerRef, fmt_time, listed, major, text

# lookup order when a call names a customer several ways
IDENT_ORDER = ("id", "mobile", "email", "external_id", "card_number", "card_external_id")
# card_external_id has no engine index of its own; it resolves against card numbers
ENGINE_KIND = {
    "mobile": "mobile",
    "email": "email",
    "external_id": "external_id",
    "card_number": "card_number",
    "card_external_id": "card_number",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize(kind: str, value: str) -> str:
    if kind == "mobile":  # "+91 98765-43210" -> "919876543210", as InTouch stores it
        return re.sub(r"[\s+\-()]", "", value)
    return value.strip().lower() if kind == "email" else value.strip()


def identifiers(ref: CustomerRef | dict[str, Any] | None) -> dict[str, str]:
    """The identifiers present in a customer object or a query, normalised."""
    if ref is None:
        return {}
    source = ref.model_dump() if isinstance(ref, CustomerRef) else ref
    found = {}
    for kind in IDENT_ORDER:
        value = text(source.get(kind))
        if kind == "id" and value is None:
            value = text(source.get("user_id"))
        if value is not None:
            found[kind] = normalize(kind, value)
    return found


def query_identifiers(params: Mapping[str, str]) -> list[tuple[str, str]]:
    """Identifier params, each possibly a comma-separated list (one item per value)."""
    found: list[tuple[str, str]] = []
    name, value = text(params.get("identifierName")), text(params.get("identifierValue"))
    if name and value:  # the OpenAPI spelling of customer/transactions
        name = name.split()[0].lower()
        found.extend((name, v.strip()) for v in value.split(",") if v.strip())
    for kind in IDENT_ORDER:
        for v in (params.get(kind) or "").split(","):
            if v.strip():
                found.append((kind, v.strip()))
    return [(k, v) for k, v in found if k in IDENT_ORDER]


def check_identifiers(idents: dict[str, str], mobile_code: int = 1001) -> None:
    """Reject malformed identifiers with the given item codes."""
    mobile = idents.get("mobile")
    if mobile is not None and not (mobile.isdigit() and 8 <= len(mobile) <= 15):
        raise ItemError(mobile_code)
    email = idents.get("email")
    if email is not None and not _EMAIL.match(email):
        raise ItemError(1002)
    external_id = idents.get("external_id")
    if external_id is not None and len(external_id) > 250:
        raise ItemError(1003)


def find(till: Till, kind: str, value: str) -> Member | None:
    try:
        if kind == "id":
            return till.engine.find_member("member_id", value)
        return till.engine.find_member(ENGINE_KIND[kind], normalize(kind, value))
    except EngineError as exc:
        if exc.code == "member_not_found":
            return None
        raise


def resolve(till: Till, idents: dict[str, str]) -> Member | None:
    for kind, value in idents.items():
        member = find(till, kind, value)
        if member is not None:
            return member
    return None


def known_member(till: Till, customer: CustomerRef | dict[str, Any] | None) -> Member:
    """The existing member a bill names: 606 when it names none, 611 when none is found."""
    idents = identifiers(customer)
    if not idents:
        raise ItemError(606)
    member = resolve(till, idents)
    if member is None:
        raise ItemError(611)
    return member


def engine_identifiers(idents: dict[str, str]) -> dict[str, str]:
    """The identifiers the engine indexes (a card external id is kept as the card number)."""
    found = {k: v for k, v in idents.items() if k in ("mobile", "email", "external_id")}
    card = idents.get("card_number") or idents.get("card_external_id")
    if card:
        found["card_number"] = card
    return found


def capillary_attrs(member: Member) -> dict[str, Any]:
    return dict(member.attributes.get("capillary") or {})


def new_member_id(till: Till) -> str:
    """The next free numeric id (checked against the engine, so restores stay safe)."""
    candidate = till.data.get("next_user_id", 100000001)
    while True:
        try:
            till.engine.member(str(candidate))
        except EngineError:
            break
        candidate += 1
    till.data["next_user_id"] = candidate + 1
    return str(candidate)


def register(till: Till, idents: dict[str, str], profile: CustomerRef | None) -> Member:
    """Create a customer registered at this till (customer/add, or a bill's auto-enrol)."""
    now = fmt_time(till.engine.now())
    kind = ((text(profile.type) if profile else None) or "LOYALTY").upper()
    attrs: dict[str, Any] = {
        "type": kind if kind in ("LOYALTY", "NON_LOYALTY") else "LOYALTY",
        "source": "instore",
        "registered_on": now,
        "updated_on": now,
        "registered_till": till.code,
        "registered_store": till.store,
    }
    for key in ("custom_fields", "extended_fields"):
        if getattr(profile, key, None):
            attrs[key] = _merge_fields([], getattr(profile, key))
    outcome = till.engine.upsert_member(
        member_id=new_member_id(till),
        identifiers=engine_identifiers(idents),
        first_name=text(profile.firstname) if profile else None,
        last_name=text(profile.lastname) if profile else None,
        attributes={"capillary": attrs},
    )
    return outcome.value


_CONFLICT_CODES = {"email": 1016, "mobile": 1032, "external_id": 1033}


def _merge_fields(old: list[dict], new: Any) -> list[dict]:
    merged = {f.get("name"): f for f in old if isinstance(f, dict)}
    for field in listed(new, "field"):
        if isinstance(field, dict) and text(field.get("name")):
            merged[text(field["name"])] = {"name": text(field["name"]), "value": field.get("value")}
    return list(merged.values())


def update(till: Till, member: Member, idents: dict[str, str], item: CustomerIn, *, on_add: bool):
    """Apply a profile update; returns the warnings (identifiers that may not change).

    Empty identifiers are filled in; a different value replaces the old one only when the
    org allows identifier updates. An identifier owned by someone else is refused: add
    reports the 10xx code for its kind, update reports 91007 (accounts are never merged).
    """
    changes, warnings = {}, []
    for kind, value in engine_identifiers(idents).items():
        current = member.identifiers.get(kind)
        if current is not None and normalize(kind, current) == value:
            continue
        if current is not None and not till.cfg.allow_identifier_update:
            warnings.append(f"{kind.replace('_', ' ').capitalize()} update is not allowed")
            continue
        owner = find(till, kind, value)
        if owner is not None and owner.member_id != member.member_id:
            raise ItemError(_CONFLICT_CODES.get(kind, 91007) if on_add else 91007)
        changes[kind] = value
    attrs = capillary_attrs(member)
    new_type = (text(item.type) or "").upper()
    if new_type == "NON_LOYALTY" and attrs.get("type", "LOYALTY") == "LOYALTY":
        raise ItemError(1046)
    if new_type in ("LOYALTY", "NON_LOYALTY"):
        attrs["type"] = new_type
    for key in ("custom_fields", "extended_fields"):
        if getattr(item, key):
            attrs[key] = _merge_fields(attrs.get(key, []), getattr(item, key))
    attrs["updated_on"] = fmt_time(till.engine.now())
    till.engine.upsert_member(
        member_id=member.member_id,
        identifiers=changes,
        first_name=text(item.firstname),
        last_name=text(item.lastname),
        attributes={"capillary": attrs},
    )
    return warnings


# -- rendering --------------------------------------------------------------------------


def _next_tier(till: Till, current: str | None) -> tuple[str, str, str]:
    tiers = sorted(till.engine.config.tiers, key=lambda t: t.min_points)
    names = [t.name for t in tiers]
    index = names.index(current) if current in names else -1
    if index + 1 < len(tiers):
        return tiers[index + 1].name, str(index + 2), str(index + 1)
    return "", "-1", str(index + 1)


def points_summary(till: Till, member: Member, balance: dict[str, Any]) -> dict[str, Any]:
    totals = {"redeem": 0, "capture": 0, "expire": 0, "revoke": 0, "adjust": 0}
    for line in till.engine.activities(member.member_id):
        if line.kind in totals:
            totals[line.kind] += line.points
    minor_units = till.engine.config.minor_units
    next_name, next_serial, serial = _next_tier(till, balance["tier"])
    return {
        "programId": str(till.cfg.program_id),
        "program_title": till.cfg.program_name,
        "program_description": till.cfg.program_name,
        "redeemed": str(-(totals["redeem"] + totals["capture"])),
        "expired": str(-totals["expire"]),
        "returned": str(-totals["revoke"]),
        "adjusted": str(totals["adjust"]),
        "lifetimePoints": str(member.lifetime_earned),
        "loyaltyPoints": str(balance["available"]),
        "cumulativePurchases": str(major(member.spend_net_minor, minor_units)),
        "currentSlab": balance["tier"] or "",
        "nextSlab": next_name,
        "nextSlabSerialNumber": next_serial,
        "nextSlabDescription": next_name,
        "slabSNo": serial,
        "slabExpiryDate": "",
        "totalPoints": "",
        "delayed_points": str(balance["pending"]),
        "total_available_points": str(balance["available"]),
        "program_points_to_currency_ratio": points_ratio(till),
    }


def group_points_summary(till: Till, member: Member, balance: dict[str, Any]) -> dict[str, Any]:
    """customer/get with mlp=true: the org's one program group (group id = program id)."""
    single = points_summary(till, member, balance)
    return {
        "group_program_id": single["programId"],
        "title": till.cfg.program_name,
        "description": till.cfg.program_name,
        "lifetime_points": single["lifetimePoints"],
        "loyalty_points": single["loyaltyPoints"],
        "redeemed": single["redeemed"],
        "expired": single["expired"],
        "returned": single["returned"],
        "adjusted": single["adjusted"],
        "program_ids": [single["programId"]],
    }


def card_details(member: Member) -> list[dict[str, Any]]:
    """customer/get with card_details=true: the member's loyalty card, if any."""
    card = member.identifiers.get("card_number")
    if not card:
        return []
    return [{"card_number": card, "series_name": "Loyalty card", "status": "ACTIVE"}]


def points_ratio(till: Till) -> str:
    """Value of one point in major currency units, as InTouch reports the ratio."""
    cfg = till.engine.config
    value = cfg.redeem_value_minor / cfg.redeem_points / 10**cfg.minor_units
    return f"{value:g}"


def summary_fields(till: Till, member: Member) -> dict[str, Any]:
    """The loyalty numbers every customer block carries (native types)."""
    balance = till.engine.balance(member.member_id)
    minor_units = till.engine.config.minor_units
    return {
        "lifetime_points": member.lifetime_earned,
        "lifetime_purchases": major(member.spend_net_minor, minor_units),
        "loyalty_points": balance["available"],
        "current_slab": balance["tier"] or "",
        "tier_expiry_date": "",
        "points_summaries": {"points_summary": [points_summary(till, member, balance)]},
        # delayed accrual ("promised points", not redeemable yet): the engine's pending points
        "delayed_points": str(balance["pending"]),
    }


def expiry_schedule(till: Till, member: Member) -> list[dict[str, Any]]:
    """Available points by expiry time, soonest first (customer/get `expiry_schedule`)."""
    engine = till.engine
    due: dict[Any, int] = {}
    with engine.lock:  # a read of the lots; balance() above has just run the expiry sweep
        for lot in engine_points.active_lots(engine.state, member.member_id):
            if lot.expires_at is not None and lot.remaining:
                due[lot.expires_at] = due.get(lot.expires_at, 0) + lot.remaining
    return [
        {"points": str(pts), "expiry_date": fmt_time(at), "program_id": str(till.cfg.program_id)}
        for at, pts in sorted(due.items())
    ]


def identity(member: Member) -> dict[str, Any]:
    ids = member.identifiers
    return {
        "user_id": member.member_id,
        "mobile": ids.get("mobile"),
        "email": ids.get("email"),
        "external_id": ids.get("external_id"),
        "firstname": member.first_name or "",
        "lastname": member.last_name or "",
    }


def _fields(attrs: dict[str, Any], key: str) -> dict[str, Any]:
    return {"field": list(attrs.get(key) or [])}


def profile(till: Till, member: Member) -> dict[str, Any]:
    """customer/get, customer/add and customer/update: the full customer record."""
    attrs = capillary_attrs(member)
    registered = fmt_time(member.created_at)
    store, till_code = attrs.get("registered_store", ""), attrs.get("registered_till", "")
    return {
        **identity(member),
        **summary_fields(till, member),
        "registered_on": attrs.get("registered_on", registered),
        "updated_on": attrs.get("updated_on", registered),
        "type": attrs.get("type", "LOYALTY"),
        "source": attrs.get("source", "instore"),
        "identifiers": [],
        "gender": None,
        "registered_by": store,
        "registered_store": {"code": store, "name": store},
        "registered_till": {"code": till_code, "name": till_code},
        "fraud_details": {
            "status": "NONE" if member.active else "CONFIRMED",
            "marked_by": "",
            "modified_on": "",
            "reason": "",
        },
        "fraud_status": "NONE" if member.active else "CONFIRMED",
        "expiry_schedule": expiry_schedule(till, member),
        "custom_fields": _fields(attrs, "custom_fields"),
        "extended_fields": _fields(attrs, "extended_fields"),
    }


def bill_customer(till: Till, member: Member) -> dict[str, Any]:
    """The customer block inside a transaction/add answer (numbers as strings there)."""
    block = {**identity(member), **summary_fields(till, member)}
    for key in ("lifetime_points", "loyalty_points", "lifetime_purchases"):
        block[key] = str(block[key])
    attrs = capillary_attrs(member)
    block["type"] = attrs.get("type", "LOYALTY")
    block["source"] = attrs.get("source", "instore")
    return block
