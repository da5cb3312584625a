"""Request bodies as Gameball documents them, read tolerantly.

Unknown fields are ignored, ids may be numbers, amounts may be numeric strings (older
Gameball docs sent them that way). Validation failures become Gameball codes: a missing
field 3000, an explicit null 3001, anything else 3003.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Request
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from ...hardening import MAX_NUMBER, BodyTooLarge, JsonRejected, loads, read_body
from .errors import GameballError


def _id(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value.strip() if isinstance(value, str) else value


def _str_list(value: Any) -> Any:
    """`category` and friends are arrays in the OAS but plain strings in some examples."""
    return [value] if isinstance(value, str) else value


Id = Annotated[str, BeforeValidator(_id), Field(min_length=1)]
OptId = Annotated[str | None, BeforeValidator(_id)]
StrList = Annotated[list[str] | None, BeforeValidator(_str_list)]
Amount = Annotated[float, Field(ge=0, le=MAX_NUMBER, allow_inf_nan=False)]
Json = dict[str, Any]  # what a handler returns


class Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _null_means_absent(cls, data: Any) -> Any:
        """An explicit null on an optional field is read as "not sent"; on a required one
        it stays, so the caller gets 3001 Null Arguments."""
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {
            k: v
            for k, v in data.items()
            if v is not None or (k in fields and fields[k].is_required())
        }


class Branch(Lenient):
    uniqueId: OptId = None
    name: str | None = None


class Merchant(Lenient):
    uniqueId: OptId = None
    name: str | None = None
    branch: Branch | None = None


class LineItem(Lenient):
    productId: OptId = None
    sku: OptId = None
    title: str | None = None
    quantity: Annotated[float, Field(gt=0, le=MAX_NUMBER, allow_inf_nan=False)] = 1
    price: Amount = 0
    taxes: Amount | None = None
    discount: Amount | None = None
    weight: float | None = None
    vendor: str | None = None
    tags: StrList = None
    category: StrList = None
    collection: StrList = None
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.sku or self.productId or self.title or "item"


class CustomerAttributes(Lenient):
    model_config = ConfigDict(extra="allow")

    displayName: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    email: str | None = None
    mobile: OptId = None
    gender: str | None = None
    dateOfBirth: str | None = None
    joinDate: str | None = None
    country: str | None = None
    city: str | None = None
    zip: OptId = None
    preferredLanguage: str | None = None
    source: str | None = None
    channel: str | None = None
    utms: list[Any] | None = None
    devices: list[Any] | None = None
    paymentMethods: list[Any] | None = None
    custom: dict[str, Any] | None = None


class UpsertCustomer(Lenient):
    customerId: Id
    email: str | None = None
    mobile: OptId = None
    deviceToken: str | None = None
    osType: str | None = None
    referrerCode: OptId = None
    guest: bool = False
    customerAttributes: CustomerAttributes | None = None


class HoldRequest(Lenient):
    customerId: Id
    transactionTime: datetime
    pointsToHold: Annotated[int, Field(gt=0, le=MAX_NUMBER)] | None = None
    amountToHold: Annotated[float, Field(gt=0, le=MAX_NUMBER, allow_inf_nan=False)] | None = None
    ruleId: OptId = None
    email: str | None = None
    mobile: OptId = None
    otp: OptId = None
    ignoreOTP: bool = False
    hash: OptId = None


class Redemption(Lenient):
    pointsHoldReference: OptId = None
    couponsLockReference: OptId = None
    couponCodes: list[str] | None = None


class CashbackSettings(Lenient):
    returnWindow: Annotated[int, Field(ge=0, le=7300)] | None = None


class OrderRequest(Lenient):
    customerId: Id
    orderId: Id
    orderDate: datetime
    totalPaid: Amount
    totalPrice: Amount | None = None
    totalDiscount: Amount | None = None
    totalShipping: Amount | None = None
    totalTax: Amount | None = None
    email: str | None = None
    mobile: OptId = None
    lineItems: list[LineItem] | None = None
    redemption: Redemption | None = None
    extra: dict[str, Any] | None = None
    merchant: Merchant | None = None
    guest: bool = False
    channel: str | None = None
    cartId: OptId = None
    cashbackConfigurations: CashbackSettings | None = None
    referrerCode: OptId = None  # the POS referral guide puts it here; the OAS does not


class RefundRequest(Lenient):
    customerId: Id
    refundTransactionId: Id
    reverseTransactionId: Id
    transactionTime: datetime
    refundAmount: Annotated[float, Field(gt=0, le=MAX_NUMBER, allow_inf_nan=False)] | None = None
    email: str | None = None
    mobile: OptId = None
    merchant: Merchant | None = None
    lineItems: list[LineItem] | None = None


class EventsRequest(Lenient):
    customerId: Id
    events: dict[str, dict[str, Any]] | None = None  # OAS form
    eventName: str | None = None  # POS-guide form
    metadata: dict[str, Any] | None = None
    email: str | None = None
    mobile: OptId = None


class QuoteRequest(Lenient):
    """orders/cashback and orders/reward-preview (totalDiscount/totalShipping not enforced)."""

    customerId: OptId = None
    email: str | None = None
    mobile: OptId = None
    totalPaid: Amount
    totalPrice: Amount | None = None
    totalDiscount: Amount | None = None
    totalShipping: Amount | None = None
    totalTax: Amount | None = None
    lineItems: list[LineItem] | None = None
    merchant: Merchant | None = None
    channel: str | None = None


class RedeemRequest(Lenient):
    customerId: Id
    transactionId: Id
    transactionTime: datetime
    amount: Annotated[float, Field(gt=0, le=MAX_NUMBER, allow_inf_nan=False)] | None = None
    points: Annotated[int, Field(gt=0, le=MAX_NUMBER)] | None = None
    holdReference: OptId = None
    merchant: Merchant | None = None
    email: str | None = None
    mobile: OptId = None
    hash: OptId = None
    otp: OptId = None
    ignoreOTP: bool = False
    reason: Annotated[str, Field(max_length=255)] | None = None


class CashbackRequest(Lenient):
    customerId: Id
    transactionId: Id
    transactionTime: datetime
    amount: Amount
    merchant: Merchant | None = None
    email: str | None = None
    mobile: OptId = None
    configurations: CashbackSettings | None = None


class ActivateRequest(Lenient):
    isActive: bool


class TagsRequest(Lenient):
    tags: str | list[str]  # the OAS: a comma-separated string; a list is read too


class EventPreviewRequest(Lenient):
    customerId: Id
    email: str | None = None
    mobile: OptId = None
    events: dict[str, dict[str, Any] | None]


M = TypeVar("M", bound=BaseModel)


async def read_json(request: Request) -> dict[str, Any]:
    """The body as a JSON object; anything else is Gameball's 3016 Invalid Payload."""
    try:
        raw = await read_body(request)
    except BodyTooLarge as exc:
        raise GameballError(3016, exc.detail, 413) from None
    try:
        body = loads(raw) if raw.strip() else None
    except JsonRejected as exc:
        raise GameballError(3016, f"Invalid payload: {exc}") from None
    except ValueError:  # UnicodeDecodeError is a ValueError
        raise GameballError(3016, "Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise GameballError(3016, "Request body must be a JSON object")
    return body


def parse(model: type[M], body: dict[str, Any], precondition: tuple[str, ...] = ()) -> M:
    """Validate `body`; fields in `precondition` missing give 2000 (412) instead of 3000."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise _to_gameball(exc, precondition) from None


def _to_gameball(exc: ValidationError, precondition: tuple[str, ...]) -> GameballError:
    ranked = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        if err["type"] == "missing":
            code = 2000 if where in precondition else 3000
            ranked.append((0 if code == 2000 else 1, code, f"{where} is required"))
        elif err.get("input", "") is None:
            ranked.append((2, 3001, f"{where} must not be null"))
        else:
            ranked.append((3, 3003, f"{where}: {err['msg']}"))
    _, code, message = min(ranked)
    return GameballError(code, message)
