"""The neutral operations a POS performs, whatever loyalty vendor is behind the gateway."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SaleLine:
    sku: str
    quantity: int
    unit_price: int  # minor units
    name: str = ""
    category: str = ""


# -- operations ------------------------------------------------------------------------
@dataclass(frozen=True)
class Identify:
    ref: str  # what the cashier typed or scanned
    kind: str = "member_id"  # member_id | mobile | email | card_number


@dataclass(frozen=True)
class Enroll:
    member_id: str
    mobile: str | None = None
    email: str | None = None
    card_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    referral_code: str | None = None


@dataclass(frozen=True)
class GetBalance:
    member_id: str


@dataclass(frozen=True)
class ReservePoints:
    member_id: str
    points: int
    reference: str  # the checkout's id; vendors without holds use it as an event id
    ttl_s: int | None = None


@dataclass(frozen=True)
class ReleasePoints:
    member_id: str
    reservation: Reservation


@dataclass(frozen=True)
class SubmitSale:
    member_id: str
    order_id: str
    lines: tuple[SaleLine, ...]
    total: int  # minor units before loyalty discounts
    paid: int  # minor units actually paid
    reservation: Reservation | None = None
    voucher_codes: tuple[str, ...] = ()
    referral_code: str | None = None
    store_id: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class RefundSale:
    member_id: str
    order_id: str
    refund_id: str
    amount: int | None = None  # minor units; None with no lines = the rest
    lines: tuple[tuple[str, int], ...] = ()  # (sku, quantity)
    sale_total: int = 0
    store_id: str = ""
    # what the receipt says, for vendors where the POS itself reverses points
    sale_paid: int = 0
    points_earned: int = 0
    points_redeemed: int = 0
    refunded_before: int = 0  # money already refunded on this receipt (minor units)
    money: int = 0  # this refund's money as the POS computes it (lines scaled to paid)
    lines_detail: tuple[SaleLine, ...] = ()  # the receipt's lines (sku, quantity, unit price)


@dataclass(frozen=True)
class ListVouchers:
    member_id: str


@dataclass(frozen=True)
class UseVoucher:
    member_id: str
    code: str
    burn: bool = True  # False: validate only
    order_id: str | None = None


@dataclass(frozen=True)
class TrackEvent:
    member_id: str
    name: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EarnPoints:
    """Credit points the portable way: a sale worth exactly `points` under the default rule."""

    member_id: str
    points: int
    order_id: str


# -- results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberInfo:
    member_id: str
    referral_code: str | None = None
    mobile: str | None = None
    email: str | None = None
    active: bool = True
    created: bool = False


@dataclass(frozen=True)
class Balance:
    available: int
    pending: int = 0
    next_expiring_points: int = 0
    next_expiring_at: str | None = None
    balance: int | None = None


@dataclass(frozen=True)
class Reservation:
    reference: str  # the vendor's handle: hold reference, event id, or the checkout id
    points: int
    money_value: int = 0  # minor units the points pay for
    expires_at: str | None = None
    committed: bool = False  # True when the vendor deducted already (no holds)


@dataclass(frozen=True)
class SaleResult:
    order_id: str
    points_earned: int
    points_redeemed: int = 0
    replayed: bool = False


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    amount: int
    points_revoked: int | None = None
    points_restored: int | None = None


@dataclass(frozen=True)
class VoucherInfo:
    code: str
    valid: bool = True
    discount_kind: str = ""
    discount_value: int = 0
    used: bool = False


# -- the contract's unions -------------------------------------------------------------
# what the gateway asks a codec for; codecs add private follow-up steps of their own (Next)
Operation = (
    Identify
    | Enroll
    | GetBalance
    | ReservePoints
    | ReleasePoints
    | SubmitSale
    | RefundSale
    | ListVouchers
    | UseVoucher
    | TrackEvent
    | EarnPoints
)
# what an operation comes back as: None for ReleasePoints and TrackEvent
Result = MemberInfo | Balance | Reservation | SaleResult | RefundResult | VoucherInfo
Outcome = Result | list[VoucherInfo] | None
