"""Gameball v4.0 codec: neutral operations <-> Gameball's integration API (no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from . import ops
from .base import (
    LoyaltyError,
    Next,
    Request,
    Response,
    object_at,
    require,
    require_int,
    require_object,
)
from .base_paths import GAMEBALL
from .money import to_major, to_minor
from .retry_after import retry_after

BASE = GAMEBALL.client

# Gameball error code -> neutral code
ERRORS = {
    1000: "unauthorized",
    1001: "unauthorized",
    1002: "unauthorized",
    2000: "invalid_request",
    2001: "conflict",
    3000: "invalid_request",
    3001: "invalid_request",
    3003: "invalid_request",
    3005: "invalid_request",
    3008: "member_exists",
    3009: "member_inactive",
    3011: "rate_limited",
    3016: "invalid_request",
    4000: "refund_exceeds",
    4004: "not_supported",
    4500: "invalid_request",
    5000: "server_error",
    5003: "server_error",
    7000: "member_not_found",
    7001: "member_exists",
    7002: "referral_invalid",
    7003: "referral_invalid",
    7004: "member_exists",
    7005: "referral_invalid",
    7006: "self_referral",
    9001: "refund_exceeds",
    9002: "order_not_found",
    9004: "duplicate_order",
    9005: "order_not_found",
    9006: "hold_not_found",
    9008: "insufficient_points",
}
# Coupon.type (validate) and the customer-coupon type -> the neutral discount kind
COUPON_KINDS = {
    "fixed": "fixed",
    "Fixed Rate Discount": "fixed",
    "percentage": "percent",
    "Percentage": "percent",
}
# Gameball documents no coupon error codes: a refused coupon is read from the message
VOUCHER_HINTS = (
    ("expired", "voucher_expired"),
    ("used", "voucher_used"),
    ("redeem", "voucher_used"),
)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _segment(value: str) -> str:
    """A path segment: ids, mobiles (+20...) and emails percent-encoded."""
    return quote(str(value), safe="")


def voucher_code(message: str) -> str | None:
    """The neutral voucher error a coupon refusal describes, or None if it is no coupon."""
    text = _QUOTED.sub("", message).lower()  # a code such as 'USED-1' must not decide
    if "coupon" not in text:
        return None
    return next((code for hint, code in VOUCHER_HINTS if hint in text), "voucher_invalid")


def _now(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class _ReadOrder:
    """Follow-up of a sale answered 9004: Gameball rejects a re-sent orderId, so the till
    reads what the first attempt recorded (a retry after a lost answer) or learns the id
    is taken by another sale."""

    sale: ops.SubmitSale


@dataclass(frozen=True)
class _Identified:
    """Follow-up of Enroll: read back the profile to learn the referral code."""

    member_id: str
    created: bool


class GameballCodec:
    dialect = "gameball"
    sale_route = r"/orders$"  # where a sale is submitted (fault rules target it)
    not_applicable = {
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
        body: dict[str, Any]  # each vendor call's JSON body
        match op:
            case ops.Identify(ref=ref, kind=kind):
                # a mobile or email goes where the customerId would: Gameball merges channels
                # on them, so the profile that owns it answers (with its own customerId)
                if kind == "card_number":
                    raise LoyaltyError("not_supported", self.not_applicable["identify_by_card"])
                return self._profile(ref)
            case _Identified(member_id=member_id):
                return self._profile(member_id)
            case _ReadOrder(sale=sale):
                return self._req("GET", f"/orders/{_segment(sale.order_id)}/transactions")
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
                return self._req("GET", f"/customers/{_segment(member_id)}/balance")
            case ops.ReservePoints():
                body = {
                    "customerId": op.member_id,
                    "transactionTime": _now(),
                    "pointsToHold": op.points,
                }
                return self._req("POST", "/transactions/hold", body)
            case ops.ReleasePoints(reservation=reservation):
                return self._req("DELETE", f"/transactions/hold/{_segment(reservation.reference)}")
            case ops.SubmitSale():
                return self._req("POST", "/orders", self._order(op))
            case ops.EarnPoints():
                return self._req("POST", "/orders", self._order(self._earn_sale(op)))
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
            case ops.ListVouchers(member_id=member_id):
                return self._req("GET", f"/customers/{_segment(member_id)}/coupons")
            case ops.UseVoucher(burn=False):
                path = f"/coupons/{_segment(op.code)}/validate"
                return self._req("POST", path, {"customerId": op.member_id})
            case ops.UseVoucher():
                body = {"customerId": op.member_id, "coupons": [op.code]}
                if op.order_id:
                    body |= {"transactionId": op.order_id, "transactionTime": _now()}
                return self._req("POST", "/coupons/burn", body)
        raise LoyaltyError("not_supported", f"gameball cannot express {type(op).__name__}")

    def _earn_sale(self, op: ops.EarnPoints) -> ops.SubmitSale:
        """EarnPoints is a sale of `points` whole currency units."""
        amount = op.points * 10**self.minor_units
        return ops.SubmitSale(op.member_id, op.order_id, (), amount, amount)

    def _profile(self, ref: str) -> Request:
        """The details view (with mobile and email) needs the SecretKey; else the public one."""
        tail = "/details" if self.secret_key else ""
        return self._req("GET", f"/customers/{_segment(ref)}{tail}")

    def _order(self, sale: ops.SubmitSale) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customerId": sale.member_id,
            "orderId": sale.order_id,
            "orderDate": _now(sale.at),
            "totalPaid": self._money(sale.paid),
            "totalPrice": self._money(sale.total),
            "totalDiscount": self._money(sale.total - sale.paid),
            "channel": "pos",
            "lineItems": [self._line(line) for line in sale.lines],
        }
        redemption: dict[str, Any] = {}
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

    def _line(self, line: ops.SaleLine) -> dict[str, Any]:
        item: dict[str, Any] = {
            "productId": line.sku,
            "sku": line.sku,
            "quantity": line.quantity,
            "price": self._money(line.unit_price),
            "title": line.name or line.sku,
        }
        if line.category:
            item["category"] = [line.category]
        return item

    # -- decode -----------------------------------------------------------------------
    def decode(self, op: Any, response: Response) -> Any:
        body = response.answer()
        if response.status >= 400:
            error = self._error(response, body)
            if error.vendor_code == 9004 and isinstance(op, ops.SubmitSale | ops.EarnPoints):
                sale = op if isinstance(op, ops.SubmitSale) else self._earn_sale(op)
                return Next(_ReadOrder(sale))
            raise error
        match op:
            case _ReadOrder(sale=sale):
                return self._recovered(sale, require_object(body, response))
            case ops.Identify() | _Identified():
                created = op.created if isinstance(op, _Identified) else False
                body = require_object(body, response)
                attrs = body.get("customerAttributes") or {}
                return ops.MemberInfo(
                    member_id=str(require(body, "customerId", response=response)),
                    referral_code=body.get("referralCode"),
                    mobile=attrs.get("mobile"),
                    email=attrs.get("email"),
                    created=created,
                )
            case ops.Enroll():
                return Next(_Identified(op.member_id, created=True))
            case ops.GetBalance():
                available = require_int(body, "availablePointsBalance", response=response)
                return ops.Balance(
                    available=available,
                    pending=int(body.get("pendingPoints") or 0),
                    next_expiring_points=int(body.get("nextExpiringPointsAmount") or 0),
                    next_expiring_at=body.get("nextExpiringPointsDate"),
                    balance=int(body.get("totalPointsBalance") or available),
                )
            case ops.ReservePoints():
                return ops.Reservation(
                    reference=str(require(body, "holdReference", response=response)),
                    points=int(body.get("holdEquivalentPoints") or op.points),
                    money_value=to_minor(body.get("holdAmount"), self.minor_units),
                    expires_at=body.get("dateToExpire"),
                )
            case ops.ReleasePoints():
                return None
            case ops.SubmitSale() | ops.EarnPoints():
                body = require_object(body, response)
                return ops.SaleResult(
                    order_id=op.order_id,
                    points_earned=int(body.get("rewardedPoints") or 0),
                    points_redeemed=int(body.get("redeemedPoints") or 0),
                )
            case ops.RefundSale():
                body = require_object(body, response)
                return ops.RefundResult(
                    refund_id=op.refund_id,
                    amount=to_minor(body.get("refundAmount"), self.minor_units),
                    points_revoked=body.get("refundEquivalentPoints"),
                )
            case ops.TrackEvent():
                return None
            case ops.ListVouchers():
                return [self._coupon(c) for c in body.get("coupons") or () if isinstance(c, dict)]
            case ops.UseVoucher(burn=False):
                coupon = object_at(body, "coupon")
                info = self._coupon({"code": op.code, **coupon})
                return replace(info, valid=body.get("valid") is True)
            case ops.UseVoucher():
                return ops.VoucherInfo(code=op.code, valid=True, used=True)
        raise LoyaltyError("not_supported", f"gameball cannot decode {type(op).__name__}")

    def _coupon(self, coupon: dict[str, Any]) -> ops.VoucherInfo:
        """Gameball's Coupon (validate) or customer-coupon row -> the neutral voucher."""
        kind = COUPON_KINDS.get(str(coupon.get("type")), "")
        value = coupon.get("value") or 0
        amount = to_minor(value, self.minor_units) if kind == "fixed" else int(value)
        return ops.VoucherInfo(
            code=str(coupon.get("code")),
            valid=coupon.get("isAvailableToUse", True) is True,
            discount_kind=kind,
            discount_value=amount,
            used=bool(coupon.get("usedCount")),
        )

    def _recovered(self, sale: ops.SubmitSale, body: Any) -> ops.SaleResult:
        """The first attempt's result, if the stored order is this sale; else a clash."""
        rows = body.get("transactions") if isinstance(body, dict) else None
        rows = [r for r in rows or () if isinstance(r, dict)]
        reward = next((r for r in rows if r.get("transactionType") == "PaymentReward"), None)
        redeemed = sum(
            int(r.get("equivalentPoints") or 0)
            for r in rows
            if r.get("transactionType") == "Redemption"
        )
        held = sale.reservation.points if sale.reservation is not None else 0
        if (
            reward is None
            or to_minor(reward.get("amount"), self.minor_units) != sale.paid
            or redeemed != held
        ):
            message = f"order {sale.order_id} exists with other content"
            raise LoyaltyError("duplicate_order", message, vendor_code=9004)
        earned = int(reward.get("equivalentPoints") or 0)
        return ops.SaleResult(sale.order_id, earned, redeemed, replayed=True)

    def _error(self, response: Response, body: Any) -> LoyaltyError:
        body = body if isinstance(body, dict) else {}
        vendor = body.get("code")
        message = str(body.get("message") or "")
        if response.status == 429:
            return LoyaltyError(
                "rate_limited",
                message,
                status=429,
                vendor_code=vendor,
                retry_after=retry_after(response.headers),
            )
        code = ERRORS.get(vendor)
        if code in (None, "invalid_request") and 400 <= response.status < 500:
            code = voucher_code(message) or code  # coupon refusals come as 3003
        if code is None:
            code = "server_error" if response.status >= 500 else "invalid_request"
        return LoyaltyError(code, message, status=response.status, vendor_code=vendor)
