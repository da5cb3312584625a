"""GET customer/search: customers matching every condition of a v1.1 query string."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Depends, Request

from ...engine import Member
from . import members
from .auth import Till, guard
from .convert import respond
from .errors import ItemError
from .schemas import fmt_time, major

SEARCH_ROWS = 10


SEARCHABLE = {
    "firstname": lambda till, m: m.first_name or "",
    "lastname": lambda till, m: m.last_name or "",
    "mobile": lambda till, m: m.identifiers.get("mobile") or "",
    "email": lambda till, m: m.identifiers.get("email") or "",
    "external_id": lambda till, m: m.identifiers.get("external_id") or "",
    "loyalty_points": lambda till, m: till.engine.balance(m.member_id)["available"],
    "lifetime_points": lambda till, m: m.lifetime_earned,
    "current_slab": lambda till, m: till.engine.balance(m.member_id)["tier"] or "",
    "registered_on": lambda till, m: fmt_time(m.created_at),
}
CONDITION = re.compile(r"^\s*(\w+)\s*:\s*(\w+)\s*:(.*)$")


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _matches(actual: Any, operator: str, wanted: str) -> bool:
    if operator in ("EQUALS", "EXACT"):
        return str(actual).lower() == wanted.lower()
    if operator in ("LIKE", "CONTAINS"):
        return wanted.lower() in str(actual).lower()
    if operator == "STARTS_WITH":
        return str(actual).lower().startswith(wanted.lower())
    low, high = _number(actual), _number(wanted.split(",")[0])
    if operator in ("GREATER", "LESSER") and low is not None and high is not None:
        return low > high if operator == "GREATER" else low < high
    if operator == "BETWEEN" and "," in wanted and low is not None:
        first, last = (_number(b) for b in wanted.split(",", 1))
        return first is not None and last is not None and first <= low <= last
    return False


def parse_query(q: str) -> list[tuple[str, str, str]]:
    """q=(field:OPERATOR:value|field:OPERATOR:value): every condition must hold."""
    inner = q.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    conditions = []
    for part in inner.split("|"):
        found = CONDITION.match(part)
        if not found or found.group(1).lower() not in SEARCHABLE:
            raise ItemError(400, f"Input is invalid: cannot read search condition {part!r}")
        conditions.append((found.group(1).lower(), found.group(2).upper(), found.group(3)))
    return conditions


def _search_item(till: Till, member: Member) -> dict[str, Any]:
    profile = members.profile(till, member)
    keep = ("user_id", "firstname", "lastname", "mobile", "email", "external_id")
    item = {k: profile[k] for k in keep}
    for key in ("loyalty_points", "lifetime_points", "lifetime_purchases"):
        item[key] = str(profile[key])
    orders = till.engine.member_orders(member.member_id)
    last = orders[-1].paid_amount if orders else 0
    item.update(
        org_id="0",
        current_slab=profile["current_slab"],
        registered_on=profile["registered_on"],
        registered_by=profile["registered_by"],
        last_trans_value=str(major(last, till.engine.config.minor_units)),
        attributes=_attributes(profile["custom_fields"]["field"]),
    )
    return item


def _attributes(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Custom fields as the vendor's sample shows them: one is an object, several a list."""
    if not fields:
        return {}
    pairs = [{"name": f.get("name"), "value": f.get("value")} for f in fields]
    return {"attribute": pairs[0] if len(pairs) == 1 else pairs}


async def customer_search(request: Request, till: Till = Depends(guard("customer/search"))):
    params = request.query_params
    start = int(params["start"]) if (params.get("start") or "").isdigit() else 0
    rows = int(params["rows"]) if (params.get("rows") or "").isdigit() else SEARCH_ROWS
    try:
        conditions = parse_query(params.get("q") or "")
    except ItemError as err:
        status = {"success": False, "code": 400, "message": err.message}
        return respond(request, {"response": {"status": status}}, till.cfg)
    engine = till.engine
    with engine.lock:  # a read of the member table
        everyone = sorted(engine.state.members.values(), key=lambda m: m.created_at)
    hits = [
        m
        for m in everyone
        if all(_matches(SEARCHABLE[f](till, m), op, v) for f, op, v in conditions)
    ]
    page = hits[start : start + rows]
    found = {
        "count": str(len(hits)),
        "start": str(start),
        "rows": str(rows),
        "results": {"item": [_search_item(till, m) for m in page]},
    }
    status = {"success": True, "code": 200, "message": "SUCCESS"}
    return respond(request, {"response": {"status": status, "customer": found}}, till.cfg)
