"""The engine's entities. Plain dataclasses: the operations modules own every transition."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

IDENTIFIER_KINDS = ("mobile", "email", "card_number", "account_number", "external_id")


@dataclass
class Member:
    member_id: str
    created_at: datetime
    account_number: str
    referral_code: str
    identifiers: dict[str, str] = field(default_factory=dict)
    first_name: str | None = None
    last_name: str | None = None
    active: bool = True
    debt: int = 0
    referred_by: str | None = None
    lifetime_earned: int = 0
    spend_net_minor: int = 0
    attributes: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    erased: bool = False  # personal data wiped on request; the ledger keeps the member id


@dataclass
class Lot:
    """An earn bucket: pending -> active -> depleted | expired (revoked when clawed back)."""

    lot_id: str
    member_id: str
    amount: int
    remaining: int
    created_at: datetime
    activates_at: datetime
    expires_at: datetime | None
    source: str
    ref: str | None = None
    reserved: int = 0
    pending_id: int | None = None
    state: str = "active"

    @property
    def free(self) -> int:
        return self.remaining - self.reserved


@dataclass
class Slice:
    """Points taken from one lot by a capture or one-phase spend; restores mirror it."""

    lot_id: str
    amount: int
    expires_at: datetime | None


@dataclass
class Hold:
    hold_id: str
    member_id: str
    amount: int
    created_at: datetime
    expires_at: datetime
    pending_id: int
    allocations: list[list[Any]] = field(default_factory=list)  # [lot_id, points]
    state: str = "pending"  # pending | captured | released | expired
    captured: int = 0
    resolved_at: datetime | None = None
    order_id: str | None = None
    amount_minor: int | None = None
    fingerprint: str = ""
    slices: list[Slice] = field(default_factory=list)


@dataclass
class OrderLine:
    sku: str
    quantity: int
    unit_price: int
    name: str | None = None
    category: str | None = None

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price


@dataclass
class Order:
    order_id: str
    merchant_id: str
    member_id: str
    created_at: datetime
    total_amount: int
    paid_amount: int
    lines: list[OrderLine]
    fingerprint: str
    points_earned: int = 0
    points_redeemed: int = 0
    redeemed_slices: list[Slice] = field(default_factory=list)
    hold_id: str | None = None
    vouchers: list[str] = field(default_factory=list)
    lot_id: str | None = None
    referral_id: str | None = None
    refunded_amount: int = 0
    refunded_line_value: int = 0
    refunded_qty: dict[int, int] = field(default_factory=dict)
    points_revoked: int = 0
    points_uncollectable: int = 0
    points_restored: int = 0
    refund_ids: list[str] = field(default_factory=list)
    state: str = "created"  # created | partially_refunded | refunded
    attributes: dict[str, Any] = field(default_factory=dict)
    # how refunds move points: "proportional" (earned and redeemed both follow the money
    # paid) or "cash_first" (refunds cover the money paid first, reversing earned points,
    # then the points' money value, restoring redeemed points)
    refund_allocation: str = "proportional"
    redeemed_value: int = 0  # cash_first: the money the redeemed points paid for
    refunded_points_value: int = 0  # cash_first: how much of it was refunded

    @property
    def refundable_total(self) -> int:
        extra = self.redeemed_value if self.refund_allocation == "cash_first" else 0
        return self.paid_amount + extra

    @property
    def refund_left(self) -> int:
        return self.refundable_total - self.refunded_amount - self.refunded_points_value


@dataclass
class Refund:
    refund_id: str
    order_id: str
    merchant_id: str
    member_id: str
    created_at: datetime
    amount: int
    lines: list[list[int]]  # [line_index, quantity]
    fingerprint: str
    points_revoked: int = 0
    points_uncollectable: int = 0
    debt_created: int = 0
    points_restored: int = 0
    vouchers_reinstated: list[str] = field(default_factory=list)
    points_value: int = 0  # cash_first: money refunded against the redeemed points


@dataclass
class Redemption:
    """A one-phase spend (redeem now), reversible in parts."""

    redemption_id: str
    member_id: str
    points: int
    created_at: datetime
    fingerprint: str
    slices: list[Slice] = field(default_factory=list)
    reversed: int = 0
    order_id: str | None = None
    debt_created: int = 0


@dataclass
class VoucherSeries:
    series_id: str
    name: str
    discount_kind: str  # percent | fixed | points
    discount_value: int
    uses_per_code: int = 1
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    points_cost: int = 0
    pool: list[str] = field(default_factory=list)  # unissued codes of a code pool
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reservation:
    reservation_id: str
    code: str
    member_id: str | None
    expires_at: datetime
    state: str = "live"  # live | burned | released | expired


@dataclass
class Voucher:
    code: str
    series_id: str
    limit: int
    created_at: datetime
    owner_id: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    redeemed: int = 0
    reinstated: int = 0
    burns: int = 0
    voided: bool = False
    burned_orders: list[str] = field(default_factory=list)
    reservations: dict[str, Reservation] = field(default_factory=dict)

    @property
    def reserved(self) -> int:
        return sum(1 for r in self.reservations.values() if r.state == "live")


@dataclass
class Referral:
    referral_id: str
    referrer_id: str
    referee_id: str
    code: str
    created_at: datetime
    state: str = "pending"  # pending | rewarded | revoked | rejected
    order_id: str | None = None
    referrer_lot: str | None = None
    referee_lot: str | None = None


@dataclass
class Activity:
    """A member-visible history line (earn, redeem, hold, refund, expire, ...)."""

    seq: int
    member_id: str
    kind: str
    points: int
    at: datetime
    ref: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventRecord:
    event_id: str
    member_id: str
    name: str
    payload: dict[str, Any]
    at: datetime
    fingerprint: str
    points: int = 0
    debt_created: int = 0


@dataclass
class IdempotencyRecord:
    fingerprint: str
    created_at: datetime
    result: Any = None
    error: Any = None
