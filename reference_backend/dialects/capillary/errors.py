"""Item codes, engine-error mapping and request-level failures in the v1.1 shape.

Business failures are per item (HTTP 200, body 500/201); only auth, rate limits and
unreadable requests change the HTTP status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ...engine import EngineError
from .config import get_config
from .convert import failure_body, respond

INVALID_INPUT = "Input is invalid, Please check request parameters or input xml/json"

# item code -> default message (own wording unless the samples fix the text)
MESSAGES: dict[int, str] = {
    400: INVALID_INPUT,
    517: "Rate limit exceeded for this till",
    # customer (1000 series)
    1001: "Invalid mobile number",
    1002: "Invalid email id",
    1003: "Invalid external id",
    1007: "No valid primary identifier (mobile, email or external_id) given",
    1012: "Cannot find customer for provided mobile/external-id/e-mail/id",
    1016: "Email id belongs to another customer",
    1032: "Mobile number belongs to another customer",
    1033: "External id belongs to another customer",
    1046: "A loyalty customer cannot be converted to non-loyalty",
    91007: "Identifier is already used by another customer",
    # transactions (600 series)
    601: "Invalid bill amount, quantity, rate or discount",
    602: "Invalid transaction number",
    604: "Transaction number already exists",
    605: "Invalid transaction type",
    606: "No customer identifier given",
    608: "Unable to add the transaction",
    611: "Customer not found",
    621: "Billing time is invalid or outside the allowed range",
    624: "Return time is earlier than the purchase time",
    625: "Original bill not found",
    626: "Returned quantity exceeds the purchased quantity",
    627: "Returned quantity must be positive",
    628: "Invalid return type",
    630: "Returned amount exceeds the bill amount",
    631: "Bill amount cannot be negative",
    632: "Amount and line-item returns cannot be mixed on one bill",
    633: "Bill is already fully returned",
    639: "Full return is not allowed after a partial return",
    642: "Points or coupon redemption could not be linked to the bill",
    643: "Transaction date too ahead in the future",
    644: "Transaction date too behind in past",
    649: "Invalid mobile number for auto-registration",
    672: "Batch size limit exceeded",
    677: "Return bill number is required",
    679: "Line items are required for a line-item return",
    681: "Transactions are blocked for this customer",
    687: "No matching line item on the original bill",
    688: "Transaction not found",
    1627: "Transaction is already retro-marked",
    1628: "Transaction cannot be converted",
    1629: "Client signature is required for retro conversion",
    1631: "Retro transactions are not enabled for the organization",
    1632: "Transaction is older than allowed for retro conversion",
    1633: "Customer registration is too far from the transaction for retro conversion",
    # points (800 series)
    744: "Reference number already exists",
    801: "Points to redeem are invalid",
    802: "Customer identifier is invalid",
    804: "Insufficient current points",
    807: "Points to redeem must be a multiple of the configured step",
    808: "Validation code is invalid",
    809: "Customer is blocked from redemption",
    811: "Transaction number is invalid",
    816: "Customer not found for organization",
    817: "Points redemption failed",
    819: "Points exceed the maximum redeemable in one transaction",
    821: "Points are below the minimum redeemable",
    824: "Validation code is mandatory for redeeming points",
    878: "Points may have at most three decimal places",
    # coupons (700 series)
    696: "Redemption per coupon code limit has reached max limit",
    701: "Customer not found",
    702: "Invalid coupon code",
    703: "Coupon is not issued to this customer",
    709: "Coupon cannot be redeemed",
    711: "Coupon is already redeemed",
    713: "Coupon has expired",
    716: "Customer has already redeemed this coupon",
    718: "Transaction number is required",
    719: "Transaction does not exist",
    729: "Coupon is not valid yet",
    733: "Transaction amount is invalid or below the coupon's minimum bill amount",
    742: "Customer is blocked",
}

# engine codes that no call of an entity raises in normal use (holds, events, referrals,
# the clock...): each entity maps them on purpose to its generic failure item code
_OUTSIDE_CAPILLARY = (
    "capture_exceeds_hold",
    "clock_cannot_go_backwards",
    "event_conflict",
    "event_not_configured",
    "hold_already_captured",
    "hold_already_released",
    "hold_conflict",
    "hold_expired",
    "hold_member_mismatch",
    "hold_not_found",
    "hold_ttl_too_long",
    "idempotency_key_in_use",
    "idempotency_key_reused",
    "member_conflict",
    "redemption_not_found",
    "referral_code_not_found",
    "referral_not_eligible",
    "referral_self_not_allowed",
    "reversal_exceeds_redeemed",
    "version_conflict",
    "voucher_not_reserved",
    "voucher_pool_empty",
)

# engine codes of one entity, which the other entities map to their generic failure
_BILL_ONLY = (
    "order_conflict",
    "refund_conflict",
    "order_not_found",
    "order_member_mismatch",
    "order_already_refunded",
    "refund_exceeds_paid",
    "refund_quantity_exceeds_purchased",
)
_POINTS_ONLY = ("insufficient_points", "redemption_conflict")
_COUPON_ONLY = (
    "voucher_not_found",
    "voucher_owner_mismatch",
    "voucher_voided",
    "voucher_reserved",
    "voucher_already_burned",
    "voucher_expired",
    "voucher_not_active",
    "voucher_quantity_exceeded",
)

# engine error code -> item code, per entity (invariant_violation is never mapped: a 500)
TRANSACTION_CODES = {
    "invalid_request": 601,
    "member_not_found": 611,
    "member_blocked": 681,
    "order_conflict": 604,
    "refund_conflict": 604,
    "order_not_found": 625,
    "order_member_mismatch": 625,
    "order_already_refunded": 633,
    "refund_exceeds_paid": 630,
    "refund_quantity_exceeds_purchased": 626,
    **dict.fromkeys(_OUTSIDE_CAPILLARY + _POINTS_ONLY + _COUPON_ONLY, 608),  # cannot add
}
POINTS_CODES = {
    "invalid_request": 801,
    "member_not_found": 816,
    "member_blocked": 809,
    "insufficient_points": 804,
    "redemption_conflict": 744,
    **dict.fromkeys(_OUTSIDE_CAPILLARY + _BILL_ONLY + _COUPON_ONLY, 817),  # redemption failed
}
COUPON_CODES = {
    "member_not_found": 701,
    "member_blocked": 742,
    "voucher_not_found": 702,
    "voucher_owner_mismatch": 703,
    "voucher_voided": 709,
    "voucher_reserved": 709,
    "voucher_already_burned": 711,
    "voucher_expired": 713,
    "voucher_not_active": 729,
    "voucher_quantity_exceeded": 696,
    # cannot be redeemed
    **dict.fromkeys(_OUTSIDE_CAPILLARY + _BILL_ONLY + _POINTS_ONLY + ("invalid_request",), 709),
}


class ItemError(Exception):
    """One item failed with a Capillary item code; other items of the batch go on."""

    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, "Request failed")
        super().__init__(self.message)


def from_engine(exc: EngineError, table: dict[str, int], fallback: int) -> ItemError:
    """Translate an engine error into this entity's item code."""
    if exc.code == "invariant_violation":  # never hide a broken ledger behind an item code
        raise exc
    return ItemError(table.get(exc.code, fallback))


# request-level failures: HTTP status -> (body code, message)
_REQUEST_LEVEL = {
    400: (400, INVALID_INPUT),
    401: (401, "Invalid credentials: check the till code and the md5 of the password"),
    404: (404, "Resource not found"),
    405: (405, "Method not allowed for this resource"),
    429: (517, "Rate limit exceeded for this till"),  # 517: the documented throttle code
}


def _failure_code(status: int, kind: str, message: str) -> tuple[int, str]:
    """The body code and message of a request-level failure."""
    if kind == "internal":
        return 500, "Internal error"
    if status >= 500:  # an injected outage keeps its status; 503 is a documented code
        return status, f"Service unavailable: {message}" if message else "Service unavailable"
    if kind == "rate_limited":  # 517: the only documented throttle code
        status = 429
    code, text = _REQUEST_LEVEL.get(status, (400, INVALID_INPUT))
    if kind == "malformed_json":
        text = f"{INVALID_INPUT} (body is not valid JSON)"
    elif message and (status in (400, 429) or kind == "unavailable"):
        text = f"{text}: {message}"
    return code, text


def render_failure(request: Request, status: int, kind: str, message: str) -> Response:
    """Framework-level failures (bad JSON, unknown route, auth, throttling, injected faults)
    in the envelope of the API called: v1.1 `response.status`, or v2 `errors`."""
    tenant = getattr(request.state, "tenant", None)
    cfg = get_config(tenant.dialect_data("capillary") if tenant else {})
    code, text = _failure_code(status, kind, message)
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="InTouch"'
    retry = getattr(request.state, "retry_after", None)
    if status == 429 and retry:
        headers["Retry-After"] = retry
    if request.url.path.startswith("/v2/") or request.url.path == "/v2":
        body = {"warnings": [], "errors": [{"status": False, "code": code, "message": text}]}
        request_id = str(getattr(request.state, "request_id", ""))
        headers["X-Cap-Requestid"] = request_id
        return JSONResponse(body, status_code=status, headers=headers)
    return respond(request, failure_body(code, text), cfg, status, headers)


def render_error(request: Request, exc: EngineError) -> Response:
    """An engine error no route caught: a broken ledger is a 500, anything else bad input."""
    if exc.code == "invariant_violation":
        return render_failure(request, 500, "internal", exc.message)
    return render_failure(request, 400, "validation", exc.message)


def run_batch(
    raws: list[Any],
    handle: Callable[[Any], dict[str, Any]],
    fail: Callable[[Any, ItemError], dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[bool]]:
    """Process each item on its own: one item's failure never stops the others."""
    items, outcomes = [], []
    for raw in raws:
        try:
            items.append(handle(raw))
            outcomes.append(True)
        except ItemError as err:
            items.append(fail(raw, err))
            outcomes.append(False)
    return items, outcomes
