"""Gameball v4.0 codec: neutral operations <-> Gameball's integration API (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import ops
from .base import LoyaltyError, Next, Request, Response
from .money import to_major, to_minor

BASE = "/api/v4.0/integrations"

# Gameball error code -> neutral code
ERRORS = {
    1000: "unauthorized",
    1001: "unauthorized",
    3000: "invalid_request",
    3001: "invalid_request",
    3003: "invalid_request",
    3016: "invalid_request",
    3009: "member_inactive",
    3011: "rate_limited",
    4000: "refund_exceeds",
    4004: "not_supported",
    7000: "member_not_found",
    7002: "referral_invalid",
    7003: "referral_invalid",
    7006: "self_referral",
    9001: "refund_exceeds",
    9002: "order_not_found",
    9004: "duplicate_order",
    9005: "order_not_found",
    9006: "hold_not_found",
    9008: "insufficient_points",
}
VOUCHER_HINTS = (
    ("expired", "voucher_expired"),
    ("used", "voucher_used"),
    ("redeem", "voucher_used"),
)


def _now(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class _Identified:
    """Follow-up of Enroll: read back the profile to learn the referral code."""

    member_id: str
    created: bool


class GameballCodec:
    dialect = "gameball"
    sale_route = r"/orders$"  # where a sale is submitted (fault rules target it)
    not_applicable = {
        "voucher_list": "Gameball's POS API has no call that lists a customer's coupons",
        "voucher_validate": "Gameball's POS API validates coupons only inside an order",
        "identify_by_card": "Gameball identifies customers by customerId, mobile or email only",
    }

    def __init__(self, credentials: dict[str, str], minor_units: int = 2, base: str = BASE):
        self.api_key = credentials["apiKey"]
        self.secret_key = credentials.get("secretKey", "")
        self.minor_units = minor_units
        self.base = base

    def _req(self, method: str, path: str, json: Any = None, params=None) -> Request:
        headers = {"APIKey": self.api_key, "SecretKey": self.secret_key}
        return Request(method, self.base + path, headers, params, json)

    def _money(self, minor: int) -> float:
        return to_major(minor, self.minor_units)

    # -- encode -----------------------------------------------------------------------
    def encode(self, op: Any) -> Request:
        match op:
            case ops.Identify(ref=ref, kind=kind):
                if kind == "card_number":
                    raise LoyaltyError("not_supported", self.not_applicable["identify_by_card"])
                return self._req("GET", f"/customers/{ref}")
            case _Identified(member_id=member_id):
                return self._req("GET", f"/customers/{member_id}")
            case ops.Enroll():
                attrs = {
                    "firstName": op.first_name,
                    "lastName": op.last_name,
                    "email": op.email,
                    "mobile": op.mobile,
                    "channel": "pos",
                }
                body = {
                    "customerId": op.member_id,
                    "email": op.email,
                    "mobile": op.mobile,
                    "referrerCode": op.referral_code,
                    "customerAttributes": {k: v for k, v in attrs.items() if v},
                }
                return self._req("POST", "/customers", {k: v for k, v in body.items() if v})
            case ops.GetBalance(member_id=member_id):
                return self._req("GET", f"/customers/{member_id}/balance")
            case ops.ReservePoints():
                body = {
                    "customerId": op.member_id,
                    "transactionTime": _now(),
                    "pointsToHold": op.points,
                }
                return self._req("POST", "/transactions/hold", body)
            case ops.ReleasePoints(reservation=reservation):
                return self._req("DELETE", f"/transactions/hold/{reservation.reference}")
            case ops.SubmitSale():
                return self._req("POST", "/orders", self._order(op))
            case ops.EarnPoints():
                sale = ops.SubmitSale(
                    op.member_id, op.order_id, (), op.points * 100, op.points * 100
                )
                return self._req("POST", "/orders", self._order(sale))
            case ops.RefundSale():
                body = {
                    "customerId": op.member_id,
                    "refundTransactionId": op.refund_id,
                    "reverseTransactionId": op.order_id,
                    "transactionTime": _now(),
                }
                if op.amount is not None:
                    body["refundAmount"] = self._money(op.amount)
                if op.lines:
                    body["lineItems"] = [{"productId": sku, "quantity": q} for sku, q in op.lines]
                if op.store_id:
                    body["merchant"] = {"uniqueId": op.store_id}
                return self._req("POST", "/transactions/refund", body)
            case ops.TrackEvent():
                body = {"customerId": op.member_id, "events": {op.name: op.payload}}
                return self._req("POST", "/events", body)
            case ops.ListVouchers():
                raise LoyaltyError("not_supported", self.not_applicable["voucher_list"])
            case ops.UseVoucher():
                raise LoyaltyError("not_supported", self.not_applicable["voucher_validate"])
        raise LoyaltyError("not_supported", f"gameball cannot express {type(op).__name__}")

    def _order(self, sale: ops.SubmitSale) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customerId": sale.member_id,
            "orderId": sale.order_id,
            "orderDate": _now(sale.at),
            "totalPaid": self._money(sale.paid),
            "totalPrice": self._money(sale.total),
            "totalDiscount": self._money(sale.total - sale.paid),
            "channel": "pos",
            "lineItems": [
                {
                    "productId": line.sku,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "price": self._money(line.unit_price),
                    "title": line.name or line.sku,
                }
                for line in sale.lines
            ],
        }
        redemption = {}
        if sale.reservation is not None:
            redemption["pointsHoldReference"] = sale.reservation.reference
        if sale.voucher_codes:
            redemption["couponCodes"] = list(sale.voucher_codes)
        if redemption:
            body["redemption"] = redemption
        if sale.referral_code:
            body["referrerCode"] = sale.referral_code
        if sale.store_id:
            body["merchant"] = {"uniqueId": sale.store_id, "branch": {"uniqueId": sale.store_id}}
        return body

    # -- decode -----------------------------------------------------------------------
    def decode(self, op: Any, response: Response) -> Any:
        body = response.json()
        if response.status >= 400:
            raise self._error(response, body)
        body = body or {}
        match op:
            case ops.Identify() | _Identified():
                created = op.created if isinstance(op, _Identified) else False
                attrs = body.get("customerAttributes") or {}
                return ops.MemberInfo(
                    member_id=str(body.get("customerId")),
                    referral_code=body.get("referralCode"),
                    mobile=attrs.get("mobile"),
                    email=attrs.get("email"),
                    created=created,
                )
            case ops.Enroll():
                return Next(_Identified(op.member_id, created=True))
            case ops.GetBalance():
                return ops.Balance(
                    available=int(body.get("availablePointsBalance") or 0),
                    pending=int(body.get("pendingPoints") or 0),
                    next_expiring_points=int(body.get("nextExpiringPointsAmount") or 0),
                    next_expiring_at=body.get("nextExpiringPointsDate"),
                    balance=int(body.get("totalPointsBalance") or 0),
                )
            case ops.ReservePoints():
                return ops.Reservation(
                    reference=str(body["holdReference"]),
                    points=int(body.get("holdEquivalentPoints") or op.points),
                    money_value=to_minor(body.get("holdAmount"), self.minor_units),
                    expires_at=body.get("dateToExpire"),
                )
            case ops.ReleasePoints():
                return None
            case ops.SubmitSale() | ops.EarnPoints():
                return ops.SaleResult(
                    order_id=op.order_id,
                    points_earned=int(body.get("rewardedPoints") or 0),
                    points_redeemed=int(body.get("redeemedPoints") or 0),
                )
            case ops.RefundSale():
                return ops.RefundResult(
                    refund_id=op.refund_id,
                    amount=to_minor(body.get("refundAmount"), self.minor_units),
                    points_revoked=body.get("refundEquivalentPoints"),
                )
            case ops.TrackEvent():
                return None
        raise LoyaltyError("not_supported", f"gameball cannot decode {type(op).__name__}")

    def _error(self, response: Response, body: Any) -> LoyaltyError:
        body = body if isinstance(body, dict) else {}
        vendor = body.get("code")
        message = str(body.get("message") or "")
        if response.status == 429:
            retry = response.headers.get("retry-after") or response.headers.get("Retry-After")
            return LoyaltyError(
                "rate_limited",
                message,
                status=429,
                vendor_code=vendor,
                retry_after=float(retry) if retry else None,
            )
        code = ERRORS.get(vendor)
        if code is None and "coupon" in message.lower():
            code = next((c for hint, c in VOUCHER_HINTS if hint in message.lower()), None)
            code = code or "voucher_invalid"
        if code is None:
            code = "server_error" if response.status >= 500 else "invalid_request"
        return LoyaltyError(code, message, status=response.status, vendor_code=vendor)
