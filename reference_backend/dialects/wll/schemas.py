"""Request bodies. WLL publishes no schemas, so alternate spellings are accepted (parity table)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Request
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from ...hardening import JsonRejected, loads, read_body
from .errors import WllFail

M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    # unknown fields are ignored: a POS may send more than the emulator reads
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _ref_id(value: Any) -> Any:
    """`{"id": x}` and `x` both name an object."""
    return value.get("id") if isinstance(value, dict) else value


class TokenRequest(Body):
    client_id: str | None = None
    client_secret: str | None = None
    grant_type: str | None = None
    audience: str | None = None
    scope: str | None = None


class EventIn(Body):
    type: str = Field(min_length=1, validation_alias=AliasChoices("type", "eventType", "name"))
    subject: dict[str, Any] | str | None = Field(
        None, validation_alias=AliasChoices("subject", "user", "userId")
    )
    payload: dict[str, Any] = Field(default_factory=dict)
    id: str | None = Field(None, min_length=1, max_length=255)


class EventTypeIn(Body):
    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=100)
    description: str = ""
    public: bool = Field(False, validation_alias=AliasChoices("public", "isPublic"))
    schema_: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object"},
        validation_alias=AliasChoices("schema", "payloadSchema"),
    )


class UserIn(Body):
    email: str = Field(min_length=1, max_length=254)
    given_name: str | None = Field(None, validation_alias=AliasChoices("givenName", "firstName"))
    family_name: str | None = Field(None, validation_alias=AliasChoices("familyName", "lastName"))
    gender: str | None = None
    birthdate: date | None = Field(None, validation_alias=AliasChoices("birthdate", "birthDate"))
    telephone: str | None = Field(None, validation_alias=AliasChoices("telephone", "phone"))
    street_address: str | None = Field(None, validation_alias="streetAddress")
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    picture_url: str | None = Field(None, validation_alias="pictureUrl")
    external_identifier: str | None = Field(
        None, validation_alias=AliasChoices("externalIdentifier", "externalId")
    )
    auth_identifier: str | None = Field(
        None, min_length=1, validation_alias=AliasChoices("authIdentifier", "authId")
    )
    attributes: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Fields may also come nested under `profile` (WLL keeps them there on the record)."""
        profile = data.get("profile")
        return {**profile, **data} if isinstance(profile, dict) else data


class DiscountIn(Body):
    type: Literal["ABSOLUTE", "PERCENTAGE", "FIXED"]
    value: int | str
    sku: str | None = None
    product_sku: str | None = Field(
        None, validation_alias=AliasChoices("productSku", "product_sku")
    )
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


class Availability(Body):
    start: datetime | None = None
    end: datetime | None = None


class RewardIn(Body):
    name: str = Field(min_length=1)
    summary: str | None = None
    description: str | None = None
    picture_url: str | None = Field(None, validation_alias="pictureUrl")
    priority: int = 0
    type: Literal["VOUCHER", "OFFER"] = "VOUCHER"
    code_type: Literal["OTP", "POOL", "STATIC", "HUMAN"] | None = Field(
        None, validation_alias="codeType"
    )
    code: str | None = None
    price: int = Field(0, ge=0)
    value: int = Field(0, ge=0)
    purchasable: bool | None = None
    availability: Availability | None = None
    purchase_expiration: int | None = Field(
        None,
        ge=1,
        le=100 * 365 * 86400,
        validation_alias=AliasChoices("purchaseExpiration", "expiresIn"),
    )
    discounts: list[DiscountIn] = Field(default_factory=list)
    codes: list[Code] = Field(default_factory=list)
    redemption_message: str | None = Field(None, validation_alias="redemptionMessage")
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("type", "code_type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class CodesIn(Body):
    codes: list[Code] = Field(min_length=1)


class PurchaseIn(Body):
    reward_id: str = Field(min_length=1, validation_alias=AliasChoices("rewardId", "reward", "id"))
    user: str | dict[str, Any] | None = Field(
        None, validation_alias=AliasChoices("userId", "user", "subject", "owner")
    )

    @field_validator("reward_id", mode="before")
    @classmethod
    def _ref(cls, value: Any) -> Any:
        return _ref_id(value)


class RedeemBenefitIn(Body):
    benefit_id: str = Field(
        min_length=1, validation_alias=AliasChoices("id", "benefitId", "benefit")
    )

    @field_validator("benefit_id", mode="before")
    @classmethod
    def _ref(cls, value: Any) -> Any:
        return _ref_id(value)


class ValidateVoucherIn(Body):
    code: str = Field(min_length=1, validation_alias=AliasChoices("code", "voucherCode", "value"))
    allow_future_validation: bool = Field(
        False, validation_alias=AliasChoices("allowFutureValidation", "allow_future_validation")
    )

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        value = value.get("value") if isinstance(value, dict) else value
        return value.strip() if isinstance(value, str) else value


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
