"""POST transaction/update: retro conversion of a not-interested bill into a loyalty bill
(old_type NOT_INTERESTED -> new_type REGULAR), and notes updates on a loyalty bill.

CONF_RETRO_TRANSACTION_ENABLE gates the conversion (1631 when off) and
CONF_CLIENT_RETRO_MAX_ALLOWED_AGE_DAYS bounds the bill's age on the tenant clock (1632),
CONF_CLIENT_RETRO_DELAY_SINCE_REGISTRATION_HOURS the gap to the customer's registration (1633).
The source must sign the call with X-CAP-CLIENT-SIGNATURE (1629 without it).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Depends, Request

from ...engine import Member
from ...hardening import read_body
from . import bill_numbers, bills, members
from .auth import Till, guard
from .convert import item_status, request_status, respond
from .errors import ItemError, run_batch
from .schemas import TransactionIn, parse_item, parse_time, read_items, text
from .transactions import book_sale, points_effect

SIGNATURE_HEADER = "x-cap-client-signature"
RETRO_DONE = "Transaction retrospectively marked REGULAR, Transaction added successfully"


def _ni_bill(till: Till, item: TransactionIn) -> tuple[str, dict[str, Any]]:
    key = till.data.get(bills.NI_BY_ID, {}).get(text(item.id) or "")
    if key is None and text(item.number):
        found = bills.find_ni(till, text(item.number) or "")
        key = bills.ni_key(found["merchant"], found["number"]) if found else None
    bill = till.data.get(bills.NI_BILLS, {}).get(key) if key else None
    if bill is None:
        raise ItemError(688)
    return key, bill


def _check_age(till: Till, bill: dict[str, Any]) -> None:
    days = till.cfg.retro_max_allowed_age_days
    billed = parse_time(bill["billing_time"], 621)
    if days and billed and till.engine.now() - billed > timedelta(days=days):
        raise ItemError(1632, f"The bill is older than the {days} days allowed for retro")


def _check_registration_gap(till: Till, member: Member | None, bill: dict[str, Any]) -> None:
    """CONF_CLIENT_RETRO_DELAY_SINCE_REGISTRATION_HOURS: a bill is tagged to a customer who
    registered within N hours of it (1633 beyond); a new customer registers now."""
    hours = till.cfg.retro_delay_since_registration_hours
    billed = parse_time(bill["billing_time"], 621)
    registered = member.created_at if member is not None else till.engine.now()
    if hours and billed and registered - billed > timedelta(hours=hours):
        raise ItemError(1633, f"The customer registered more than {hours} hours after the bill")


def convert(till: Till, item: TransactionIn, signed: bool) -> dict[str, Any]:
    old, new = (text(item.old_type) or "").upper(), (text(item.new_type) or "").upper()
    if (old, new) != ("NOT_INTERESTED", "REGULAR"):
        raise ItemError(605, "Only NOT_INTERESTED to REGULAR conversion is supported")
    if not signed:
        raise ItemError(1629)
    if not till.cfg.retro_transaction_enable:
        raise ItemError(1631)
    key, bill = _ni_bill(till, item)
    if bill.get("converted_to"):
        raise ItemError(1627)
    if bill["returned_minor"]:
        raise ItemError(1628, "A returned not-interested bill cannot be converted")
    _check_age(till, bill)
    idents = members.identifiers(item.customer)
    if not idents:
        raise ItemError(606)
    members.check_identifiers(idents, mobile_code=649)
    member = members.resolve(till, idents)
    _check_registration_gap(till, member, bill)
    if member is None:
        if not members.engine_identifiers(idents):
            raise ItemError(611)
        member = members.register(till, idents, item.customer)
    meta = {
        "number": bill["number"],
        "store": bill["store"],
        "till": bill["till"],
        "billing_time": bill["billing_time"],
        "notes": text(item.notes) or bill.get("notes", ""),
        "gross_minor": bill["amount_minor"],
        "discount_minor": 0,
        "lines": bill.get("shown", []),
        "points_redemptions": [],
        "retro_from": bill["id"],
    }
    when = parse_time(bill["billing_time"], 621) or till.engine.now()
    order = book_sale(
        till,
        bill["number"],
        member,
        bill["amount_minor"],
        when,
        bill.get("lines", []),
        meta,
        merchant=bill["merchant"],
    )
    bill_numbers.convert(till, bill["number"], bill["merchant"])
    bill["converted_to"] = bills.sale_id(order)
    effects = [points_effect(till, member, order.points_earned)] if order.points_earned else []
    return {
        "customer": members.bill_customer(till, member),
        "billing_time": bill["billing_time"],
        "number": bill["number"],
        "type": "REGULAR",
        "delivery_status": "DELIVERED",
        "old_id": bill["id"],
        "old_type": "NOT_INTERESTED",
        "id": bills.sale_id(order),
        "side_effects": {"effect": effects},
        "item_status": item_status(1630, RETRO_DONE, True),
    }


def update_notes(till: Till, item: TransactionIn) -> dict[str, Any]:
    """The non-retro form: a loyalty bill's notes (other fields are not stored)."""
    number = text(item.number)
    order = bills.find_sale(till, number) if number else None
    if order is None:
        raise ItemError(688)
    if text(item.notes) is not None:
        till.data.setdefault(bills.BILL_NOTES, {})[str(bills.sale_id(order))] = text(item.notes)
    return {
        **bills.sale_row(till, order),
        "customer": members.bill_customer(till, till.engine.member(order.member_id)),
        "item_status": item_status(600, "Transaction updated successfully", True),
    }


async def transaction_update(request: Request, till: Till = Depends(guard("transaction/update"))):
    raws = read_items(await read_body(request), "transaction")
    signed = bool((request.headers.get(SIGNATURE_HEADER) or "").strip())

    def handle(raw: Any) -> dict[str, Any]:
        item = parse_item(TransactionIn, raw)
        if text(item.new_type) or text(item.old_type):
            return convert(till, item, signed)
        return update_notes(till, item)

    def fail(raw: Any, err: ItemError) -> dict[str, Any]:
        number = text(raw.get("number")) if isinstance(raw, dict) else None
        shell = {"id": -1, "number": number or "", "type": "", "side_effects": {"effect": []}}
        return {**shell, "item_status": item_status(err.code, err.message, False)}

    with till.engine.lock:
        items, outcomes = run_batch(raws, handle, fail)
    body = {"status": request_status(outcomes), "transactions": {"transaction": items}}
    return respond(request, {"response": body}, till.cfg)
