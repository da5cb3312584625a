"""Bills: where a bill number is unique, its numeric id, and the history rows v1.1 lists.

Loyalty bills are engine orders keyed by bill number under the merchant id that
bill_numbers gave their posting; which numbers may repeat is bill_numbers' decision.
Not-interested bills have no customer and no points; they live in the dialect's data.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ...engine import EngineError, Member, Order, Refund
from . import bill_numbers
from .auth import Till
from .schemas import TransactionIn, fmt_time, major, text

NI_BILLS = "ni_bills"
NI_BY_ID = "ni_bills_by_id"
BILL_NOTES = "bill_notes"  # transaction/update notes, by bill id
SALE_BY_ID = "sale_bills_by_id"  # bill id -> [engine merchant id, bill number]
RETURNS = "returns"
BILL_REDEMPTIONS = "bill_redemptions"


def numeric_id(key: str) -> int:
    """A stable 9-digit id for a bill or return (no counter to lose on restore)."""
    return 100000000 + int(hashlib.sha256(key.encode()).hexdigest()[:12], 16) % 900000000


def sale_id(order: Order) -> int:
    return numeric_id(f"sale\x00{order.merchant_id}\x00{order.order_id}")


def return_id(refund: Refund) -> int:
    return numeric_id(f"return\x00{refund.merchant_id}\x00{refund.refund_id}")


def find_sale(till: Till, number: str) -> Order | None:
    posting = bill_numbers.find(till, number, bill_numbers.SALE)
    if posting is None:
        return None
    try:
        return till.engine.order(number, posting["merchant"])
    except EngineError as exc:
        if exc.code == "order_not_found":  # a posting whose order a restore dropped
            return None
        raise


def index_sale(till: Till, order: Order) -> None:
    till.data.setdefault(SALE_BY_ID, {})[str(sale_id(order))] = [order.merchant_id, order.order_id]


def sale_with_id(till: Till, bill_id: str) -> Order | None:
    """transaction/get?id=: a loyalty bill by its id, whoever the customer."""
    found = till.data.get(SALE_BY_ID, {}).get(bill_id)
    if found is None:
        return None
    merchant, number = found
    return till.engine.order(number, merchant)


def find_sale_by_id(till: Till, member: Member | None, bill_id: str) -> Order | None:
    """A return may name the original bill by id (when numbers repeat across stores)."""
    if member is None:
        return None
    order = sale_with_id(till, bill_id)
    return order if order is not None and order.member_id == member.member_id else None


def ni_key(merchant: str, number: str) -> str:
    return f"{merchant}\x00{number}"


def find_ni(till: Till, number: str) -> dict[str, Any] | None:
    posting = bill_numbers.find(till, number, bill_numbers.NOT_INTERESTED)
    if posting is None:
        return None
    return till.data.get(NI_BILLS, {}).get(ni_key(posting["merchant"], number))


def attrs(order: Order) -> dict[str, Any]:
    return order.attributes.get("capillary") or {}


def visible(till: Till, order: Order) -> bool:
    """A till sees its own store's bills, and bills with no store (org-level)."""
    store = attrs(order).get("store")
    return store is None or store == till.store


def _money(till: Till, minor: int) -> str:
    return str(major(minor, till.engine.config.minor_units))


def sale_row(till: Till, order: Order) -> dict[str, Any]:
    meta = attrs(order)
    redeemed = till.data.get(BILL_REDEMPTIONS, {}).get(order.order_id, 0)
    return {
        "id": str(sale_id(order)),
        "number": order.order_id,
        "type": "REGULAR",
        "return_type": "",
        "amount": _money(till, order.paid_amount),
        "outlier_status": "NORMAL",
        "delivery_status": "DELIVERED",
        "notes": till.data.get(BILL_NOTES, {}).get(str(sale_id(order)), meta.get("notes", "")),
        "billing_time": meta.get("billing_time", fmt_time(order.created_at)),
        "auto_update_time": fmt_time(order.created_at),
        "gross_amount": _money(till, meta.get("gross_minor", order.total_amount)),
        "discount": _money(till, meta.get("discount_minor", 0)),
        "store": meta.get("store", ""),
        "store_code": meta.get("store", ""),
        "returned_points_on_bill": f"{order.points_revoked:.1f}",
        "points": {
            "issued": str(order.points_earned),
            "redeemed": str(order.points_redeemed + redeemed),
            "returned": str(order.points_revoked),
            "expired": "0",
            "returnedPointsOnBill": f"{order.points_revoked:.1f}",
            "expiry_date": "",
            "program_id": str(till.cfg.program_id),
        },
        "custom_fields": {"field": []},
        "extended_fields": {"field": []},
        "coupons": [],
        "basket_size": sum(line.quantity for line in order.lines),
        "line_items": {"line_item": meta.get("lines", [])},
    }


def return_row(till: Till, order: Order, refund: Refund) -> dict[str, Any]:
    meta = till.data.get(RETURNS, {}).get(refund.refund_id, {})
    row = sale_row(till, order)
    row.update(
        id=str(return_id(refund)),
        type="RETURN",
        return_type=meta.get("return_type", "LINE_ITEM" if refund.lines else "AMOUNT"),
        amount=_money(till, refund.amount),
        gross_amount=_money(till, refund.amount),
        discount="0",
        billing_time=meta.get("billing_time", fmt_time(refund.created_at)),
        auto_update_time=fmt_time(refund.created_at),
        parent_bill_number=meta.get("return_number", ""),
        returned_points_on_bill=f"{refund.points_revoked:.1f}",
        basket_size=sum(qty for _, qty in refund.lines),
        line_items={"line_item": meta.get("lines", [])},
    )
    row["points"] = {
        **row["points"],
        "issued": "0",
        "redeemed": "0",
        "returned": str(refund.points_revoked),
        "returnedPointsOnBill": f"{refund.points_revoked:.1f}",
    }
    return row


def history(till: Till, member: Member, limit: int | None = None) -> list[dict[str, Any]]:
    """Every bill of the member this till may see, sales and returns, newest first.

    Rows are sorted on light keys first and only the `limit` newest are rendered: members
    of a busy till collect thousands of bills, and customer/get shows ten.
    """
    entries: list[tuple[str, int, Order, Refund | None]] = []  # (billing_time, position, ...)
    returns = till.data.get(RETURNS, {})
    for order, order_refunds in till.engine.member_bills(member.member_id):
        if not visible(till, order):
            continue
        sale_time = attrs(order).get("billing_time", fmt_time(order.created_at))
        entries.append((sale_time, len(entries), order, None))
        for refund in order_refunds:
            meta = returns.get(refund.refund_id, {})
            refund_time = meta.get("billing_time", fmt_time(refund.created_at))
            entries.append((refund_time, len(entries), order, refund))
    # newest first; among equal times, later-recorded bills (returns) first
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    if limit is not None:
        entries = entries[:limit]
    return [
        sale_row(till, order) if refund is None else return_row(till, order, refund)
        for _, _, order, refund in entries
    ]


def short_rows(rows: list[dict[str, Any]], limit: int = 10) -> list[dict[str, Any]]:
    """customer/get's compact transaction list."""
    return [
        {
            "id": r["id"],
            "number": r["number"],
            "type": r["type"],
            "created_date": r["billing_time"],
            "store": r["store"],
        }
        for r in rows[:limit]
    ]


def bill_shell(item: TransactionIn | dict[str, Any], kind: str) -> dict[str, Any]:
    """The fields every transaction item echoes, success or not."""
    get = item.get if isinstance(item, dict) else lambda k: getattr(item, k, None)
    return {
        "id": -1,
        "shipping_source_till_code": "",
        "number": text(get("number")) or "",
        "bill_client_id": text(get("bill_client_id")) or "",
        "type": kind,
        "delivery_status": "DELIVERED",
        "parent_bill_number": text(get("parent_bill_number")) or "",
        "outlier_status": "NORMAL",
        "customer": {},
        "side_effects": {"effect": []},
        "source": text(get("source")) or "INSTORE",
    }
