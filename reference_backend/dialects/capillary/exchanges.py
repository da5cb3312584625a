"""Exchange bills: transaction/add type MIXED (capillary.md §3.5, the spec's "Mixed Transaction").

Lines of type `return` name their original bill in `transaction_number` (and its date in
`transaction_date`); they become line-item returns against those bills, revoking the
points earned on them. Lines of type `regular` are a new sale under the exchange bill's
number, earning on their own amounts. Everything that can refuse the sale is checked
and every return line against its original bill (found, the customer's, quantities left)
before anything is booked, so a refused exchange leaves no half of itself behind.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import bill_checks, bills, members, returns, transactions
from .auth import Till
from .convert import item_status
from .errors import ItemError
from .schemas import LineItemIn, TransactionIn, decimal_of, fmt_time, listed, parse_item, text


def _is_return(raw: Any) -> bool:
    return isinstance(raw, dict) and str(raw.get("type") or "").lower() == "return"


def _line_amount(raw: Any) -> Decimal:
    line = parse_item(LineItemIn, raw)
    amount = decimal_of(line.amount, 601)
    if amount is None:
        qty = decimal_of(line.qty, 601) or Decimal(1)
        value = decimal_of(line.value, 601)
        amount = value if value is not None else (decimal_of(line.rate, 601) or 0) * qty
        amount -= decimal_of(line.discount, 601) or 0
    return amount


def _return_groups(raws: list[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for raw in raws:
        original = text(raw.get("transaction_number"))
        if original is None:
            raise ItemError(625, "A return line needs the original bill's transaction_number")
        groups.setdefault(original, []).append(raw)
    return groups


def mixed_bill(till: Till, item: TransactionIn) -> dict[str, Any]:
    raw_item = item.model_dump()
    lines = listed(item.line_items, "line_item")
    sold = [raw for raw in lines if not _is_return(raw)]
    groups = _return_groups([raw for raw in lines if _is_return(raw)])
    if not groups:
        raise ItemError(605, "A mixed bill needs at least one line of type return")
    number = bill_checks.bill_number(till, item)
    if number is None:
        raise ItemError(602)
    when = bill_checks.billing_time(till, item)
    member = members.known_member(till, item.customer)
    sale = None
    if sold:
        sale_amount = sum((_line_amount(raw) for raw in sold), Decimal(0))
        sale_raw = {**raw_item, "type": "regular", "amount": str(sale_amount)}
        sale_raw["line_items"] = {"line_item": sold}
        sale = parse_item(TransactionIn, sale_raw)
        bill_checks.bill_amount(till, sale)
        bill_checks.lines_of(till, sale)
        transactions.check_new_number(till, number, when)
        transactions.linked_redemptions(till, sale, member)
    planned = []
    for k, (original, group) in enumerate(sorted(groups.items())):
        receipt = number if len(groups) == 1 else f"{number}/{k + 1}"
        return_raw = {
            "type": "RETURN",
            "return_type": "LINE_ITEM",
            "number": original,
            "purchase_time": group[0].get("transaction_date"),
            "billing_time": fmt_time(when),
            "parent_bill_number": receipt,
            "customer": raw_item.get("customer"),
            "line_items": {"line_item": group},
        }
        planned.append(parse_item(TransactionIn, return_raw))
        returns.check_line_return(till, planned[-1], member)
    deducted = 0
    for return_item in planned:
        deducted += returns.loyalty_return(till, return_item)["points_deducted"]
    effects: list[dict[str, Any]] = []
    bill_id: Any = -1
    if sale is not None:
        booked = transactions.regular_sale(till, sale)
        effects, bill_id = booked["side_effects"]["effect"], booked["id"]
    balance = till.engine.balance(member.member_id)["available"]
    return {
        **bills.bill_shell(item, "MIXED"),
        "id": bill_id,
        "number": number,
        "customer": members.bill_customer(till, member),
        "side_effects": {"effect": effects},
        "points_deducted": deducted,
        "points_balance": balance,
        "item_status": item_status(600, returns.ADDED, True),
    }
