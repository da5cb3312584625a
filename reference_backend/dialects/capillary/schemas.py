"""Request shapes and the tolerant parsing v1.1 clients need.

Bodies wrap items as `{"root": {"<entity>": item | [items]}}`; numbers usually arrive as
strings; list containers come as `{"line_item": obj | [objs]}`. Models accept every
documented field (extra fields are kept); conversions raise item-level errors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, ValidationError

from ... import hardening
from ...hardening import MAX_NUMBER, JsonRejected, check_tree, loads
from . import xml_format
from .errors import ItemError

Scalar = str | int | float | None
M = TypeVar("M", bound=BaseModel)
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


class Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class CustomerRef(Lenient):
    """Any of the identifiers a v1.1 call may name a customer by, plus profile fields."""

    mobile: Scalar = None
    email: Scalar = None
    external_id: Scalar = None
    card_number: Scalar = None
    card_external_id: Scalar = None
    id: Scalar = None
    user_id: Scalar = None
    firstname: Scalar = None
    lastname: Scalar = None
    type: Scalar = None


class CustomerIn(CustomerRef):
    registered_on: Scalar = None
    source: Scalar = None
    custom_fields: Any = None
    extended_fields: Any = None


class LineItemIn(Lenient):
    serial: Scalar = None
    item_code: Scalar = None
    description: Scalar = None
    qty: Scalar = None
    rate: Scalar = None
    value: Scalar = None
    discount: Scalar = None
    amount: Scalar = None
    type: Scalar = None


class TransactionIn(Lenient):
    type: Scalar = None
    number: Scalar = None
    amount: Scalar = None
    gross_amount: Scalar = None
    discount: Scalar = None
    billing_time: Scalar = None
    purchase_time: Scalar = None
    return_type: Scalar = None
    parent_bill_number: Scalar = None
    id: Scalar = None
    old_type: Scalar = None
    new_type: Scalar = None
    bill_client_id: Scalar = None
    notes: Scalar = None
    source: Scalar = None
    outlier_status: Scalar = None
    customer: CustomerRef | None = None
    line_items: Any = None
    redemptions: Any = None


class RedeemIn(Lenient):
    points_redeemed: Scalar = None
    customer: CustomerRef | None = None
    validation_code: Scalar = None
    transaction_number: Scalar = None
    external_reference_number: Scalar = None
    redemption_time: Scalar = None
    notes: Scalar = None
    redemption_purpose: Scalar = None


class CouponRedeemIn(Lenient):
    code: Scalar = None
    id: Scalar = None
    customer: CustomerRef | None = None
    validation_code: Scalar = None
    transaction: Any = None
    redemption_time: Scalar = None


def read_items(raw: bytes, entity: str) -> list[Any]:
    """The items under root.<entity>; anything unreadable is a request-level 400."""
    if xml_format.is_xml(raw):
        body: Any = xml_format.parse(raw)
        try:  # the same bounds as JSON: depth, Unicode
            check_tree(body)
        except JsonRejected as exc:
            raise HTTPException(400, f"body is not acceptable XML: {exc}") from exc
    else:
        try:
            body = loads(raw) if raw.strip() else None
        except JsonRejected as exc:
            raise HTTPException(400, f"body is not acceptable JSON: {exc}") from exc
        except ValueError as exc:  # UnicodeDecodeError is a ValueError
            raise HTTPException(400, "body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise HTTPException(400, f"expected {{'root': {{'{entity}': ...}}}}")
    root = body.get("root", body)  # tolerate a missing root wrapper
    items = root.get(entity) if isinstance(root, dict) else None
    if isinstance(items, dict):
        return [items]
    if isinstance(items, list) and items:
        return items
    raise HTTPException(400, f"root.{entity} is missing or empty")


def parse_item(model: type[M], raw: Any) -> M:
    if not isinstance(raw, dict):
        raise ItemError(400, "each item must be an object")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ItemError(400, f"Input is invalid: {where}: {first.get('msg')}") from exc


def listed(container: Any, key: str) -> list[Any]:
    """`{"line_item": x}`, `{"line_item": [x]}`, `[x]` or `x` -> a list."""
    if isinstance(container, dict) and key in container:
        container = container[key]
    if container in (None, "", {}):
        return []
    return container if isinstance(container, list) else [container]


def text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    out = str(value).strip()
    return out or None


def decimal_of(value: Any, code: int) -> Decimal | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ItemError(code) from exc
    if not number.is_finite() or abs(number) > MAX_NUMBER:
        raise ItemError(code)
    return number


def to_minor(amount: Decimal, minor_units: int) -> int:
    return int((amount * 10**minor_units).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def points_of(value: Any) -> int:
    """Points as the engine holds them: positive integers (878 beyond 3 decimals)."""
    number = decimal_of(value, 801)
    if number is None or number <= 0:
        raise ItemError(801)
    if number != number.quantize(Decimal("0.001")):
        raise ItemError(878)
    if number != number.to_integral_value():
        raise ItemError(801, "Points to redeem must be a whole number")
    return int(number)


def parse_time(value: Any, code: int) -> datetime | None:
    raw = text(value)
    if raw is None:
        return None
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ItemError(code) from exc
    try:
        return hardening.utc_instant(parsed)
    except ValueError as exc:  # an offset past year 9999: no instant to store
        raise ItemError(code) from exc


def flag(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes") if value is not None else False


def fmt_time(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else ""


def major(minor: int, minor_units: int) -> int | float:
    """Minor units back to the major amounts v1.1 shows (integers when whole)."""
    value = Decimal(minor) / (10**minor_units)
    return int(value) if value == value.to_integral_value() else float(value)


def split_list(raw: str | None) -> list[str]:
    """A comma-separated query parameter (`id=1,2`, `code=A,B`) as its non-empty values."""
    return [v.strip() for v in (raw or "").split(",") if v.strip()]
