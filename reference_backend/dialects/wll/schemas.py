"""Request bodies, after WLL's own OpenAPI (fixtures/vendor/wll). Spellings the spec does not
name are kept only where posim's own codec sends them (parity table)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Request
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from ...hardening import JsonRejected, loads, read_body, representable_instant
from .errors import WllFail

M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    # unknown fields are ignored: a POS may send more than the emulator reads
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TokenRequest(Body):
    client_id: str | None = None
    client_secret: str | None = None
    grant_type: str | None = None
    audience: str | None = None
    scope: str | None = None


OCCURRED_AT = r"^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d.\d+Z?$"
GENDERS = Literal["FEMALE", "MALE", "OTHER", "UNKNOWN"]


class EventIn(Body):
    type: str = Field(min_length=1)
    # the spec's user id string; objects naming the user are posim's codec's older form
    subject: dict[str, Any] | str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    id: str | None = Field(None, min_length=1, max_length=255)
    executor: str | None = Field(None, min_length=1, max_length=128)
    occurred_at: str | None = Field(None, pattern=OCCURRED_AT, validation_alias="occurredAt")


class EventTypeIn(Body):
    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", min_length=2, max_length=100)
    description: str = Field("", max_length=1024)
    # required by the spec; a body without it registers a private type, the safer reading
    is_private: bool = Field(True, validation_alias="isPrivate")
    is_active: bool = Field(True, validation_alias="isActive")
    schema_: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object"}, validation_alias="schema"
    )


class EventTypePatch(Body):
    description: str | None = Field(None, max_length=1024)
    is_private: bool | None = Field(None, validation_alias="isPrivate")
    is_active: bool | None = Field(None, validation_alias="isActive")
    schema_: dict[str, Any] | None = Field(None, validation_alias="schema")


class ProfileFields(Body):
    """The profile of UserProfileDefinition / UserProfilePatch (all optional here)."""

    email: str | None = Field(
        None, min_length=1, max_length=254, validation_alias=AliasChoices("emailAddress", "email")
    )
    given_name: str | None = Field(None, max_length=64, validation_alias="givenName")
    family_name: str | None = Field(None, max_length=64, validation_alias="familyName")
    gender: GENDERS | None = None
    birthdate: date | None = None
    telephone: str | None = Field(
        None, max_length=64, validation_alias=AliasChoices("telephoneNumber", "telephone")
    )
    street_address: str | None = Field(None, max_length=64, validation_alias="streetAddress")
    city: str | None = Field(None, max_length=256)
    region: str | None = None
    postcode: str | None = Field(None, max_length=128)
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    picture_url: str | None = Field(None, validation_alias="pictureUrl")
    attributes: dict[str, Any] | None = None

    @field_validator("gender", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @classmethod
    def from_body(cls, data: Any) -> Any:
        """The spec nests the profile under `profile`; posim's own codec sends it flat."""
        profile = data.get("profile") if isinstance(data, dict) else None
        return {**profile, **data} if isinstance(profile, dict) else data


class UserIn(ProfileFields):
    email: str = Field(
        min_length=1, max_length=254, validation_alias=AliasChoices("emailAddress", "email")
    )
    external_identifier: str | None = Field(
        None, max_length=512, validation_alias="externalIdentifier"
    )
    auth_identifier: str | None = Field(
        None,
        min_length=1,
        max_length=512,
        validation_alias="authIdentifier",
    )
    flags: dict[str, Any] = Field(default_factory=dict)
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("flags", mode="before")
    @classmethod
    def _flags(cls, value: Any) -> Any:
        return {} if value is None else value


class UserPatch(ProfileFields):
    external_identifier: str | None = Field(
        None, max_length=512, validation_alias="externalIdentifier"
    )
    flags: dict[str, Any] | None = None
    is_restricted: bool | None = Field(None, validation_alias="isRestricted")


class DiscountIn(Body):
    type: Literal["ABSOLUTE", "PERCENTAGE", "FIXED"]
    value: int | str
    sku: str | None = None
    product_sku: str | None = Field(None, validation_alias="productSku")
    venues: list[Any] = Field(default_factory=list)

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("value")
    @classmethod
    def _integral(cls, value: int | str) -> int | str:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 12):
            raise ValueError("must be a non-negative integer (lowest denomination)")
        return text


class DiscountPatchIn(DiscountIn):
    """DiscountPatch: the fields sent change (the checks of DiscountIn still apply)."""

    # a patch makes each field optional: a narrower subclass mypy cannot express otherwise
    type: Literal["ABSOLUTE", "PERCENTAGE", "FIXED"] | None = None  # type: ignore[assignment]
    value: int | str | None = None  # type: ignore[assignment]
    venues: list[Any] | None = None  # type: ignore[assignment]

    @field_validator("venues", mode="before")
    @classmethod
    def _venues(cls, value: Any) -> Any:
        return value if isinstance(value, list) else None  # the spec leaves its type open


REWARD_TYPES = Literal[
    "VOUCHER",
    "GENERIC_OFFER",
    "AWIN_PROGRAMME",
    "FIDEL_OFFER",
    "KINDRED",
    "OLIVE_OFFER",
    "WEGIFT_PRODUCT",
    "XOXO_PRODUCT",
]


Instant = Annotated[datetime, AfterValidator(representable_instant)]


class Availability(Body):
    start: Instant | None = None
    end: Instant | None = None


class RewardIn(Body):
    name: str = Field(min_length=1)
    summary: str | None = None
    description: str | None = None
    picture_url: str | None = Field(None, validation_alias="pictureUrl")
    priority: int = 0
    # the spec's reward types
    type: REWARD_TYPES = "VOUCHER"
    code_type: Literal["OTP", "POOL", "STATIC", "HUMAN"] | None = Field(
        None, validation_alias="codeType"
    )
    code: str | None = None  # a STATIC code; the spec sends it as an object `{value}`
    price: int = Field(0, ge=0, le=10_000_000)
    value: int = Field(0, ge=0, le=10_000_000)
    details: dict[str, Any] = Field(default_factory=dict)
    purchasable: bool | None = None
    availability: Availability | None = None
    purchase_expiration: int | None = Field(
        None,
        ge=1,
        le=100 * 365 * 86400,
        validation_alias="purchaseExpiration",
    )
    discounts: list[DiscountIn] = Field(default_factory=list)
    codes: list[Code] = Field(default_factory=list)
    redemption_message: str | None = Field(None, validation_alias="redemptionMessage")
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("type", "code_type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        return value.get("value") if isinstance(value, dict) else value

    @field_validator("codes", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if isinstance(value, list):  # the spec's items may be CodeDefinition `{value}`
            return [v.get("value") if isinstance(v, dict) else v for v in value]
        return value


class RewardPatchIn(Body):
    """RewardPatch: the fields sent change, the rest stay."""

    name: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = None
    description: str | None = Field(None, max_length=10000)
    picture_url: str | None = Field(None, validation_alias="pictureUrl")
    priority: int | None = Field(None, ge=0)
    price: int | None = Field(None, ge=0, le=10_000_000)
    value: int | None = Field(None, ge=0, le=10_000_000)
    purchasable: bool | None = None
    availability: Availability | None = None
    purchase_expiration: int | None = Field(
        None, ge=1, le=100 * 365 * 86400, validation_alias="purchaseExpiration"
    )
    redemption_message: str | None = Field(None, validation_alias="redemptionMessage")


class CodesIn(Body):
    codes: list[Code] = Field(min_length=1)

    @classmethod
    def from_body(cls, data: Any) -> Any:
        """The spec's VoucherCodeDefinition names one code as `value`."""
        if isinstance(data, dict) and "codes" not in data and "value" in data:
            return {"codes": [data["value"]]}
        return data


class AdjustPointsIn(Body):
    points: int = Field(ge=-(10**12), le=10**12)
    actor_id: str = Field(min_length=1, validation_alias="actorId")
    comment: str | None = None
    impact_type: Literal["EARN", "SPEND", "NONE"] | None = Field(
        None, validation_alias="impactType"
    )
    policy: Literal["BYPASS", "REJECT_EVENT"] = Field(
        "BYPASS", validation_alias="liabilityHandlingPolicy"
    )

    @field_validator("points", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a whole number")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class SettingIn(Body):
    name: str = Field(min_length=2, max_length=64, pattern=r"^[a-zA-Z./]+$")
    value: str = Field(min_length=1, max_length=8192, pattern=r"^[\x00-\x7F]+$")


class SettingPatchIn(Body):
    name: str = Field(min_length=2, max_length=64, pattern=r"^[a-zA-Z./]+$")
    value: str | None = Field(None, min_length=1, max_length=8192, pattern=r"^[\x00-\x7F]+$")


class PurchaseIn(Body):
    reward_id: str = Field(min_length=1, validation_alias="rewardId")
    # a user token buys for itself; an admin names the user
    beneficiary_id: str | None = Field(None, min_length=1, validation_alias="beneficiaryId")
    comment: str | None = None


class RedeemBenefitIn(Body):
    benefit_id: str = Field(min_length=1, validation_alias="benefitId")


class ValidateVoucherIn(Body):
    code: str = Field(min_length=1)
    allow_future_validation: bool = Field(False, validation_alias="allowFutureValidation")

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value


class OrderItemIn(Body):
    model_config = ConfigDict(extra="allow", populate_by_name=True)  # kept as sent

    sku: str | None = Field(None, max_length=256)
    name: str | None = Field(None, max_length=1024)
    quantity: float = Field(1, gt=0, le=10**6)
    price: float | None = Field(None, ge=0, le=10**9)


class OrderIn(Body):
    """Receipts `POST /orders` (inferred: WLL publishes no schema for it)."""

    id: str = Field(min_length=1, max_length=255)
    submitter: dict[str, Any] | str | None = None
    total_spend: float = Field(ge=0, le=10**9, validation_alias="totalSpend")
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$")
    items: list[OrderItemIn] = Field(default_factory=list, max_length=1000)
    occurred_at: str | None = Field(None, pattern=OCCURRED_AT, validation_alias="occurredAt")


async def read_json(request: Request) -> Any:
    raw = await read_body(request)  # BodyTooLarge renders as a JSend 413
    if not raw.strip():
        return {}
    try:
        # NaN, Infinity, huge numbers, deep nesting and lone surrogates never reach a model
        return loads(raw)
    except JsonRejected as exc:
        raise WllFail(400, "Malformed JSON body", {"body": str(exc)}) from exc
    except ValueError as exc:
        raise WllFail(400, "Malformed JSON body") from exc


def field_errors(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())) or "body"
        out.setdefault(where, err.get("msg", "invalid"))
    return out


def parse(model: type[M], data: Any) -> M:
    if not isinstance(data, dict):
        raise WllFail(400, "Request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise WllFail(400, "Validation failed", field_errors(exc)) from exc


async def parse_body(request: Request, model: type[M]) -> M:
    return parse(model, await read_json(request))
