"""Capillary InTouch v1.1 codec: neutral operations <-> InTouch's POS calls (no I/O).

InTouch has no points hold: "reserve" is a check (points/isredeemable) and nothing is
spent until the bill exists. A sale is transaction/add, then points/redeem and
coupon/redeem naming the bill (the POS guide's order, capillary.md §5); a sale's coupons
are checked (coupon/isredeemable) just before the bill, so a coupon used meanwhile fails
the sale before a bill exists. A return is a transaction/add RETURN bill, and redeemed
points come back through v2 points/reverse. Business failures arrive as HTTP 200 with an
item code, so decode reads `item_status`.

Every write is safe to send twice: a bill number is unique (604 -> read the bill back),
a redemption carries an external reference derived from the order id (744 -> already
done), a used coupon is checked against the bill it was used on, and a points reversal
whose answer was lost is checked before it is sent again.

The POS's member id travels as the customer's `external_id` (InTouch assigns its own
numeric user ids); a customer found without one is named "id:<user_id>".
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from . import ops
from .base import (
    BadAnswer,
    Done,
    LoyaltyError,
    Next,
    Request,
    Response,
    object_at,
    require_int,
)
from .base_paths import CAPILLARY
from .money import points_owed, to_minor
from .retry_after import retry_after

BASE = CAPILLARY.client
BASE_V2 = CAPILLARY.extra["client_v2"]
USER_ID_PREFIX = "id:"

# item code -> neutral code (v1.1: customer 1000s, bills 600s, coupons 700s, points 800s)
ITEM_ERRORS: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    517: "rate_limited",
    1001: "invalid_request",
    1002: "invalid_request",
    1003: "invalid_request",
    1007: "invalid_request",
    1012: "member_not_found",
    1016: "member_exists",
    1032: "member_exists",
    1033: "member_exists",
    1046: "invalid_request",
    91007: "member_exists",
    604: "duplicate_order",
    608: "server_error",
    611: "member_not_found",
    625: "order_not_found",
    626: "refund_exceeds",
    630: "refund_exceeds",
    633: "refund_exceeds",
    642: "conflict",
    681: "member_inactive",
    696: "voucher_used",
    701: "member_not_found",
    702: "voucher_invalid",
    703: "voucher_invalid",
    709: "voucher_invalid",
    711: "voucher_used",
    712: "voucher_expired",
    713: "voucher_expired",
    716: "voucher_used",
    719: "order_not_found",
    729: "voucher_invalid",
    733: "voucher_invalid",
    742: "member_inactive",
    744: "conflict",
    804: "insufficient_points",
    809: "member_inactive",
    811: "order_not_found",
    816: "member_not_found",
    817: "server_error",
}
# v2 points/reverse and coupon/reactivate (PTS-REV; 38xx as Capillary's own tests show)
V2_ERRORS: dict[int, str] = {
    804: "server_error",
    817: "insufficient_points",
    878: "invalid_request",
    887: "invalid_request",
    902: "conflict",
    904: "member_inactive",
    3801: "refund_exceeds",
    3803: "order_not_found",
    8015: "member_not_found",
    400: "invalid_request",
    709: "voucher_invalid",
}
COUPON_USED = (696, 711, 716)


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value).strip()) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _int(value: Any) -> int:
    return int(_number(value))


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _listed(container: Any, key: str) -> list[Any]:
    """`{"key": x}`, `{"key": [x]}`, `[x]` or `x` -> a list (v1.1 containers)."""
    if isinstance(container, dict) and key in container:
        container = container[key]
    if container in (None, "", {}):
        return []
    return container if isinstance(container, list) else [container]


def redeem_reference(order_id: str) -> str:
    """points/redeem's external_reference_number: one per order, so a retry gets 744."""
    return f"{order_id}:points"


def restore_target(refund: ops.RefundSale) -> tuple[int, int]:
    """Redeemed points owed back before and after this refund (cumulative floors)."""
    redeemed, paid = refund.points_redeemed, refund.sale_paid
    before, after = refund.refunded_before, refund.refunded_before + refund.money
    if redeemed <= 0:
        return 0, 0
    if paid <= 0:
        return 0, redeemed
    return points_owed(redeemed, before, paid), points_owed(redeemed, after, paid)


# -- the steps of multi-request flows (each carries what the earlier steps learned) ------
@dataclass(frozen=True)
class _ReadBill:
    """transaction/add said 604: is the stored bill this very sale (a retry)?"""

    sale: ops.SubmitSale


@dataclass(frozen=True)
class _Redeem:
    sale: ops.SubmitSale
    earned: int
    replayed: bool


@dataclass(frozen=True)
class _Coupon:
    sale: ops.SubmitSale
    earned: int
    redeemed: int
    index: int
    replayed: bool

    @property
    def code(self) -> str:
        return self.sale.voucher_codes[self.index]


@dataclass(frozen=True)
class _Bill:
    """transaction/add, once the sale's coupons were checked redeemable."""

    sale: ops.SubmitSale


@dataclass(frozen=True)
class _UsedOnBill:
    """A coupon came back "already used": on this very bill (a retry), or elsewhere?"""

    sale: ops.SubmitSale
    codes: tuple[str, ...]
    then: Any  # what to go on with when each code was used on this bill


@dataclass(frozen=True)
class _ReadReturn:
    """transaction/add RETURN said 604: is the stored return receipt this refund?"""

    refund: ops.RefundSale


@dataclass(frozen=True)
class _FindRedemptions:
    refund: ops.RefundSale
    revoked: int


@dataclass(frozen=True)
class _Reverse:
    refund: ops.RefundSale
    revoked: int
    plan: tuple[tuple[str, int, int], ...]  # (redemption id, points, reversed before)
    restored: int = 0
    attempt: int = 0

    @property
    def key(self) -> tuple[str, str, int, int]:
        rid, _, before = self.plan[0]
        return (self.refund.refund_id, rid, before, self.attempt)


class CapillaryCodec:
    dialect = "capillary"
    # where a sale is submitted (fault rules target it)
    sale_route = rf"{re.escape(BASE)}/transaction/add$"
    not_applicable = {
        "holds": (
            "InTouch v1.1 has no points hold: points/isredeemable only checks the balance and"
            " reserves nothing, so applied points stay available until points/redeem after"
            " the bill, and a void has nothing to release"
        ),
        "hold_expiry": (
            "InTouch v1.1 has no points hold (points/isredeemable reserves nothing), so there"
            " is no hold to expire mid-checkout"
        ),
        "referrals": (
            "InTouch v1.1's POS calls carry no referrer on enrolment: referral rewards come"
            " from Engage+ referral campaigns (customer/referrals), which posim's Capillary"
            " dialect does not model"
        ),
    }

    def __init__(
        self,
        credentials: dict[str, str],
        minor_units: int = 2,
        base: str = BASE,
        base_v2: str = BASE_V2,
        member_key: str = "external_id",
    ) -> None:
        till = credentials.get("till") or credentials["username"]
        digest = hashlib.md5(credentials["password"].encode()).hexdigest()
        token = base64.b64encode(f"{till}:{digest}".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
        }
        self.minor_units = minor_units
        self.base = base
        self.base_v2 = base_v2
        self.member_key = member_key
        self._reversals_sent: set[tuple[str, str, int, int]] = set()

    # -- small helpers ----------------------------------------------------------------
    def _get(self, api: str, params: dict[str, Any]) -> Request:
        return Request(
            "GET", f"{self.base}/{api}", dict(self.headers), {"format": "json", **params}
        )

    def _post(self, api: str, entity: str, item: dict[str, Any]) -> Request:
        body = {"root": {entity: item}}
        headers = {**self.headers, "Content-Type": "application/json"}
        return Request("POST", f"{self.base}/{api}", headers, {"format": "json"}, body)

    def _post_v2(self, path: str, body: dict[str, Any]) -> Request:
        headers = {**self.headers, "Content-Type": "application/json"}
        return Request("POST", f"{self.base_v2}/{path}", headers, None, body)

    def _money(self, minor: int) -> str:
        return f"{Decimal(minor).scaleb(-self.minor_units):.{self.minor_units}f}"

    def _minor(self, major: Any) -> int:
        return to_minor(_number(major), self.minor_units)

    def ident(self, member_id: str) -> dict[str, str]:
        """How a member id is named in a call: the member key, or a user id ("id:123")."""
        if member_id.startswith(USER_ID_PREFIX):
            return {"id": member_id[len(USER_ID_PREFIX) :]}
        value = _digits(member_id) if self.member_key == "mobile" else member_id
        return {self.member_key: value}

    def _v2_identifier(self, member_id: str) -> dict[str, str]:
        (kind, value) = next(iter(self.ident(member_id).items()))
        names = {"external_id": "externalId", "id": "id", "mobile": "mobile", "email": "email"}
        return {"type": names.get(kind, kind), "value": value}

    def _member_ref(self, record: dict[str, Any], fallback: str | None = None) -> str:
        value = record.get(self.member_key)
        if value not in (None, ""):
            return str(value)
        if fallback:
            return fallback
        return f"{USER_ID_PREFIX}{record.get('user_id') or record.get('id')}"

    # -- encode -----------------------------------------------------------------------
    def encode(self, op: Any) -> Request | Done:
        match op:
            case ops.Identify(ref=ref, kind=kind):
                return self._get("customer/get", {**self._lookup(ref, kind), "user_id": "true"})
            case ops.Enroll():
                return self._post("customer/add", "customer", self._customer(op))
            case ops.GetBalance(member_id=member_id):
                params = {**self.ident(member_id), "user_id": "true", "expiry_schedule": "true"}
                return self._get("customer/get", {**params, "points_summary": "true"})
            case ops.ReservePoints():
                params = {**self.ident(op.member_id), "points": str(op.points)}
                return self._get("points/isredeemable", params)
            case ops.ReleasePoints():
                return Done(None)  # isredeemable reserved nothing, so nothing is undone
            case ops.SubmitSale() if op.voucher_codes:  # check the coupons before the bill
                params = {**self.ident(op.member_id), "code": ",".join(op.voucher_codes)}
                return self._get("coupon/isredeemable", params)
            case ops.SubmitSale():
                return self._post("transaction/add", "transaction", self._bill(op))
            case _Bill(sale=sale):
                return self._post("transaction/add", "transaction", self._bill(sale))
            case ops.EarnPoints():
                return self._post("transaction/add", "transaction", self._bill(self._earn(op)))
            case _ReadBill(sale=sale):
                params = {**self.ident(sale.member_id), "number": sale.order_id, "limit": "100"}
                return self._get("customer/transactions", params)
            case _Redeem(sale=sale):
                return self._post("points/redeem", "redeem", self._redemption(sale))
            case _Coupon(sale=sale):
                item = {
                    "code": op.code,
                    "customer": self.ident(sale.member_id),
                    "transaction": {"number": sale.order_id, "amount": self._money(sale.paid)},
                }
                return self._post("coupon/redeem", "coupon", item)
            case _UsedOnBill(sale=sale):
                params = {**self.ident(sale.member_id), "type": "COUPONS"}
                return self._get("customer/redemptions", {**params, "coupons_limit": "100"})
            case ops.RefundSale():
                return self._post("transaction/add", "transaction", self._return(op))
            case _ReadReturn(refund=refund):
                params = {**self.ident(refund.member_id), "number": refund.order_id}
                return self._get("customer/transactions", {**params, "limit": "100"})
            case _FindRedemptions(refund=refund):
                params = {**self.ident(refund.member_id), "type": "POINTS"}
                return self._get("customer/redemptions", {**params, "points_limit": "100"})
            case _Reverse():
                if op.key in self._reversals_sent:  # sent before, answer lost: look first
                    params = {**self.ident(op.refund.member_id), "type": "POINTS"}
                    return self._get("customer/redemptions", {**params, "points_limit": "100"})
                self._reversals_sent.add(op.key)
                rid, points, _ = op.plan[0]
                body = {
                    "redemptionId": rid,
                    "pointsToBeReversed": points,
                    "identifier": self._v2_identifier(op.refund.member_id),
                }
                return self._post_v2("points/reverse", body)
            case ops.ListVouchers(member_id=member_id):
                return self._get("customer/coupons", {**self.ident(member_id), "limit": "100"})
            case ops.UseVoucher(burn=False):
                params = {**self.ident(op.member_id), "code": op.code, "details": "true"}
                return self._get("coupon/isredeemable", params)
            case ops.UseVoucher():
                burn: dict[str, Any] = {"code": op.code, "customer": self.ident(op.member_id)}
                if op.order_id:
                    burn["transaction"] = {"number": op.order_id}
                return self._post("coupon/redeem", "coupon", burn)
            case ops.TrackEvent():
                raise LoyaltyError("not_supported", "InTouch v1.1 has no custom-event call")
        raise LoyaltyError("not_supported", f"capillary cannot express {type(op).__name__}")

    def _lookup(self, ref: str, kind: str) -> dict[str, str]:
        if kind == "member_id":
            return self.ident(ref)
        if kind == "mobile":
            return {"mobile": _digits(ref)}
        if kind in ("email", "card_number", "external_id", "id"):
            return {kind: ref}
        raise LoyaltyError("invalid_request", f"cannot identify a customer by {kind!r}")

    def _customer(self, op: ops.Enroll) -> dict[str, Any]:
        if op.referral_code:
            raise LoyaltyError("not_supported", self.not_applicable["referrals"])
        fields = {
            **self.ident(op.member_id),
            "mobile": _digits(op.mobile) if op.mobile else None,
            "email": op.email,
            "card_number": op.card_number,
            "firstname": op.first_name,
            "lastname": op.last_name,
            "type": "LOYALTY",
        }
        return {k: v for k, v in fields.items() if v}

    def _earn(self, op: ops.EarnPoints) -> ops.SubmitSale:
        """Points the portable way: a bill worth exactly that many points (1 per 1.00)."""
        amount = op.points * 10**self.minor_units
        return ops.SubmitSale(op.member_id, op.order_id, (), amount, amount)

    def _bill(self, sale: ops.SubmitSale) -> dict[str, Any]:
        bill: dict[str, Any] = {
            "type": "regular",
            "number": sale.order_id,
            "amount": self._money(sale.paid),
            "gross_amount": self._money(sale.total),
            "discount": self._money(max(0, sale.total - sale.paid)),
            "customer": self.ident(sale.member_id),
        }
        if sale.at is not None:
            bill["billing_time"] = sale.at.strftime("%Y-%m-%d %H:%M:%S")
        if sale.lines:
            bill["line_items"] = {
                "line_item": [
                    {
                        "serial": str(n),
                        "item_code": line.sku,
                        "description": line.name or line.sku,
                        "qty": str(line.quantity),
                        "rate": self._money(line.unit_price),
                        "value": self._money(line.unit_price * line.quantity),
                        "discount": self._money(0),
                        "amount": self._money(line.unit_price * line.quantity),
                    }
                    for n, line in enumerate(sale.lines, 1)
                ]
            }
        if sale.store_id:
            bill["notes"] = f"store {sale.store_id}"
        return bill

    def _redemption(self, sale: ops.SubmitSale) -> dict[str, Any]:
        assert sale.reservation is not None
        return {
            "points_redeemed": str(sale.reservation.points),
            "customer": self.ident(sale.member_id),
            "transaction_number": sale.order_id,
            "external_reference_number": redeem_reference(sale.order_id),
        }

    def _return(self, refund: ops.RefundSale) -> dict[str, Any]:
        """number = the original bill, parent_bill_number = this return's own receipt."""
        bill: dict[str, Any] = {
            "type": "RETURN",
            "number": refund.order_id,
            "parent_bill_number": refund.refund_id,
            "customer": self.ident(refund.member_id),
        }
        if refund.lines:
            prices = {line.sku: line.unit_price for line in refund.lines_detail}
            bill["return_type"] = "LINE_ITEM"
            bill["amount"] = self._money(refund.money)
            bill["line_items"] = {
                "line_item": [
                    {
                        "item_code": sku,
                        "qty": str(qty),
                        "rate": self._money(prices.get(sku, 0)),
                        "amount": self._money(prices.get(sku, 0) * qty),
                    }
                    for sku, qty in refund.lines
                ]
            }
        elif refund.amount is not None:
            bill["return_type"] = "AMOUNT"
            bill["amount"] = self._money(refund.amount)
        elif refund.refunded_before:  # the rest after a partial return: FULL would be 639
            bill["return_type"] = "AMOUNT"
            bill["amount"] = self._money(refund.money)
        else:
            bill["return_type"] = "FULL"
            if refund.money:
                bill["amount"] = self._money(refund.money)
        return bill

    # -- decode -----------------------------------------------------------------------
    def decode(self, op: Any, response: Response) -> Any:
        body = response.answer()
        if response.status != 200:
            raise self._request_error(response, body)
        if isinstance(op, _Reverse):
            return self._decode_reverse(op, body)
        envelope = body.get("response") if isinstance(body, dict) else None
        if not isinstance(envelope, dict):
            raise BadAnswer("not an InTouch response", response)
        match op:
            case ops.Identify():
                record = self._customer_record(envelope)
                return self._member_info(record)
            case ops.Enroll():
                record = self._customer_record(envelope)
                message = str(record.get("item_status", {}).get("message", ""))
                info = self._member_info(record, fallback=op.member_id)
                return replace(info, created="registration" in message.lower())
            case ops.GetBalance():
                record = self._customer_record(envelope)
                require_int(record, "loyalty_points", response=response)  # never read as 0
                return self._balance(record)
            case ops.ReservePoints():
                return self._reservation(op, envelope)
            case ops.SubmitSale() if op.voucher_codes:
                return self._decode_coupon_check(op, envelope)
            case ops.SubmitSale() | ops.EarnPoints() | _Bill():
                sale = op.sale if isinstance(op, _Bill) else op
                sale = self._earn(sale) if isinstance(sale, ops.EarnPoints) else sale
                return self._decode_bill(sale, envelope)
            case _ReadBill(sale=sale):
                return self._decode_read_bill(sale, envelope)
            case _Redeem():
                return self._decode_redeem(op, envelope)
            case _Coupon():
                return self._decode_coupon(op, envelope)
            case _UsedOnBill(sale=sale, codes=codes, then=then):
                for code in codes:
                    if not self._used_on_bill(envelope, code, sale.order_id):
                        raise LoyaltyError("voucher_used", f"coupon {code} is already redeemed")
                return then
            case ops.RefundSale():
                return self._decode_return(op, envelope)
            case _ReadReturn(refund=refund):
                return self._decode_read_return(refund, envelope)
            case _FindRedemptions():
                return self._plan_reversal(op, envelope)
            case ops.ListVouchers():
                return self._vouchers(envelope)
            case ops.UseVoucher(burn=False):
                return self._validated(op, envelope)
            case ops.UseVoucher():
                item = self._item(envelope, "coupons", "coupon")
                self._raise_for(item)
                return ops.VoucherInfo(code=op.code, valid=True, used=True)
        raise LoyaltyError("not_supported", f"capillary cannot decode {type(op).__name__}")

    # customers and balance
    def _customer_record(self, envelope: dict[str, Any]) -> dict[str, Any]:
        record = self._item(envelope, "customers", "customer")
        self._raise_for(record)
        return record

    def _member_info(self, record: dict[str, Any], fallback: str | None = None) -> ops.MemberInfo:
        fraud = record.get("fraud_details") or {}
        status = fraud.get("status") if isinstance(fraud, dict) else record.get("fraud_status")
        return ops.MemberInfo(
            member_id=self._member_ref(record, fallback),
            mobile=record.get("mobile") or None,
            email=record.get("email") or None,
            active=str(status or "NONE").upper() not in ("CONFIRMED", "MARKED"),
        )

    def _balance(self, record: dict[str, Any]) -> ops.Balance:
        summaries = _listed(record.get("points_summaries"), "points_summary")
        summary = summaries[0] if summaries and isinstance(summaries[0], dict) else {}
        pending = record.get("delayed_points", summary.get("delayed_points"))
        schedule = [
            entry
            for entry in _listed(record.get("expiry_schedule"), "schedule")
            if isinstance(entry, dict) and _int(entry.get("points")) > 0
        ]
        schedule.sort(key=lambda entry: str(entry.get("expiry_date", "")))
        first = schedule[0] if schedule else {}
        available = _int(record.get("loyalty_points"))
        return ops.Balance(
            available=available,
            pending=_int(pending),
            next_expiring_points=_int(first.get("points")),
            next_expiring_at=first.get("expiry_date") or None,
            balance=available,  # no holds in v1.1: the balance is what is available
        )

    # points
    def _reservation(self, op: ops.ReservePoints, envelope: dict[str, Any]) -> ops.Reservation:
        points = envelope.get("points") or {}
        redeemable = points.get("redeemable") if isinstance(points, dict) else None
        redeemable = _listed(redeemable, "redeemable")
        item = redeemable[0] if redeemable and isinstance(redeemable[0], dict) else {}
        self._raise_for(item)
        if not _truthy(item.get("is_redeemable", True)):
            raise LoyaltyError("insufficient_points", "points are not redeemable")
        return ops.Reservation(
            reference=redeem_reference(op.reference),
            points=_int(item.get("points")) or op.points,
            money_value=self._minor(item.get("points_redeem_value")),
            committed=False,  # a check only: nothing is held or spent yet
        )

    # sales
    def _decode_bill(self, sale: ops.SubmitSale, envelope: dict[str, Any]) -> Any:
        item = self._item(envelope, "transactions", "transaction")
        if self._code(item) == 604:  # this number exists: a retry of this sale, or a clash
            return Next(_ReadBill(sale))
        self._raise_for(item)
        effects = _listed(item.get("side_effects"), "effect")
        earned = sum(
            _int(e.get("awarded_points"))
            for e in effects
            if isinstance(e, dict) and e.get("type", "points") == "points"
        )
        return self._after_bill(sale, earned, replayed=False)

    def _decode_read_bill(self, sale: ops.SubmitSale, envelope: dict[str, Any]) -> Any:
        customer = envelope.get("customer") or {}
        self._raise_for(customer)
        rows = _listed(customer.get("transactions"), "transaction")
        bill = next(
            (
                r
                for r in rows
                if isinstance(r, dict)
                and str(r.get("number")) == sale.order_id
                and str(r.get("type", "REGULAR")).upper() == "REGULAR"
            ),
            None,
        )
        if bill is None:
            raise LoyaltyError("duplicate_order", f"bill {sale.order_id} exists for another sale")
        same = self._minor(bill.get("amount")) == sale.paid
        if "gross_amount" in bill:
            same = same and self._minor(bill.get("gross_amount")) == sale.total
        if not same:
            raise LoyaltyError(
                "duplicate_order",
                f"bill {sale.order_id} exists with other content",
                vendor_code=604,
            )
        points = object_at(bill, "points")
        return self._after_bill(sale, _int(points.get("issued")), replayed=True)

    def _after_bill(self, sale: ops.SubmitSale, earned: int, replayed: bool) -> Any:
        if sale.reservation is not None and sale.reservation.points > 0:
            return Next(_Redeem(sale, earned, replayed))
        if sale.voucher_codes:
            return Next(_Coupon(sale, earned, 0, 0, replayed))
        return ops.SaleResult(sale.order_id, earned, 0, replayed)

    def _decode_redeem(self, op: _Redeem, envelope: dict[str, Any]) -> Any:
        item = self._item(envelope, "responses", "points")
        reservation = op.sale.reservation
        assert reservation is not None
        if self._code(item) == 744:  # our reference exists: this redemption is done already
            redeemed = reservation.points
        else:
            self._raise_for(item)
            redeemed = _int(item.get("points_redeemed")) or reservation.points
        if op.sale.voucher_codes:
            return Next(_Coupon(op.sale, op.earned, redeemed, 0, op.replayed))
        return ops.SaleResult(op.sale.order_id, op.earned, redeemed, op.replayed)

    def _decode_coupon(self, op: _Coupon, envelope: dict[str, Any]) -> Any:
        item = self._item(envelope, "coupons", "coupon")
        if self._code(item) in COUPON_USED:  # raced by another till, or this sale's retry
            return Next(_UsedOnBill(op.sale, (op.code,), self._after_coupon(op)))
        self._raise_for(item)
        return self._after_coupon(op)

    def _after_coupon(self, op: _Coupon) -> Any:
        if op.index + 1 < len(op.sale.voucher_codes):
            return Next(replace(op, index=op.index + 1))
        return ops.SaleResult(op.sale.order_id, op.earned, op.redeemed, op.replayed)

    def _decode_coupon_check(self, sale: ops.SubmitSale, envelope: dict[str, Any]) -> Any:
        """Every coupon redeemable: write the bill. A used one may be this sale's own (a
        retry); anything else fails the sale before a bill exists."""
        coupons = object_at(envelope, "coupons")
        items = [i for i in _listed(coupons.get("redeemable"), "redeemable") if isinstance(i, dict)]
        if not items:
            items = [{"item_status": envelope.get("status") or {}}]
        used = []
        for item in items:
            if self._code(item) == 700 and _truthy(item.get("is_redeemable", True)):
                continue
            if self._code(item) not in COUPON_USED:
                self._raise_for(item)
                raise LoyaltyError(
                    "voucher_invalid", f"coupon {item.get('code')} is not redeemable"
                )
            used.append(str(item.get("code") or ""))
        if used:
            return Next(_UsedOnBill(sale, tuple(used), Next(_Bill(sale))))
        return Next(_Bill(sale))

    def _used_on_bill(self, envelope: dict[str, Any], code: str, number: str) -> bool:
        """Did this customer redeem `code` on bill `number` (customer/redemptions)?"""
        customer = envelope.get("customer") or {}
        self._raise_for(customer)
        redemptions = customer.get("redemptions") or {}
        coupons = redemptions.get("coupons") if isinstance(redemptions, dict) else None
        return any(
            isinstance(used, dict)
            and str(used.get("code", "")).upper() == code.upper()
            and str(used.get("transaction_number")) == number
            for used in _listed(coupons, "coupon")
        )

    # returns
    def _decode_return(self, refund: ops.RefundSale, envelope: dict[str, Any]) -> Any:
        item = self._item(envelope, "transactions", "transaction")
        if self._code(item) == 604:  # this return receipt exists: a retry, or a clash
            return Next(_ReadReturn(refund))
        self._raise_for(item)
        return self._after_return(refund, _int(item.get("points_deducted")))

    def _decode_read_return(self, refund: ops.RefundSale, envelope: dict[str, Any]) -> Any:
        customer = envelope.get("customer") or {}
        self._raise_for(customer)
        rows = _listed(customer.get("transactions"), "transaction")
        row = next(
            (
                r
                for r in rows
                if isinstance(r, dict)
                and str(r.get("type", "")).upper() == "RETURN"
                and str(r.get("parent_bill_number")) == refund.refund_id
            ),
            None,
        )
        if row is None or (refund.money and self._minor(row.get("amount")) != refund.money):
            raise LoyaltyError(
                "conflict", f"return receipt {refund.refund_id} exists for another return"
            )
        points = object_at(row, "points")
        return self._after_return(refund, _int(points.get("returned")))

    def _after_return(self, refund: ops.RefundSale, revoked: int) -> Any:
        before, after = restore_target(refund)
        if after <= before:
            return ops.RefundResult(refund.refund_id, refund.money, revoked, 0)
        return Next(_FindRedemptions(refund, revoked))

    def _redemptions_on_bill(self, refund: ops.RefundSale, envelope: dict[str, Any]):
        """(redemption id, points redeemed, points reversed) of this bill's redemptions."""
        customer = envelope.get("customer") or {}
        self._raise_for(customer)
        redemptions = customer.get("redemptions") or {}
        points = redemptions.get("points") if isinstance(redemptions, dict) else None
        found = []
        reference = redeem_reference(refund.order_id)
        for entry in _listed(points, "point"):
            if not isinstance(entry, dict):
                continue
            ours = str(entry.get("transaction_number")) == refund.order_id
            if not (ours or str(entry.get("external_reference_number")) == reference):
                continue
            reversed_ = sum(
                _int(r.get("points_reversed", r.get("pointsReversed", r.get("points"))))
                for r in _listed(entry.get("reversals"), "reversal")
                if isinstance(r, dict)
            )
            found.append(
                (str(entry.get("redemption_id")), _int(entry["points_redeemed"]), reversed_)
            )
        return found

    def _plan_reversal(self, op: _FindRedemptions, envelope: dict[str, Any]) -> Any:
        refund = op.refund
        found = self._redemptions_on_bill(refund, envelope)
        _, target = restore_target(refund)
        need = target - sum(reversed_ for _, _, reversed_ in found)
        if need <= 0:  # a retried refund: the reversal happened already
            return ops.RefundResult(refund.refund_id, refund.money, op.revoked, 0)
        plan = []
        for rid, redeemed, reversed_ in found:
            take = min(need, redeemed - reversed_)
            if take > 0:
                plan.append((rid, take, reversed_))
                need -= take
        if not plan or need > 0:
            raise LoyaltyError(
                "conflict",
                f"bill {refund.order_id} has no points redemption left to give back",
            )
        return Next(_Reverse(refund, op.revoked, tuple(plan)))

    def _decode_reverse(self, op: _Reverse, body: Any) -> Any:
        rid, points, before = op.plan[0]
        if isinstance(body, dict) and isinstance(body.get("response"), dict):
            # the check after a lost answer: did that reversal happen?
            found = self._redemptions_on_bill(op.refund, body["response"])
            now = next((rev for r, _, rev in found if r == rid), before)
            if now < before + points:
                return Next(replace(op, attempt=op.attempt + 1))  # it did not: send again
        else:
            body = body if isinstance(body, dict) else {}
            errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
            if errors:
                code = _int(errors[0].get("code"))
                message = str(errors[0].get("message") or "")
                neutral = V2_ERRORS.get(code, "server_error" if code >= 886 else "invalid_request")
                raise LoyaltyError(neutral, message, status=200, vendor_code=code)
            points = _int(body.get("pointsReversed", points))
        restored = op.restored + points
        if len(op.plan) > 1:
            return Next(_Reverse(op.refund, op.revoked, op.plan[1:], restored))
        return ops.RefundResult(op.refund.refund_id, op.refund.money, op.revoked, restored)

    # vouchers
    def _vouchers(self, envelope: dict[str, Any]) -> list[ops.VoucherInfo]:
        out = []
        for customer in _listed(envelope.get("customers"), "customer"):
            if not isinstance(customer, dict):
                continue
            self._raise_for(customer)
            for coupon in _listed(customer.get("coupons"), "coupon"):
                if isinstance(coupon, dict) and coupon.get("code"):
                    used = _int(coupon.get("redemption_count")) > 0 or _truthy(
                        coupon.get("redeemed")
                    )
                    out.append(ops.VoucherInfo(code=str(coupon["code"]), valid=not used, used=used))
        return out

    def _validated(self, op: ops.UseVoucher, envelope: dict[str, Any]) -> ops.VoucherInfo:
        item = self._item(envelope, "coupons", "redeemable")
        self._raise_for(item)
        if not _truthy(item.get("is_redeemable", True)):
            raise LoyaltyError("voucher_invalid", f"coupon {op.code} is not redeemable")
        info = object_at(item, "series_info")
        percent = str(info.get("discount_type", "ABS")).upper() == "PERC"
        value = info.get("discount_value", item.get("coupon_value"))
        return ops.VoucherInfo(
            code=str(item.get("code") or op.code),
            valid=True,
            discount_kind="percent" if percent else "fixed",
            discount_value=_int(value) if percent else self._minor(value),
        )

    # -- errors -----------------------------------------------------------------------
    @staticmethod
    def _item(envelope: dict[str, Any], outer: str, inner: str) -> dict[str, Any]:
        """The first item of `response.<outer>.<inner>` (an object or a list)."""
        found = _listed(envelope.get(outer), inner)
        if found and isinstance(found[0], dict):
            return found[0]
        status = object_at(envelope, "status")
        return {"item_status": status}

    @staticmethod
    def _code(item: dict[str, Any]) -> int:
        status = object_at(item, "item_status")
        return _int(status.get("code"))

    def _raise_for(self, item: dict[str, Any]) -> None:
        status = item.get("item_status") if isinstance(item.get("item_status"), dict) else None
        if status is None or _truthy(status.get("success", "true")):
            return
        code = _int(status.get("code"))
        message = str(status.get("message") or "")
        neutral = ITEM_ERRORS.get(code)
        if neutral is None:
            neutral = "server_error" if 886 <= code <= 899 else "invalid_request"
        raise LoyaltyError(neutral, message, status=200, vendor_code=code)

    def _request_error(self, response: Response, body: Any) -> LoyaltyError:
        status = response.status
        vendor, message = None, ""
        if isinstance(body, dict) and isinstance(body.get("response"), dict):
            found = body["response"].get("status") or {}
            vendor, message = found.get("code"), str(found.get("message") or "")
        elif isinstance(body, dict) and body.get("errors"):
            first = body["errors"][0] if isinstance(body["errors"][0], dict) else {}
            vendor, message = first.get("code"), str(first.get("message") or "")
        if status == 429 or _int(vendor) == 517:
            return LoyaltyError(
                "rate_limited",
                message,
                status=status,
                vendor_code=vendor,
                retry_after=retry_after(response.headers),
            )
        if status == 401:
            code = "unauthorized"
        elif status in (404, 405):
            code = "not_supported"
        elif status >= 500:
            code = "server_error"
        else:
            code = "invalid_request"
        return LoyaltyError(code, message, status=status, vendor_code=vendor)


def _digits(value: str) -> str:
    """Mobile numbers travel as digits with the country code ("+20 100-555" -> "20100555")."""
    return "".join(ch for ch in value if ch.isdigit())
