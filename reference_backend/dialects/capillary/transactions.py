"""POST transaction/add: regular and not-interested sales, and returns (see returns.py); GET
transaction/get, a read of bills by id or number."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Depends, Request

from ...engine import EngineError, Member, Order
from ...hardening import read_body
from . import bill_checks, bill_numbers, bills, exchanges, members, returns
from .auth import Till, guard
from .convert import failure_body, item_status, request_status, respond
from .errors import TRANSACTION_CODES, ItemError, from_engine, run_batch
from .schemas import (
    TransactionIn,
    decimal_of,
    fmt_time,
    major,
    parse_item,
    read_items,
    split_list,
    text,
)


def points_effect(till: Till, member: Member, awarded: int) -> dict[str, Any]:
    total = till.engine.balance(member.member_id)["available"]
    return {"type": "points", "awarded_points": awarded, "total_points": total}


def _auto_number(till: Till, prefix: str) -> str:
    """A number for bills sent without one (only when the org does not require numbers)."""
    serial = till.data.get("auto_bill", 0) + 1
    till.data["auto_bill"] = serial
    return f"{prefix}-{serial:08d}"


def check_new_number(till: Till, number: str, when: datetime) -> None:
    if bill_numbers.is_duplicate(till, number, when):
        raise ItemError(604)


def linked_redemptions(till: Till, item: TransactionIn, member: Member) -> list[str]:
    """redemptions.points_redemptions.id[]: redeem-first wiring; each id must be the member's."""
    raw = item.redemptions if isinstance(item.redemptions, dict) else {}
    container = raw.get("points_redemptions") or raw.get("pointsRedemptions") or {}
    ids = container.get("id", []) if isinstance(container, dict) else container
    ids = [text(i) for i in (ids if isinstance(ids, list) else [ids]) if text(i)]
    for rid in ids:
        try:
            found = till.engine.redemption(rid)
        except EngineError as exc:
            raise ItemError(642, f"Unknown points redemption id {rid}") from exc
        if found.member_id != member.member_id:
            raise ItemError(642, f"Points redemption {rid} belongs to another customer")
    return ids


def book_sale(
    till: Till,
    number: str,
    member: Member,
    amount: int,
    when: datetime,
    lines: list[dict[str, Any]],
    meta: dict[str, Any],
    merchant: str | None = None,
) -> Order:
    """Store a loyalty bill as an engine order and note its number (new, or `merchant`'s)."""
    fresh = merchant is None
    merchant = merchant or bill_numbers.next_merchant(till, number)
    try:
        order: Order = till.engine.record_order(
            number,
            member.member_id,
            amount,
            paid_amount=amount,
            lines=lines,
            merchant_id=merchant,
            attributes={"capillary": meta},
        ).value
    except EngineError as exc:
        raise from_engine(exc, TRANSACTION_CODES, 608) from exc
    if fresh:
        bill_numbers.record(till, number, bill_numbers.SALE, when, merchant)
    bills.index_sale(till, order)
    return order


def regular_sale(till: Till, item: TransactionIn) -> dict[str, Any]:
    number = bill_checks.bill_number(till, item) or _auto_number(till, "AUTO")
    amount = bill_checks.bill_amount(till, item)
    when = bill_checks.billing_time(till, item)
    lines = bill_checks.lines_of(till, item)
    idents = members.identifiers(item.customer)
    if not idents:
        raise ItemError(606)
    members.check_identifiers(idents, mobile_code=649)
    check_new_number(till, number, when)
    member = members.resolve(till, idents)
    if member is None:  # a new identifier enrols the customer (capillary.md §3.4)
        if not members.engine_identifiers(idents):  # an unknown user id enrols nobody
            raise ItemError(611)
        member = members.register(till, idents, item.customer)
    links = linked_redemptions(till, item, member)
    gross = decimal_of(item.gross_amount, 601)
    discount = decimal_of(item.discount, 601)
    meta = {
        "number": number,
        "store": till.store,
        "till": till.code,
        "billing_time": fmt_time(when),
        "notes": text(item.notes) or "",
        "gross_minor": bill_checks.to_minor(till, gross) if gross is not None else amount,
        "discount_minor": bill_checks.to_minor(till, discount) if discount is not None else 0,
        "lines": [line.shown for line in lines],
        "points_redemptions": links,
    }
    order = book_sale(till, number, member, amount, when, [ln.engine_line() for ln in lines], meta)
    effects = [points_effect(till, member, order.points_earned)] if order.points_earned else []
    return {
        **bills.bill_shell(item, "REGULAR"),
        "id": bills.sale_id(order),
        "number": number,
        "customer": members.bill_customer(till, member),
        "side_effects": {"effect": effects},
        "item_status": item_status(600, "Transaction added successfully", True),
    }


def not_interested_sale(till: Till, item: TransactionIn) -> dict[str, Any]:
    """A bill without a loyalty customer: recorded (for duplicates and returns), no points."""
    number = bill_checks.bill_number(till, item) or _auto_number(till, "NI")
    amount = bill_checks.bill_amount(till, item)
    when = bill_checks.billing_time(till, item)
    lines = bill_checks.lines_of(till, item)  # kept for a later retro conversion
    check_new_number(till, number, when)
    merchant = bill_numbers.next_merchant(till, number)
    bill_numbers.record(till, number, bill_numbers.NOT_INTERESTED, when, merchant)
    key = bills.ni_key(merchant, number)
    bill_id = bills.numeric_id(f"ni\x00{key}")
    till.data.setdefault(bills.NI_BILLS, {})[key] = {
        "id": bill_id,
        "number": number,
        "amount_minor": amount,
        "returned_minor": 0,
        "billing_time": fmt_time(when),
        "store": till.store,
        "till": till.code,
        "merchant": merchant,
        "notes": text(item.notes) or "",
        "lines": [line.engine_line() for line in lines],
        "shown": [line.shown for line in lines],
    }
    till.data.setdefault(bills.NI_BY_ID, {})[str(bill_id)] = key
    return {
        **bills.bill_shell(item, "NOT_INTERESTED"),
        "id": bill_id,
        "number": number,
        "item_status": item_status(600, "Transaction added successfully", True),
    }


HANDLERS = {
    "regular": regular_sale,
    "not_interested": not_interested_sale,
    "return": returns.loyalty_return,
    "not_interested_return": returns.not_interested_return,
    "mixed": exchanges.mixed_bill,
}


async def transaction_add(request: Request, till: Till = Depends(guard("transaction/add"))):
    raws = read_items(await read_body(request), "transaction")
    if len(raws) > till.cfg.max_batch_size:
        body = failure_body(1060, f"Batch size exceeds {till.cfg.max_batch_size} transactions")
        return respond(request, body, till.cfg, 400)

    def handle(raw: Any) -> dict[str, Any]:
        item = parse_item(TransactionIn, raw)
        kind = (text(item.type) or "regular").lower()
        handler = HANDLERS.get(kind)
        if handler is None:
            raise ItemError(605, f"Transaction type {kind!r} is not supported here")
        return handler(till, item)

    def fail(raw: Any, err: ItemError) -> dict[str, Any]:
        kind = str(raw.get("type") or "regular").upper() if isinstance(raw, dict) else ""
        shell = bills.bill_shell(raw if isinstance(raw, dict) else {}, kind)
        return {**shell, "item_status": item_status(err.code, err.message, False)}

    with till.engine.lock:
        items, outcomes = run_batch(raws, handle, fail)
    body = {"status": request_status(outcomes), "transactions": {"transaction": items}}
    return respond(request, {"response": body}, till.cfg)


# -- transaction/get ---------------------------------------------------------------
# A read of bills by id or number (v1.1 transaction/get).


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
    wanted = [("id", v) for v in split_list(params.get("id"))]
    wanted += [("number", v) for v in split_list(params.get("number"))]
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
