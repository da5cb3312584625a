"""Read-only v1.1 lookups: transaction/get and coupon/get."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Depends, Request

from ...engine import EngineError, Order
from . import bills, members, vouchers
from .auth import Till, guard
from .convert import item_status, request_status, respond
from .errors import ItemError, run_batch
from .schemas import fmt_time, major, text

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
    kind = (text(params.get("type")) or "REGULAR").upper()
    if kind in ("ALL", "RETURN"):
        items = _with_returns(till, items, keep_sales=kind == "ALL")
    found = sum(1 for item in items if item["item_status"]["success"])
    body = {
        "status": request_status(outcomes),
        "transactions": {"count": found, "transaction": items},
    }
    return respond(request, {"response": body}, till.cfg)


def _with_returns(
    till: Till, items: list[dict[str, Any]], keep_sales: bool
) -> list[dict[str, Any]]:
    """`type=ALL` adds each found bill's returns after it; `type=RETURN` shows them alone."""
    out = []
    for item in items:
        order = bills.sale_with_id(till, item["id"]) if item.get("type") == "REGULAR" else None
        if order is None:
            out.append(item)
            continue
        if keep_sales:
            out.append(item)
        for refund in till.engine.order_refunds(order.order_id, order.merchant_id):
            row = bills.return_row(till, order, refund)
            out.append({**row, "item_status": item["item_status"]})
    return out


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
