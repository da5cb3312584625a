"""customer/get, customer/add, customer/update, customer/transactions, customer/coupons and
customer/search."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Depends, Request
from starlette.datastructures import QueryParams

from ...engine import Member
from ...hardening import read_body
from . import bills, members, vouchers
from .auth import Till, guard
from .convert import item_status, request_status, respond
from .errors import ItemError, run_batch
from .schemas import CustomerIn, fmt_time, major, parse_item, read_items, text

NO_IDENTIFIER = "Input is invalid, No identifier provided to get loyalty users"


def _customer_status(code: int, message: str, ok: bool, warnings=None) -> dict[str, Any]:
    return item_status(code, message, ok, string_code=True, warnings=warnings or [])


def _not_found(kind: str, value: str) -> dict[str, Any]:
    return {kind: value, "item_status": _customer_status(1012, ItemError(1012).message, False)}


def _no_identifier_body() -> dict[str, Any]:
    item = {"item_status": _customer_status(400, NO_IDENTIFIER, False)}
    return {"status": request_status([False], counts=True), "customers": {"customer": [item]}}


SHORT_ROWS = 10  # customer/get lists the newest bills only


async def customer_get(request: Request, till: Till = Depends(guard("customer/get"))):
    params = request.query_params
    wanted = members.query_identifiers(params)
    if not wanted:
        return respond(request, {"response": _no_identifier_body()}, till.cfg)
    flags = {k for k in ("mlp", "card_details") if (params.get(k) or "").lower() == "true"}

    def handle(pair: tuple[str, str]) -> dict[str, Any]:
        member = members.find(till, *pair)
        if member is None:
            raise ItemError(1012)
        rows = bills.history(till, member, limit=SHORT_ROWS)
        coupons = [vouchers.short(till, v) for v in till.engine.member_vouchers(member.member_id)]
        message = "Customer successfully retrieved"
        found = {
            **members.profile(till, member),
            "transactions": {"transaction": bills.short_rows(rows)},
            "coupons": {"coupon": coupons},
            "notes": [],
        }
        if "mlp" in flags:
            balance = till.engine.balance(member.member_id)
            group = members.group_points_summary(till, member, balance)
            found["group_points_summaries"] = {"group_points_summary": [group]}
        if "card_details" in flags:
            found["card_details"] = members.card_details(member)
        return {**found, "item_status": _customer_status(1000, message, True)}

    items, outcomes = run_batch(wanted, handle, lambda pair, err: _not_found(*pair))
    body = {"status": request_status(outcomes, counts=True), "customers": {"customer": items}}
    return respond(request, {"response": body}, till.cfg)


def _customer_failure(raw: Any, err: ItemError) -> dict[str, Any]:
    echo = {k: raw.get(k) for k in ("mobile", "email", "external_id") if isinstance(raw, dict)}
    return {**echo, "item_status": _customer_status(err.code, err.message, False)}


def _saved(till: Till, member_id: str, message: str, warnings: list[str]) -> dict[str, Any]:
    member = till.engine.member(member_id)
    if warnings:
        message = ", ".join([message, *warnings])
    return {
        **members.profile(till, member),
        "subscriptions": {"subscription": []},
        "side_effects": {"effect": []},
        "item_status": _customer_status(1000, message, True, ["91006"] if warnings else []),
    }


def _owners(till: Till, idents: dict[str, str]) -> list[tuple[str, Any]]:
    found = [(kind, members.find(till, kind, value)) for kind, value in idents.items()]
    return [(kind, m) for kind, m in found if m is not None]


async def customer_add(request: Request, till: Till = Depends(guard("customer/add"))):
    raws = read_items(await read_body(request), "customer")

    def handle(raw: Any) -> dict[str, Any]:
        item = parse_item(CustomerIn, raw)
        idents = members.identifiers(item)
        idents.pop("id", None)
        if not any(k in idents for k in ("mobile", "email", "external_id")):
            raise ItemError(1007)
        members.check_identifiers(idents)
        owners = _owners(till, idents)
        distinct = {m.member_id for _, m in owners}
        if len(distinct) > 1:  # two customers claimed: report the second identifier's kind
            kind = next(k for k, m in owners if m.member_id != owners[0][1].member_id)
            raise ItemError({"email": 1016, "mobile": 1032, "external_id": 1033}.get(kind, 91007))
        if owners:  # upsert: an existing customer is updated
            member = owners[0][1]
            warnings = members.update(till, member, idents, item, on_add=True)
            return _saved(till, member.member_id, "Customer successfully updated", warnings)
        member = members.register(till, idents, item)
        return _saved(till, member.member_id, "Customer registration successful", [])

    with till.engine.lock:
        items, outcomes = run_batch(raws, handle, _customer_failure)
    body = {"status": request_status(outcomes, counts=True), "customers": {"customer": items}}
    return respond(request, {"response": body}, till.cfg)


async def customer_update(request: Request, till: Till = Depends(guard("customer/update"))):
    raws = read_items(await read_body(request), "customer")

    def handle(raw: Any) -> dict[str, Any]:
        item = parse_item(CustomerIn, raw)
        idents = members.identifiers(item)
        if not idents:
            raise ItemError(400, NO_IDENTIFIER)
        members.check_identifiers(idents)
        member = members.resolve(till, idents)
        if member is None:
            raise ItemError(1012)
        warnings = members.update(till, member, idents, item, on_add=False)
        return _saved(till, member.member_id, "Customer successfully updated", warnings)

    with till.engine.lock:
        items, outcomes = run_batch(raws, handle, _customer_failure)
    body = {"status": request_status(outcomes, counts=True), "customers": {"customer": items}}
    return respond(request, {"response": body}, till.cfg)


def _int_param(params: QueryParams, name: str, default: int) -> int:
    raw = text(params.get(name))
    return int(raw) if raw and raw.isdigit() else default


def _filter_rows(rows: list[dict[str, Any]], params: QueryParams) -> list[dict[str, Any]]:
    number = text(params.get("number"))
    start, end = text(params.get("start_date")), text(params.get("end_date"))
    if number:
        rows = [r for r in rows if r["number"] == number]
    if start:
        rows = [r for r in rows if r["billing_time"][:10] >= start[:10]]
    if end:
        rows = [r for r in rows if r["billing_time"][:10] <= end[:10]]
    if params.get("sort") == "trans_id":
        rows = sorted(rows, key=lambda r: int(r["id"]), reverse=True)
    if params.get("order") == "asc":
        rows = list(reversed(rows))
    return rows


async def customer_transactions(
    request: Request, till: Till = Depends(guard("customer/transactions"))
):
    params = request.query_params
    wanted = members.query_identifiers(params)
    if not wanted:
        item = {"item_status": _customer_status(400, NO_IDENTIFIER, False)}
        body = {"status": request_status([False]), "customer": item}
        return respond(request, {"response": body}, till.cfg)
    kind, value = wanted[0]
    member = members.find(till, kind, value)
    if member is None:
        body = {"status": request_status([False]), "customer": _not_found(kind, value)}
        return respond(request, {"response": body}, till.cfg)
    rows = _filter_rows(bills.history(till, member), params)
    offset, limit = _int_param(params, "offset", 0), _int_param(params, "limit", 10)
    page = rows[offset : offset + limit]
    balance = till.engine.balance(member.member_id)
    profile = members.profile(till, member)
    keep = ("firstname", "lastname", "user_id", "mobile", "email", "external_id")
    customer = {k: profile[k] for k in keep}
    for key in ("lifetime_points", "lifetime_purchases", "loyalty_points", "current_slab"):
        customer[key] = profile[key]
    customer.update(
        registered_on=profile["registered_on"],
        updated_on=profile["updated_on"],
        type=profile["type"],
        source=profile["source"],
        count=len(rows),
        start=page[0]["id"] if page else "",
        delayed_points=str(balance["pending"]),
        delayed_returned_points="0",
        total_available_points=str(balance["available"]),
        total_returned_points=sum(int(r["points"]["returned"]) for r in rows),
        rows=str(len(page)),
        transactions={"transaction": page},
        item_status=_customer_status(1052, "Transactions fetched successfully", True),
    )
    customer["total_returned_points"] = str(customer["total_returned_points"])
    body = {"status": request_status([True]), "customer": customer}
    return respond(request, {"response": body}, till.cfg)


async def customer_coupons(request: Request, till: Till = Depends(guard("customer/coupons"))):
    params = request.query_params
    wanted = members.query_identifiers(params)
    limit, offset = _int_param(params, "limit", 100), _int_param(params, "offset", 0)
    pagination = {"limit": str(limit), "offset": str(offset), "total": 0}
    if not wanted:
        body = _no_identifier_body()
        return respond(request, {"response": {"pagination": pagination, **body}}, till.cfg)
    kind, value = wanted[0]
    member = members.find(till, kind, value)
    if member is None:
        customers = {"customer": [_not_found(kind, value)]}
        body = {"pagination": pagination, "status": request_status([False]), "customers": customers}
        return respond(request, {"response": body}, till.cfg)
    found = till.engine.member_vouchers(member.member_id)
    status = text(params.get("status"))
    if status in ("redeemed", "expired", "unredeemed"):
        found = [v for v in found if vouchers.state_of(till, v) == status]
    elif status == "active":
        found = [v for v in found if vouchers.state_of(till, v) != "expired"]
    series_id = text(params.get("series_id"))
    if series_id:
        found = [v for v in found if v.series_id == series_id]
    order_key = "valid_until" if params.get("order_by") == "valid_till" else "created_at"
    found.sort(key=lambda v: str(getattr(v, order_key)), reverse=params.get("sort_order") != "asc")
    pagination["total"] = len(found)
    ids = members.identity(member)
    entry = {
        "firstname": ids["firstname"],
        "lastname": ids["lastname"],
        "email": ids["email"],
        "external_id": ids["external_id"],
        "mobile": ids["mobile"],
        "id": member.member_id,
        "coupons": {"coupon": [vouchers.full(till, v) for v in found[offset : offset + limit]]},
        "item_status": item_status(1000, "Coupons retrieved successfully", True),
    }
    body = {
        "pagination": pagination,
        "status": request_status([True]),
        "customers": {"customer": [entry]},
    }
    return respond(request, {"response": body}, till.cfg)


# -- customer/search ---------------------------------------------------------------
# GET customer/search: customers matching every condition of a v1.1 query string.


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
