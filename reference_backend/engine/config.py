"""Program configuration: one per tenant, validated by pydantic so bad config is rejected whole."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# a program's periods stay far from datetime's year 9999, whatever a tenant config asks
MAX_SPAN_DAYS = 100 * 366
MAX_SPAN_S = MAX_SPAN_DAYS * 86_400


class EventRule(BaseModel):
    """How a named event moves points (event-driven vendors report sales as events)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["earn", "deduct", "restore"]
    # earn: floor(payload[amount_field] * points_per_unit); others: payload[points_field]
    amount_field: str = "amount"
    points_per_unit: float = 1.0
    points_field: str = "points"
    allow_negative: bool = False


class Tier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    min_points: int = Field(ge=0)


def _default_event_rules() -> dict[str, EventRule]:
    return {
        "TRANSACTION": EventRule(action="earn", amount_field="amount", points_per_unit=1.0),
        "REDEEMED_POINTS": EventRule(action="deduct", points_field="points", allow_negative=True),
        "POINTS_REFUND": EventRule(action="restore", points_field="points"),
    }


def _default_tiers() -> list[Tier]:
    return [Tier(name="Bronze", min_points=0), Tier(name="Silver", min_points=1000)]


class ProgramConfig(BaseModel):
    """Every knob of a loyalty program; defaults follow the engine contract."""

    model_config = ConfigDict(extra="forbid")

    name: str = "Demo program"
    currency: str = Field("EGP", min_length=3, max_length=3)
    minor_units: int = Field(2, ge=0, le=4)
    # earn: floor(paid_minor * earn_points / earn_per_minor); 1 point per 1.00 by default
    earn_points: int = Field(1, ge=0)
    earn_per_minor: int = Field(100, ge=1)
    # redemption value: redeem_points points are worth redeem_value_minor minor units
    redeem_points: int = Field(100, ge=1)
    redeem_value_minor: int = Field(100, ge=1)
    min_redeem_points: int = Field(1, ge=1)
    hold_ttl_default_s: int = Field(600, ge=1, le=MAX_SPAN_S)
    hold_ttl_min_s: int = Field(60, ge=1, le=MAX_SPAN_S)
    hold_ttl_max_s: int = Field(15 * 24 * 3600, ge=1, le=MAX_SPAN_S)
    return_window_days: int = Field(0, ge=0, le=MAX_SPAN_DAYS)
    lot_expiry_days: int | None = Field(None, ge=1, le=MAX_SPAN_DAYS)
    negative_balance_policy: Literal["clamp", "allow"] = "clamp"
    restore_expiry: Literal["original", "fresh"] = "original"
    voucher_reinstate_on_full_refund: bool = True
    # how refunds split between earned and redeemed points: "proportional" (both follow
    # the money paid) or "cash_first" (the money paid first, then the points' value);
    # None leaves it to the vendor's own rule (each dialect says which, default proportional)
    refund_allocation: Literal["proportional", "cash_first"] | None = None
    voucher_reservation_ttl_s: int = Field(900, ge=1, le=MAX_SPAN_S)
    referral_reward_referrer: int = Field(100, ge=0)
    referral_reward_referee: int = Field(50, ge=0)
    referral_clawback_days: int = Field(30, ge=0, le=MAX_SPAN_DAYS)
    idempotency_retention_s: int = Field(24 * 3600, ge=1, le=MAX_SPAN_S)
    event_rules: dict[str, EventRule] = Field(default_factory=_default_event_rules)
    tiers: list[Tier] = Field(default_factory=_default_tiers)

    @model_validator(mode="after")
    def _check_ttls(self) -> ProgramConfig:
        if not self.hold_ttl_min_s <= self.hold_ttl_default_s <= self.hold_ttl_max_s:
            raise ValueError("hold TTLs must satisfy min <= default <= max")
        return self

    def points_for_amount(self, amount_minor: int) -> int:
        """Points earned on money actually paid (floor, integers only)."""
        return amount_minor * self.earn_points // self.earn_per_minor

    def points_to_cover(self, amount_minor: int) -> int:
        """Points needed to pay `amount_minor` (ceil, so the points always cover the amount)."""
        return -(-amount_minor * self.redeem_points // self.redeem_value_minor)

    def value_of_points(self, points: int) -> int:
        """Money (minor units) that `points` are worth when redeemed (floor)."""
        return points * self.redeem_value_minor // self.redeem_points

    def tier_for(self, metric: int) -> str | None:
        name = None
        for tier in sorted(self.tiers, key=lambda t: t.min_points):
            if metric >= tier.min_points:
                name = tier.name
        return name
