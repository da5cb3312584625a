"""Return bills (transaction/add type RETURN / NOT_INTERESTED_RETURN), capillary.md §3.5.

`number` names the original sale; `parent_bill_number` is the return receipt's own
number. FULL, AMOUNT and LINE_ITEM returns become engine refunds, which revoke earned
points in proportion to the money returned (cumulative floor, so a full return settles).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ...engine import EngineError, Member, Order
from . import bill_checks, bills, members
from .auth import Till
from .convert import item_status
from .errors import TRANSACTION_CODES, ItemError, from_engine
from .schemas import (
    LineItemIn,
    TransactionIn,
    decimal_of,
    fmt_time,
    listed,
    parse_item,
    parse_time,
    text,
)

RETURN_TYPES = ("FULL", "AMOUNT", "LINE_ITEM")
ADDED = "Transaction added successfully"


def _return_type(item: TransactionIn) -> str:
    """The declared type, or inferred from the body when a client leaves it out."""
    declared = text(item.return_type)
    if declared is None:
        if listed(item.line_items, "line_item"):
            return "LINE_ITEM"
        return "AMOUNT" if text(item.amount) else "FULL"
    if declared.upper() not in RETURN_TYPES:
        raise ItemError(628)
    return declared.upper()


def _original(till: Till, item: TransactionIn, member: Member) -> Order | None:
    bill_id = text(item.id)
    if bill_id:
        return bills.find_sale_by_id(till, member, bill_id)
    number = text(item.number)
    return bills.find_sale(till, number) if number else None


def _check_times(till: Till, item: TransactionIn, order: Order) -> str:
    returned_at = parse_time(item.billing_time, 621) or till.engine.now()
    sold_at = parse_time(bills.attrs(order).get("billing_time"), 621) or order.created_at
    purchase = parse_time(item.purchase_time, 624)
    if returned_at < sold_at or (purchase is not None and returned_at < purchase):
        raise ItemError(624)
    return fmt_time(returned_at)


def _previous_kinds(till: Till, order: Order) -> set[str]:
    metas = till.data.get(bills.RETURNS, {})
    kinds = set()
    for refund in till.engine.order_refunds(order.order_id, order.merchant_id):
        meta = metas.get(refund.refund_id, {})
        kinds.add(meta.get("return_type", "LINE_ITEM" if refund.lines else "AMOUNT"))
    return kinds


def _refund_lines(item: TransactionIn, order: Order) -> list[dict[str, Any]]:
    raws = listed(item.line_items, "line_item")
    if not raws:
        raise ItemError(679)
    skus = {line.sku for line in order.lines}
    wanted: list[dict[str, Any]] = []
    for raw in raws:
        line = parse_item(LineItemIn, raw)
        sku = text(line.item_code)
        if sku not in skus:
            raise ItemError(687, f"No line with item code {sku!r} on bill {order.order_id}")
        qty = decimal_of(line.qty, 601)
        count = 1 if qty is None else int(qty.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if count <= 0:
            raise ItemError(627)
        wanted.append({"sku": sku, "quantity": count})
    return wanted


def _refund_id(till: Till, order: Order, return_number: str | None) -> str:
    if return_number:  # the return receipt's own number is unique like any bill number
        return f"return:{return_number}"
    serial = len(order.refund_ids) + 1
    return f"{order.order_id}#R{serial}"


def check_line_return(till: Till, item: TransactionIn, member: Member) -> None:
    """What a LINE_ITEM return would refuse, checked without booking it: an exchange bill
    checks every original bill first, so a refused exchange leaves nothing half done."""
    order = _original(till, item, member)
    if order is None or order.member_id != member.member_id:
        raise ItemError(625)
    _check_times(till, item, order)
    if order.state == "refunded":
        raise ItemError(633)
    if _previous_kinds(till, order) - {"LINE_ITEM"}:
        raise ItemError(632)
    left: dict[str, int] = {}
    for line in order.lines:
        left[line.sku] = left.get(line.sku, 0) + line.quantity
    for refund in till.engine.order_refunds(order.order_id, order.merchant_id):
        for index, qty in refund.lines:  # [line index, quantity]
            sku = order.lines[index].sku
            left[sku] = left.get(sku, 0) - qty
    for wanted in _refund_lines(item, order):
        left[wanted["sku"]] -= wanted["quantity"]
        if left[wanted["sku"]] < 0:
            raise ItemError(626)


def loyalty_return(till: Till, item: TransactionIn) -> dict[str, Any]:
    return_type = _return_type(item)
    if text(item.number) is None and text(item.id) is None:
        raise ItemError(677 if till.cfg.return_bill_number_required else 602)
    member = members.known_member(till, item.customer)
    order = _original(till, item, member)
    if order is None or order.member_id != member.member_id:
        if till.cfg.allow_not_existing_bill_return:
            return _unmatched_return(till, item, member, return_type)
        raise ItemError(625)
    returned_at = _check_times(till, item, order)
    if order.state == "refunded":
        raise ItemError(633)
    before = _previous_kinds(till, order)
    if return_type == "FULL" and before:
        raise ItemError(639)
    if before and return_type in ("AMOUNT", "LINE_ITEM") and before != {return_type}:
        raise ItemError(632)
    return_number = text(item.parent_bill_number)
    refund_id = _refund_id(till, order, return_number)
    kwargs: dict[str, Any] = {}
    lines: list[dict[str, Any]] = []
    if return_type == "AMOUNT":
        amount = decimal_of(item.amount, 601)
        if amount is None or amount <= 0:
            raise ItemError(601, "A positive amount is required for an amount return")
        kwargs["amount"] = bill_checks.to_minor(till, amount)
    elif return_type == "LINE_ITEM":
        kwargs["lines"] = lines = _refund_lines(item, order)
    try:
        outcome = till.engine.refund(
            order.order_id,
            refund_id,
            member_id=member.member_id,
            merchant_id=order.merchant_id,
            **kwargs,
        )
    except EngineError as exc:
        raise from_engine(exc, TRANSACTION_CODES, 608) from exc
    if outcome.replayed:
        raise ItemError(604, "Return bill number already exists")
    refund = outcome.value
    till.data.setdefault(bills.RETURNS, {})[refund_id] = {
        "return_type": return_type,
        "billing_time": returned_at,
        "return_number": return_number or "",
        "store": till.store,
        "till": till.code,
        "lines": [{"item_code": x["sku"], "qty": str(x["quantity"])} for x in lines],
    }
    balance = till.engine.balance(member.member_id)["available"]
    effects = []
    if refund.points_revoked:
        effects.append({"type": "points", "awarded_points": 0, "total_points": balance})
    return {
        **bills.bill_shell(item, "RETURN"),
        "id": bills.return_id(refund),
        "number": order.order_id,
        "return_type": return_type,
        "customer": members.bill_customer(till, member),
        "side_effects": {"effect": effects},
        "points_deducted": refund.points_revoked,
        "points_balance": balance,
        "item_status": item_status(600, ADDED, True),
    }


def _unmatched_return(
    till: Till, item: TransactionIn, member: Member, return_type: str
) -> dict[str, Any]:
    """CONF_ALLOW_NOT_EXISTING_BILL_RETURN: accepted with warning 625, no points move."""
    balance = till.engine.balance(member.member_id)["available"]
    message = f"{ADDED}, {ItemError(625).message}"
    return {
        **bills.bill_shell(item, "RETURN"),
        "return_type": return_type,
        "customer": members.bill_customer(till, member),
        "points_deducted": 0,
        "points_balance": balance,
        "item_status": item_status(600, message, True, warnings=["625"]),
    }


def not_interested_return(till: Till, item: TransactionIn) -> dict[str, Any]:
    """Return against a not-interested bill: bounded by its amount, no points involved."""
    number = text(item.number)
    if number is None:
        raise ItemError(677 if till.cfg.return_bill_number_required else 602)
    bill = bills.find_ni(till, number)
    if bill is None:
        if not till.cfg.allow_not_existing_bill_return:
            raise ItemError(625)
        bill = {"amount_minor": 0, "returned_minor": 0}
    left = bill["amount_minor"] - bill["returned_minor"]
    if _return_type(item) == "FULL" or text(item.amount) is None:
        amount = left
    else:
        given = decimal_of(item.amount, 601)
        amount = bill_checks.to_minor(till, given) if given is not None else left
    if amount <= 0 and bill["amount_minor"]:
        raise ItemError(633)
    if amount > left and bill["amount_minor"]:
        raise ItemError(630)
    bill["returned_minor"] += amount
    return {
        **bills.bill_shell(item, "NOT_INTERESTED_RETURN"),
        "number": number,
        "item_status": item_status(600, ADDED, True),
    }
