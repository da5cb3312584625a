"""Bill-level validation shared by sales and returns (capillary.md §3.4 and §4 configs)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .auth import Till
from .errors import ItemError
from .schemas import LineItemIn, TransactionIn, decimal_of, listed, parse_item, parse_time, text
from .schemas import to_minor as _to_minor

MAX_NUMBER_LENGTH = 50
FUTURE_TOLERANCE = timedelta(days=1)  # till clocks drift; a bill a day ahead is refused


@dataclass
class Line:
    sku: str
    qty: int
    amount_minor: int
    shown: dict[str, Any] = field(default_factory=dict)

    def engine_line(self) -> dict[str, Any]:
        quantity = max(1, self.qty)  # v1.1 rounds qty; 0.0008 kg becomes 0, kept as one unit
        return {
            "sku": self.sku,
            "quantity": quantity,
            "unit_price": self.amount_minor // quantity,
            "name": self.shown.get("description"),
        }


def to_minor(till: Till, amount: Decimal) -> int:
    return _to_minor(amount, till.engine.config.minor_units)


def bill_number(till: Till, item: TransactionIn, *, required_code: int = 602) -> str | None:
    number = text(item.number)
    cfg = till.cfg
    if number is None:
        if cfg.bill_number_required:
            raise ItemError(required_code)
        return None
    if len(number) > MAX_NUMBER_LENGTH:
        raise ItemError(602, "Transaction number is longer than 50 characters")
    if cfg.bill_number_regex and not re.fullmatch(cfg.bill_number_regex, number):
        raise ItemError(602, "Transaction number does not match the configured format")
    return number


def bill_amount(till: Till, item: TransactionIn) -> int:
    """The net amount in minor units, within the org's configured range."""
    amount = decimal_of(item.amount, 601)
    cfg = till.cfg
    if amount is None:
        raise ItemError(601, "Bill amount is required")
    if amount < 0:
        raise ItemError(631)
    if amount == 0 and not cfg.allow_zero_amount:
        raise ItemError(601, "Zero-amount bills are not accepted")
    if cfg.min_bill_amount is not None and amount < cfg.min_bill_amount:
        raise ItemError(601, f"Bill amount is below the minimum of {cfg.min_bill_amount}")
    if cfg.max_bill_amount is not None and amount > cfg.max_bill_amount:
        raise ItemError(601, f"Bill amount is above the maximum of {cfg.max_bill_amount}")
    for extra in (item.gross_amount, item.discount):
        value = decimal_of(extra, 601)
        if value is not None and value < 0:
            raise ItemError(601, "Gross amount and discount cannot be negative")
    return to_minor(till, amount)


def billing_time(till: Till, item: TransactionIn) -> datetime:
    """The bill's time: unreadable 621, ahead of the clock 643, before CONF_MIN_BILLING_DATE
    644 (the codes and wording of InTouch's own billing tests)."""
    now = till.engine.now()
    when = parse_time(item.billing_time, 621) or now
    if when > now + FUTURE_TOLERANCE:
        raise ItemError(643)
    earliest = till.cfg.min_billing_date
    if earliest is not None and when.date() < earliest:
        raise ItemError(644)
    return when


def _quantity(raw: Any) -> int:
    qty = decimal_of(raw, 601)
    if qty is None:
        return 1
    if qty < 0:
        raise ItemError(601, "Line quantity cannot be negative")
    return int(qty.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def lines_of(till: Till, item: TransactionIn) -> list[Line]:
    """Line items (object or list); amount = value - discount when no amount is given."""
    parsed = []
    for i, raw in enumerate(listed(item.line_items, "line_item")):
        line = parse_item(LineItemIn, raw)
        qty = _quantity(line.qty)
        rate, value = decimal_of(line.rate, 601), decimal_of(line.value, 601)
        discount = decimal_of(line.discount, 601) or Decimal(0)
        amount = decimal_of(line.amount, 601)
        if amount is None:
            gross = value if value is not None else (rate or Decimal(0)) * qty
            amount = gross - discount
        if amount < 0 or discount < 0 or (rate is not None and rate < 0):
            raise ItemError(601, f"Line item {i + 1} has a negative amount, rate or discount")
        sku = text(line.item_code) or f"item-{text(line.serial) or i + 1}"
        shown = {
            "serial": text(line.serial) or str(i + 1),
            "item_code": sku,
            "description": text(line.description) or "",
            "qty": str(qty),
            "rate": text(line.rate) or "",
            "value": text(line.value) or "",
            "discount": text(line.discount) or "0",
            "amount": str(amount),
        }
        parsed.append(Line(sku, qty, to_minor(till, amount), shown))
    return parsed
