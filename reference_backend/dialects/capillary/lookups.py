"""Read-only v1.1 lookups: transaction/get, coupon/get, customer/search and store/get."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Depends, Request

from ...engine import EngineError, Member, Order
from . import bills, members, vouchers
from .auth import TILL_KEYS, Till, guard, store_of
from .envelope import item_status, request_status, respond
from .errors import ItemError, run_batch
from .schemas import fmt_time, major, text

router = APIRouter()
SEARCH_ROWS = 10


def _split(raw: str | None) -> list[str]:
    return [v.strip() for v in (raw or "").split(",") if v.strip()]


# -- transaction/get -------------------------------------------------------------------


def _sale_entry(till: Till, order: Order) -> dict[str, Any]:
    member = till.engine.member(order.member_id)
    ids = members.identity(member)
    meta = bills.attrs(order)
    till_code, store = meta.get("till", ""), meta.get("store", "")
    return {
        **bills.sale_row(till, order),
        "customer": {
            "user_id": member.member_id,
            "mobile": ids["mobile"],
            "first_name": ids["firstname"],
            "last_name": ids["lastname"],
            "email": ids["email"],
            "external_id": ids["external_id"],
            "source": "instore",
        },
        "billing_till": {"code": till_code, "name": till_code},
        "billing_store": {"code": store, "name": store},
        "source": "instore",
        "item_status": item_status(600, "Transaction retrieved successfully", True),
    }


def _ni_entry(till: Till, bill: dict[str, Any]) -> dict[str, Any]:
    money = str(major(bill["amount_minor"], till.engine.config.minor_units))
    return {
        "id": str(bill["id"]),
        "number": bill["number"],
        "type": "NOT_INTERESTED",
        "outlier_status": "NORMAL",
        "delivery_status": "DELIVERED",
        "store": bill["store"],
        "billing_till": {"code": bill["till"], "name": bill["till"]},
        "billing_store": {"code": bill["store"], "name": bill["store"]},
        "amount": money,
        "gross_amount": money,
        "discount": "0",
        "billing_time": bill["billing_time"],
        "notes": bill.get("notes", ""),
        "custom_fields": {"field": []},
        "extended_fields": {"field": []},
        "line_items": {"line_item": bill.get("shown", [])},
        "item_status": item_status(600, "Transaction retrieved successfully", True),
    }


def _find_bill(till: Till, key: tuple[str, str]) -> dict[str, Any]:
    kind, value = key
    if kind == "id":
        order = bills.sale_with_id(till, value)
        ni_key = till.data.get(bills.NI_BY_ID, {}).get(value)
        ni = till.data.get(bills.NI_BILLS, {}).get(ni_key) if ni_key else None
    else:
        order, ni = bills.find_sale(till, value), bills.find_ni(till, value)
    if order is not None and bills.visible(till, order):
        return _sale_entry(till, order)
    if ni is not None and not ni.get("converted_to") and ni["store"] == till.store:
        return _ni_entry(till, ni)
    raise ItemError(688)


@router.get("/transaction/get")
async def transaction_get(request: Request, till: Till = Depends(guard("transaction/get"))):
    params = request.query_params
    wanted = [("id", v) for v in _split(params.get("id"))]
    wanted += [("number", v) for v in _split(params.get("number"))]
    if not wanted:
        wanted = [("number", "")]

    def fail(key: tuple[str, str], err: ItemError) -> dict[str, Any]:
        code = 602 if not key[1] else err.code
        shell = {"id": key[1] if key[0] == "id" else "-1", "number": ""}
        if key[0] == "number":
            shell["number"] = key[1]
        return {**shell, "item_status": item_status(code, ItemError(code).message, False)}

    items, outcomes = run_batch(wanted, lambda key: _find_bill(till, key), fail)
    body = {
        "status": request_status(outcomes),
        "transactions": {"count": sum(outcomes), "transaction": items},
    }
    return respond(request, {"response": body}, till.cfg)


# -- coupon/get ------------------------------------------------------------------------


def _cased(code: str, case: str) -> str:
    return code.upper() if case == "UPPER" else code.lower() if case == "LOWER" else code


def _owner_block(till: Till, owner_id: str | None) -> dict[str, Any] | None:
    if owner_id is None:
        return None
    ids = members.identity(till.engine.member(owner_id))
    name = f"{ids['firstname']} {ids['lastname']}".strip()
    return {k: ids[k] for k in ("mobile", "email", "external_id")} | {
        "id": owner_id,
        "name": name,
    }


def _coupon_entry(till: Till, code: str, case: str, owners: list[str]) -> dict[str, Any]:
    try:
        voucher = vouchers.find(till, code)
    except EngineError as exc:
        raise ItemError(702) from exc
    if owners and voucher.owner_id not in owners:
        raise ItemError(703)
    series = till.engine.series(voucher.series_id)
    issued = fmt_time(voucher.created_at)
    until = voucher.valid_until.strftime("%d-%m-%Y") if voucher.valid_until else ""
    value = Decimal(vouchers.coupon_value(till, series))
    units = till.engine.config.minor_units
    return {
        "id": vouchers.coupon_id(voucher.code),
        "code": _cased(voucher.code, case),
        "valid_till": until,
        "issued_on": issued,
        "valid_from": fmt_time(voucher.valid_from) or issued,
        "purpose": "",
        "custom_properties": {"custom_property": []},
        "series_id": int(series.series_id) if series.series_id.isdigit() else series.series_id,
        "is_absolute": vouchers.is_absolute(series),
        "value": int(value) if value == value.to_integral_value() else float(value),
        "discount_upto": major(int(series.attributes.get("discount_upto", 0)), units),
        "customer": _owner_block(till, voucher.owner_id),
        "pincode": "NULL",
        "issued_store": {"code": till.store, "name": till.store},
        "item_status": item_status(700, "Coupon processing successful", True),
    }


@router.get("/coupon/get")
async def coupon_get(request: Request, till: Till = Depends(guard("coupon/get"))):
    params = request.query_params
    case = (params.get("coupon_code_case") or "").upper()
    owners = _split(params.get("issuedToIds"))
    codes = _split(params.get("code")) or [""]

    def fail(code: str, err: ItemError) -> dict[str, Any]:
        shell = {"id": -1, "code": _cased(code, case), "is_absolute": False, "value": None}
        shell.update(discount_upto=None, pincode="NULL")
        return {**shell, "item_status": item_status(err.code, err.message, False)}

    def handle(code: str) -> dict[str, Any]:
        if not code:
            raise ItemError(702, "Coupon code is required")
        return _coupon_entry(till, code, case, owners)

    items, outcomes = run_batch(codes, handle, fail)
    body = {"status": request_status(outcomes), "coupons": {"coupon": items}}
    return respond(request, {"response": body}, till.cfg)


# -- customer/search -------------------------------------------------------------------

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


@router.get("/customer/search")
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


# -- store/get -------------------------------------------------------------------------


def _stores(till: Till) -> list[str]:
    creds = till.tenant.credentials.get("capillary", {})
    return sorted({store_of(creds[k]) for k in TILL_KEYS if k in creds} | {till.store})


def _store_entry(till: Till, code: str) -> dict[str, Any]:
    currency = till.engine.config.currency
    return {
        "id": str(bills.numeric_id(f"store\x00{code}")),
        "name": code,
        "code": code,
        "location": {"latitude": "", "longitude": ""},
        "currency": {"name": currency, "symbol": "", "iso_code": {"alpha": currency}},
        "language": "English",
        "time_zone": {"offset": {"std": "UTC+00", "summer": "NULL"}},
        "mobile": "",
        "email": "",
        "land_line": "",
        "external_id": code,
        "external_id_1": "",
        "external_id_2": "",
        "item_status": item_status(900, "Store Info Retrieval Successful", True),
    }


@router.get("/store/get")
async def store_get(request: Request, till: Till = Depends(guard("store/get"))):
    params = request.query_params
    wanted_id, wanted_ext = text(params.get("id")), text(params.get("external_id"))
    stores = [_store_entry(till, code) for code in _stores(till)]
    if wanted_id or wanted_ext:
        stores = [s for s in stores if wanted_id in (None, s["id"])]
        stores = [s for s in stores if wanted_ext in (None, s["external_id"])]
    else:
        stores = [s for s in stores if s["code"] == till.store]
    if not stores:
        status = {
            "success": False,
            "code": 500,
            "message": "All requests have failed due to errors",
        }
        missing = {"item_status": item_status(404, "Store not found", False)}
        body = {"status": status, "stores": {"store": missing}}
        return respond(request, {"response": body}, till.cfg)
    status = {"success": True, "code": 200, "message": "SUCCESS"}
    found = stores[0] if len(stores) == 1 else stores
    return respond(request, {"response": {"status": status, "stores": {"store": found}}}, till.cfg)
