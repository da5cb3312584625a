"""Capillary-only program knobs (InTouch billing and redemption configs, capillary.md §4).

The engine's ProgramConfig holds what every vendor shares (earn rate, point value); these
are the per-org settings Capillary layers on top. They live in the tenant's dialect data.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Requests per minute per API (capillary.md §1.7); APIs absent from a row use the
# demo/test-cluster figure of 1000 per minute. 0 means unlimited.
REGION_LIMITS: dict[str, dict[str, int]] = {
    "asia2": {
        "transaction/add": 1500,
        "transaction/update": 500,
        "customer/add": 700,
        "customer/update": 500,
    },
    "asia1": {
        "transaction/add": 1500,
        "transaction/update": 100,
        "customer/add": 500,
        "customer/update": 600,
    },
    "emea": {
        "transaction/add": 700,
        "transaction/update": 100,
        "customer/add": 400,
        "customer/update": 300,
    },
    "us": {},
}
DEFAULT_LIMIT = 1000
# coupon/redeem: 1000 (CPN-RED); v2 points/reverse: "Rate Limited? No" (PTS-REV)
API_LIMITS = {"coupon/redeem": 1000, "v2/points/reverse": 0}


class CapillaryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    program_id: int = 1
    program_name: str = "Default program"
    # rate limits: the region's row, plus per-API overrides (per minute, 0 = off)
    region: Literal["asia2", "asia1", "emea", "us"] = "asia2"
    rate_limits: dict[str, int] = Field(default_factory=dict)
    # billing (CONF_LOYALTY_* / CONF_CLIENT_*)
    bill_number_required: bool = True
    bill_number_regex: str | None = None
    bill_number_unique: bool = True
    bill_number_unique_scope: Literal["org", "store", "till"] = "org"
    # InTouch falls back to 30 days when the org sets none; None here means forever
    bill_number_unique_in_days: int | None = Field(30, ge=1)
    min_bill_amount: Decimal | None = None
    max_bill_amount: Decimal | None = None
    allow_zero_amount: bool = True
    min_billing_date: date | None = None  # CONF_MIN_BILLING_DATE: older bills are 644
    return_bill_number_required: bool = False
    allow_not_existing_bill_return: bool = False
    max_batch_size: int = Field(100, ge=1)
    # retro: transaction/update turning a not-interested bill into a loyalty bill
    retro_transaction_enable: bool = False
    retro_max_allowed_age_days: int | None = Field(None, ge=1)  # None: no age limit
    # the customer must have registered within N hours of the bill (None: no limit)
    retro_delay_since_registration_hours: int | None = Field(None, ge=1)
    # redemption rules (Loyalty+ redeem conditions)
    min_points_to_redeem: int = Field(1, ge=1)
    max_points_per_transaction: int | None = Field(None, ge=1)
    redeem_multiple_of: int = Field(1, ge=1)
    otp_required: bool = False
    otp_validity_minutes: int = Field(15, ge=1)
    redeem_requires_transaction: bool = False
    # identifiers: CONF_ALLOW_MOBILE/EMAIL/EXTERNAL_ID_UPDATE in one switch
    allow_identifier_update: bool = False
    # JSON typing: the samples use "true"/"false" strings and mixed code types
    success_style: Literal["string", "bool"] = "string"
    item_code_style: Literal["samples", "int", "string"] = "samples"

    @field_validator("bill_number_regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @field_validator("rate_limits")
    @classmethod
    def _limits_not_negative(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(api for api, limit in value.items() if limit < 0)
        if bad:
            raise ValueError(f"limits must be 0 (off) or positive: {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _bill_range(self) -> CapillaryConfig:
        low, high = self.min_bill_amount, self.max_bill_amount
        if low is not None and high is not None and low > high:
            raise ValueError("min_bill_amount must not exceed max_bill_amount")
        return self

    def limit_for(self, api: str) -> int:
        if api in self.rate_limits:
            return self.rate_limits[api]
        if self.region == "us":
            return 0
        return REGION_LIMITS[self.region].get(api, API_LIMITS.get(api, DEFAULT_LIMIT))


def get_config(data: dict) -> CapillaryConfig:
    """The tenant's Capillary config (defaults until someone sets one)."""
    config = data.get("config")
    if not isinstance(config, CapillaryConfig):
        config = data["config"] = CapillaryConfig.model_validate(config or {})
    return config
