"""White Label Loyalty codec: neutral operations <-> WLL's Rewards API (/v1), no I/O.

WLL has no holds and no orders. A POS reports what happened as events: TRANSACTION earns
(a reactor such as `$.amount * 1`), REDEEMED_POINTS deducts at once (and may overdraw, so
the POS checks the wallet first), POINTS_REFUND gives points back. A refund is the POS's own
arithmetic: it revokes earned points and restores redeemed ones with those two events.

Every call carries X-Api-Key and an admin token. The token comes from the client-credentials
flow on first use: `encode` sends the token request, `decode` keeps the token and answers
`Next(op)`, so the operation then goes out with it. A 401 later (a token past its 24 h) drops
the token and fetches a new one, once.

Event ids are the POS's own: the order id for a sale, ids derived from the checkout or the
refund for the rest, so a retry after a lost answer replays the stored event instead of
moving points twice (same id, other content: 409).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from . import ops
from .base import (
    BadAnswer,
    LoyaltyError,
    Next,
    Request,
    Response,
    object_at,
    require_int,
)
from .base_paths import WLL
from .money import points_owed, to_major
from .retry_after import retry_after

BASE = WLL.client
TOKEN_PATH = WLL.extra["token"]
AUDIENCE = "wlloyalty.net"
EARN, DEDUCT, RESTORE = "TRANSACTION", "REDEEMED_POINTS", "POINTS_REFUND"
PLACEHOLDER_EMAIL = "UNKNOWN"  # WLL accepts it for a profile without PII

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_ACCOUNT_NUMBER = re.compile(r"^\d{7}$")

# posim puts the engine's neutral code in a failure's `data.code`; WLL itself sends only a
# message, so the message hints below decide when there is no code.
ENGINE_CODES = {
    "member_not_found": "member_not_found",
    "member_blocked": "member_inactive",
    "member_conflict": "member_exists",
    "insufficient_points": "insufficient_points",
    "voucher_already_burned": "voucher_used",
    "voucher_quantity_exceeded": "voucher_used",
    "voucher_reserved": "voucher_used",
    "voucher_expired": "voucher_expired",
    "voucher_not_found": "voucher_invalid",
    "voucher_not_active": "voucher_invalid",
    "voucher_voided": "voucher_invalid",
    "voucher_owner_mismatch": "voucher_invalid",
    "invalid_request": "invalid_request",
}
MESSAGE_HINTS = (
    ("insufficient points", "insufficient_points"),
    ("already been used", "voucher_used"),
    ("is in use", "voucher_used"),
    ("expired", "voucher_expired"),
    ("voucher not found", "voucher_invalid"),
    ("benefit not found", "voucher_invalid"),
    ("not redeemed", "voucher_invalid"),
    ("no longer valid", "voucher_invalid"),
    ("not valid yet", "voucher_invalid"),
    ("belongs to another user", "voucher_invalid"),
    ("user not found", "member_not_found"),
    ("not active", "member_inactive"),
)
_DISCOUNT_KINDS = {"ABSOLUTE": "fixed", "FIXED": "fixed", "PERCENTAGE": "percent"}


# -- the steps of multi-request flows ----------------------------------------------------
@dataclass(frozen=True)
class _PointValue:
    """Reserve, step 2 (once per codec): GET /settings/pointsCurrencyValue, a setting record."""

    op: ops.ReservePoints


@dataclass(frozen=True)
class _Deduct:
    """Reserve, step 3: REDEEMED_POINTS, after the wallet showed enough points."""

    op: ops.ReservePoints


@dataclass(frozen=True)
class _Recheck:
    """Reserve, step 4: read the wallet again; below zero means another till spent too."""

    op: ops.ReservePoints


@dataclass(frozen=True)
class _Undo:
    """Reserve, step 5 when overdrawn: give this deduction back, then refuse."""

    op: ops.ReservePoints


@dataclass(frozen=True)
class _SaleStep:
    """Sale: burn each voucher code (validate_voucher), then report the TRANSACTION."""

    sale: ops.SubmitSale
    step: int


@dataclass(frozen=True)
class _RefundStep:
    """Refund: REDEEMED_POINTS for what the refund revokes, POINTS_REFUND for what it restores."""

    refund: ops.RefundSale
    step: int


@dataclass(frozen=True)
class RefundPlan:
    money: int
    revoke: int  # earned points this refund takes back
    restore: int  # redeemed points this refund gives back

    def events(self) -> tuple[tuple[str, str, int], ...]:
        """(event type, id suffix, points) for each event the refund sends, in order."""
        steps = ((DEDUCT, "revoke", self.revoke), (RESTORE, "restore", self.restore))
        return tuple(step for step in steps if step[2] > 0)


def _share(points: int, paid: int, before: int, money: int) -> int:
    """The points this refund moves: what is owed after it, less what was owed before."""
    return points_owed(points, before + money, paid) - points_owed(points, before, paid)


def refund_plan(op: ops.RefundSale) -> RefundPlan:
    """The points a refund moves, from the receipt; refuses a refund above what is left."""
    left = op.sale_paid - op.refunded_before
    money = op.money if op.money or op.amount is not None or op.lines else left
    if money < 0 or (op.amount is not None and op.amount <= 0):
        raise LoyaltyError("invalid_request", "a refund must be a positive amount")
    if op.sale_paid <= 0:  # paid entirely with points or vouchers: only the rest restores
        if op.amount or op.lines or op.refunded_before:
            raise LoyaltyError("refund_exceeds", "nothing was paid, only a full refund applies")
        return RefundPlan(0, 0, op.points_redeemed)
    if money > left:
        raise LoyaltyError("refund_exceeds", f"refund of {money} but only {left} is left")
    if money == 0:
        raise LoyaltyError("refund_exceeds", "the sale is refunded in full already")
    before = op.refunded_before
    return RefundPlan(
        money,
        _share(op.points_earned, op.sale_paid, before, money),
        _share(op.points_redeemed, op.sale_paid, before, money),
    )


def subject(member_id: str) -> dict[str, str]:
    """An event's subject: a WLL id (UUID), a 7-digit account number, or the auth identifier
    (the POS's own member id, which it registers as `authIdentifier` on enrolment)."""
    if _UUID.match(member_id):
        return {"id": member_id}
    if _ACCOUNT_NUMBER.match(member_id):
        return {"accountNumber": member_id}
    return {"authIdentifier": member_id}


def _check_shape(op: Any, data: Any, response: Response) -> None:
    """The fields a successful answer must carry for the POS to read it: never defaulted."""
    if isinstance(op, ops.Identify | ops.Enroll) and not isinstance(data, dict):
        raise BadAnswer("no user object in the answer", response)
    if isinstance(op, ops.GetBalance | ops.ReservePoints | _Recheck):
        require_int(data, "points", response=response)


def _data(body: Any) -> Any:
    """The JSend `data`, or the body itself when it is not an envelope."""
    if isinstance(body, dict) and "status" in body and "data" in body:
        return body["data"]
    return body


class WLLCodec:
    dialect = "wll"
    # a sale is a TRANSACTION event (fault rules target it)
    sale_route = rf"{re.escape(BASE)}/events$"
    not_applicable = {
        "hold_expiry": (
            "WLL has no holds: REDEEMED_POINTS deducts at once, so nothing held can expire "
            "mid-checkout"
        ),
        "pending": (
            "WLL's wallet has one points balance: no points pending for a return window and "
            "no next-expiring figure"
        ),
        "referrals": "WLL's Rewards API has no referral operations",
        "identify_by_card": (
            "WLL users carry no loyalty-card number; a till finds them by WLL id, 7-digit "
            "account number or auth identifier"
        ),
    }

    def __init__(
        self,
        credentials: dict[str, str],
        minor_units: int = 2,
        base: str = BASE,
        earn_rate: float | str = 1,
    ) -> None:
        self.api_key = credentials["apiKey"]
        self.client_id = credentials.get("clientId", "")
        self.client_secret = credentials.get("clientSecret", "")
        self.audience = credentials.get("audience", AUDIENCE)
        self.token_url = credentials.get("tokenUrl", TOKEN_PATH)
        self.minor_units = minor_units
        self.base = base
        # points per major unit paid: the TRANSACTION reactor (`$.amount * 1` in WLL's guide).
        # WLL answers an event without the points it moved, so the receipt shows this figure.
        self.earn_rate = Decimal(str(earn_rate))
        self.token: str | None = credentials.get("accessToken") or None
        self._awaiting_token = False
        self._reauthed = False
        self._point_value: Decimal | None = None  # pointsCurrencyValue, once read
        self._point_value_read = False
        self._burns_in_flight: set[tuple[str, str]] = set()
        self._burns_lost: set[tuple[str, str]] = set()

    # -- helpers ----------------------------------------------------------------------
    def _req(self, method: str, path: str, json: Any = None, params=None) -> Request:
        headers = {"X-Api-Key": self.api_key, "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return Request(method, self.base + path, headers, params, json)

    def _money(self, minor: int) -> float:
        return to_major(minor, self.minor_units)

    def _user(self, ref: str) -> str:
        return "/users/" + quote(str(ref), safe="")

    def _event(self, type_: str, member_id: str, payload: dict, event_id: str | None) -> Request:
        body: dict[str, Any] = {"type": type_, "subject": subject(member_id), "payload": payload}
        if event_id is not None:
            body["id"] = event_id
        return self._req("POST", "/events", body)

    def points_for(self, paid_minor: int) -> int:
        """The points the TRANSACTION reactor awards on `paid_minor` (floor)."""
        paid = Decimal(paid_minor).scaleb(-self.minor_units)
        return int((paid * self.earn_rate).to_integral_value(rounding=ROUND_FLOOR))

    def _token_request(self) -> Request:
        body = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "audience": self.audience,
            "grant_type": "client_credentials",
        }
        headers = {"X-Api-Key": self.api_key, "Accept": "application/json"}
        return Request("POST", self.token_url, headers, None, body)

    # -- encode -----------------------------------------------------------------------
    def encode(self, op: Any) -> Request:
        self._refuse_locally(op)
        if self.token is None:
            self._awaiting_token = True
            return self._token_request()
        self._awaiting_token = False
        return self._encode(op)

    def _refuse_locally(self, op: Any) -> None:
        """What the POS refuses without asking WLL."""
        match op:
            case ops.Identify(kind="card_number"):
                raise LoyaltyError("not_supported", self.not_applicable["identify_by_card"])
            case ops.RefundSale():
                refund_plan(op)

    def _encode(self, op: Any) -> Request:
        match op:
            case ops.Identify(ref=ref):
                return self._req("GET", self._user(ref))
            case ops.Enroll():
                profile = {
                    "email": op.email or PLACEHOLDER_EMAIL,
                    "givenName": op.first_name,
                    "familyName": op.last_name,
                    "telephone": op.mobile,
                    # the POS's member id: how the till names the user from now on
                    "authIdentifier": op.member_id,
                    "externalIdentifier": op.member_id,
                }
                return self._req("POST", "/users", {k: v for k, v in profile.items() if v})
            case ops.GetBalance(member_id=member_id) | ops.ListVouchers(member_id=member_id):
                return self._req("GET", self._user(member_id) + "/wallet")
            case ops.ReservePoints(member_id=member_id):
                return self._req("GET", self._user(member_id) + "/wallet")
            case _Recheck(op=reserve):
                return self._req("GET", self._user(reserve.member_id) + "/wallet")
            case _PointValue():
                return self._req("GET", "/settings/pointsCurrencyValue")
            case _Deduct(op=reserve):
                payload = {"points": reserve.points, "transactionId": reserve.reference}
                return self._event(DEDUCT, reserve.member_id, payload, self._redeem_id(reserve))
            case _Undo(op=reserve):
                payload = {"points": reserve.points, "transactionId": reserve.reference}
                event_id = self._redeem_id(reserve) + ":undo"
                return self._event(RESTORE, reserve.member_id, payload, event_id)
            case ops.ReleasePoints(member_id=member_id, reservation=reservation):
                payload = {"points": reservation.points, "reason": "checkout voided"}
                event_id = f"{reservation.reference}:release"
                return self._event(RESTORE, member_id, payload, event_id)
            case ops.SubmitSale():
                return self._encode(_SaleStep(op, 0))
            case _SaleStep(sale=sale, step=step) if step < len(sale.voucher_codes):
                code = sale.voucher_codes[step]
                key = (sale.order_id, code)
                if key in self._burns_in_flight:  # the last attempt got no answer
                    self._burns_lost.add(key)
                self._burns_in_flight.add(key)
                return self._validate(code, burn=True)
            case _SaleStep(sale=sale):
                return self._event(EARN, sale.member_id, self._transaction(sale), sale.order_id)
            case ops.EarnPoints():
                payload = {"amount": float(Decimal(op.points) / self.earn_rate)}
                payload["transactionId"] = op.order_id
                return self._event(EARN, op.member_id, payload, op.order_id)
            case ops.RefundSale():
                return self._encode(_RefundStep(op, 0))
            case _RefundStep(refund=refund, step=step):
                events = refund_plan(refund).events()
                if step >= len(events):  # nothing to move: confirm the member, nothing more
                    return self._req("GET", self._user(refund.member_id) + "/wallet")
                type_, suffix, points = events[step]
                payload = {
                    "points": points,
                    "transactionId": refund.order_id,
                    "refundId": refund.refund_id,
                }
                event_id = f"{refund.order_id}:refund:{refund.refund_id}:{suffix}"
                return self._event(type_, refund.member_id, payload, event_id)
            case ops.UseVoucher(code=code, burn=burn):
                return self._validate(code, burn)
            case ops.TrackEvent():
                return self._event(op.name, op.member_id, dict(op.payload), None)
        raise LoyaltyError("not_supported", f"wll cannot express {type(op).__name__}")

    @staticmethod
    def _redeem_id(reserve: ops.ReservePoints) -> str:
        return f"{reserve.reference}:points"

    def _validate(self, code: str, burn: bool) -> Request:
        body = {"code": code, "allowFutureValidation": not burn}
        return self._req("POST", "/commands/validate_voucher", body)

    def _transaction(self, sale: ops.SubmitSale) -> dict[str, Any]:
        """The TRANSACTION payload: no PII, and nothing that changes on a retry."""
        payload: dict[str, Any] = {
            "amount": self._money(sale.paid),
            "transactionId": sale.order_id,
            "total": self._money(sale.total),
            "discount": self._money(sale.total - sale.paid),
            "basket": [
                {
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "price": self._money(line.unit_price),
                    "name": line.name or line.sku,
                }
                for line in sale.lines
            ],
        }
        if sale.store_id:
            payload["branchId"] = sale.store_id
        if sale.reservation is not None:
            payload["pointsRedeemed"] = sale.reservation.points
        if sale.voucher_codes:
            payload["vouchers"] = list(sale.voucher_codes)
        if sale.at is not None:
            payload["transactionDate"] = sale.at.isoformat()
        return payload

    # -- decode -----------------------------------------------------------------------
    def decode(self, op: Any, response: Response) -> Any:
        if self._awaiting_token:
            self._awaiting_token = False
            self._take_token(response)
            return Next(op)
        body = response.answer()
        step = _SaleStep(op, 0) if isinstance(op, ops.SubmitSale) else op  # a sale's step 0
        self._settle_burn(step, response)
        if response.status == 401 and self.token is not None and not self._reauthed:
            self.token, self._reauthed = None, True  # expired or revoked: fetch a new one
            return Next(op)
        self._reauthed = False
        if isinstance(step, _PointValue) and response.status == 404:
            self._take_point_value(None)  # no settings API here: the till's own rate applies
            return Next(_Deduct(step.op))
        if response.status >= 400:
            error = self._error(step, response, body)
            if error.code == "voucher_used" and self._was_lost_burn(step):
                return Next(_SaleStep(step.sale, step.step + 1))  # our own burn, answer lost
            raise error
        data = _data(body)
        _check_shape(step, data, response)
        return self._decode(step, data)

    def _take_token(self, response: Response) -> None:
        body = response.answer()
        if response.status >= 400:
            raise self._error(None, response, body)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise LoyaltyError("server_error", "the token service answered no access_token")
        self.token = token

    def _settle_burn(self, op: Any, response: Response) -> None:
        if isinstance(op, _SaleStep) and op.step < len(op.sale.voucher_codes):
            key = (op.sale.order_id, op.sale.voucher_codes[op.step])
            self._burns_in_flight.discard(key)
            if response.status < 400:
                self._burns_lost.discard(key)

    def _was_lost_burn(self, op: Any) -> bool:
        if not isinstance(op, _SaleStep) or op.step >= len(op.sale.voucher_codes):
            return False
        key = (op.sale.order_id, op.sale.voucher_codes[op.step])
        if key in self._burns_lost:
            self._burns_lost.discard(key)
            return True
        return False

    def _decode(self, op: Any, data: Any) -> Any:
        data = data if data is not None else {}
        match op:
            case ops.Identify():
                return self._member(data)
            case ops.Enroll():
                return self._member(data, created=True)
            case ops.GetBalance():
                points = int(data.get("points") or 0)
                return ops.Balance(available=points, balance=points)
            case ops.ReservePoints():
                available = int(data.get("points") or 0)
                if op.points > available:
                    raise LoyaltyError(
                        "insufficient_points", f"{op.points} points asked, {available} available"
                    )
                return Next(_Deduct(op) if self._point_value_read else _PointValue(op))
            case _PointValue(op=reserve):
                self._take_point_value(data)
                return Next(_Deduct(reserve))
            case _Deduct(op=reserve):
                return Next(_Recheck(reserve))
            case _Recheck(op=reserve):
                if int(data.get("points") or 0) < 0:  # another till spent the same points
                    return Next(_Undo(reserve))
                return ops.Reservation(
                    reference=self._redeem_id(reserve),  # the REDEEMED_POINTS event's id
                    points=reserve.points,
                    money_value=self._value_of(reserve.points),
                    committed=True,
                )
            case _Undo(op=reserve):
                raise LoyaltyError(
                    "insufficient_points",
                    f"{reserve.points} points were spent elsewhere meanwhile; given back",
                )
            case ops.ReleasePoints():
                return None
            case _SaleStep(sale=sale, step=step) if step < len(sale.voucher_codes):
                return Next(_SaleStep(sale, step + 1))
            case _SaleStep(sale=sale):
                return ops.SaleResult(
                    order_id=sale.order_id,
                    points_earned=self.points_for(sale.paid),
                    points_redeemed=sale.reservation.points if sale.reservation else 0,
                )
            case ops.EarnPoints():
                return ops.SaleResult(order_id=op.order_id, points_earned=op.points)
            case ops.RefundSale():
                return self._decode(_RefundStep(op, 0), data)
            case _RefundStep(refund=refund, step=step):
                plan = refund_plan(refund)
                if step + 1 < len(plan.events()):
                    return Next(_RefundStep(refund, step + 1))
                return ops.RefundResult(
                    refund_id=refund.refund_id,
                    amount=plan.money,
                    points_revoked=plan.revoke,
                    points_restored=plan.restore,
                )
            case ops.UseVoucher():
                return self._voucher(op, data)
            case ops.ListVouchers():
                return [self._benefit(b) for b in data.get("vouchers") or []]
            case ops.TrackEvent():
                return None
        raise LoyaltyError("not_supported", f"wll cannot decode {type(op).__name__}")

    @staticmethod
    def _member(data: dict[str, Any], created: bool = False) -> ops.MemberInfo:
        profile = object_at(data, "profile")
        email = data.get("email") or profile.get("email")
        if isinstance(email, str) and email.upper() in ("UNKNOWN", "REDACTED"):
            email = None
        return ops.MemberInfo(
            # the POS's member id is the auth identifier it enrolled with; else WLL's id
            member_id=str(data.get("authIdentifier") or data.get("id")),
            mobile=data.get("telephone") or profile.get("telephone"),
            email=email,
            active=data.get("active", True) is not False,
            created=created,
        )

    def _take_point_value(self, data: Any) -> None:
        self._point_value_read = True
        # a setting record `{name, value}` (value a string, e.g. "0.01")
        raw = data.get("value") if isinstance(data, dict) else None
        try:
            value = Decimal(str(raw)) if raw is not None else None
        except InvalidOperation:
            value = None
        self._point_value = value if value is not None and value.is_finite() else None

    def _value_of(self, points: int) -> int:
        """Money (minor units) the points pay for; 0 = unknown (the till's own rate applies)."""
        if self._point_value is None or self._point_value <= 0:
            return 0
        value = (points * self._point_value).scaleb(self.minor_units)
        return int(value.to_integral_value(rounding=ROUND_FLOOR))

    def _voucher(self, op: ops.UseVoucher, data: dict[str, Any]) -> ops.VoucherInfo:
        owner = data.get("owner") or {}
        if owner and not op.burn:
            known = {str(owner.get(k)) for k in ("id", "accountNumber", "authIdentifier")}
            if op.member_id not in known:
                raise LoyaltyError("voucher_invalid", "the voucher belongs to another member")
        kind, value = self._discount(data)
        return ops.VoucherInfo(
            code=op.code, valid=True, discount_kind=kind, discount_value=value, used=op.burn
        )

    def _benefit(self, benefit: dict[str, Any]) -> ops.VoucherInfo:
        code = benefit.get("code") or {}
        value = code.get("value") if isinstance(code, dict) else None
        kind, amount = self._discount(benefit)
        return ops.VoucherInfo(
            # an OTP benefit shows its code once redeemed; until then the benefit id stands in
            code=str(value or benefit.get("id")),
            valid=value is not None,
            discount_kind=kind,
            discount_value=amount,
            used=benefit.get("burnedAt") is not None,
        )

    @staticmethod
    def _discount(data: dict[str, Any]) -> tuple[str, int]:
        discounts = data.get("discounts")
        if discounts is None:
            discounts = (data.get("reward") or {}).get("discounts") or []
        if not discounts:
            return "", 0
        first = discounts[0]
        try:
            value = int(str(first.get("value") or 0))
        except ValueError:
            value = 0
        return _DISCOUNT_KINDS.get(str(first.get("type")).upper(), ""), value

    def _error(self, op: Any, response: Response, body: Any) -> LoyaltyError:
        body = body if isinstance(body, dict) else {}
        data = object_at(body, "data")
        message = str(body.get("message") or body.get("error_description") or "")
        status = response.status
        vendor = data.get("code") or body.get("error")
        if status == 429:
            wait = retry_after(response.headers)
            return LoyaltyError(
                "rate_limited", message, status=429, vendor_code=vendor, retry_after=wait
            )
        return LoyaltyError(
            self._neutral(op, status, message, data), message, status=status, vendor_code=vendor
        )

    @staticmethod
    def _neutral(op: Any, status: int, message: str, data: dict[str, Any]) -> str:
        if status >= 500:
            return "server_error"
        if status == 401:
            return "unauthorized"
        sale = isinstance(op, ops.SubmitSale | ops.EarnPoints | _SaleStep)
        if status == 409:
            if isinstance(op, ops.Enroll):
                return "member_exists"
            return "duplicate_order" if sale else "conflict"
        code = ENGINE_CODES.get(str(data.get("code")))
        if code:
            return code
        lowered = message.lower()
        hint = next((c for text, c in MESSAGE_HINTS if text in lowered), None)
        if hint:
            return hint
        if status == 403:
            return "unauthorized"
        if status == 404:
            if isinstance(op, ops.UseVoucher) or sale:
                return "voucher_invalid"
            return "not_supported" if lowered == "not found" else "member_not_found"
        return "invalid_request"
