"""Gameball's v4 error envelope, its documented codes, and the engine-error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from ...engine import EngineError

DOCS_URL = "https://docs.gameball.co/api-reference/overview/status-error-codes"

# code -> (HTTP status, message). Statuses follow Gameball's published status table.
CODES: dict[int, tuple[int, str]] = {
    1000: (401, "Unauthorized"),
    1001: (401, "Secret Key Required"),
    1002: (403, "Forbidden"),
    2000: (412, "Precondition Failed"),
    2001: (422, "Concurrent Request In Progress"),
    3000: (400, "Missing Arguments"),
    3001: (422, "Null Arguments"),
    3003: (422, "Invalid Value"),
    3005: (422, "Body Hashed Invalid"),
    3008: (422, "Email Already Exists"),
    3009: (422, "Inactive"),
    3011: (422, "Limit Exceed"),  # a throttled call passes its own 429
    3016: (400, "Invalid Payload"),
    4000: (400, "Failed"),
    4004: (404, "Not Found"),
    4500: (400, "Something Wrong"),
    5000: (500, "Internal Server Error"),
    5003: (503, "Service Unavailable"),
    7000: (404, "Customer Not Found"),
    7002: (422, "Customer Already Referred"),
    7003: (404, "Referral Code Not Found"),
    7006: (422, "Invalid Referral"),
    9001: (422, "Transaction Already Cancelled"),
    9002: (404, "Transaction Not Found"),
    9004: (422, "Transaction ID Already Exists"),
    9005: (404, "Reversed Transaction Not Found"),
    9006: (404, "Transaction Hold Reference Not Found"),
    9008: (422, "Insufficient Balance Points"),
}

_TYPES = {
    1: "Authentication Error",
    2: "Request Error",
    3: "Payload Error",
    4: "General Error",
    5: "Server Error",
    6: "Configuration Error",
    7: "Customer Error",
    8: "Subscription Error",
    9: "Transaction Error",
}

# neutral engine code -> Gameball code; routes override where context picks another code
ENGINE_CODES: dict[str, int] = {
    "invalid_request": 3003,
    "member_not_found": 7000,
    "order_not_found": 9005,
    "redemption_not_found": 9005,
    "order_member_mismatch": 9005,
    "hold_not_found": 9006,
    "hold_expired": 9006,
    "hold_already_captured": 9006,
    "hold_already_released": 9006,
    "hold_member_mismatch": 9006,
    "member_blocked": 3009,
    "member_conflict": 3008,
    "insufficient_points": 9008,
    "order_conflict": 9004,
    "refund_conflict": 9004,
    "redemption_conflict": 9004,
    "hold_conflict": 9004,
    "event_conflict": 9004,
    "idempotency_key_reused": 9004,
    "idempotency_key_in_use": 2001,
    "version_conflict": 2001,
    "order_already_refunded": 9001,
    "reversal_exceeds_redeemed": 9001,
    "refund_exceeds_paid": 3003,
    "refund_quantity_exceeds_purchased": 3003,
    "capture_exceeds_hold": 3003,
    "event_not_configured": 3003,
    "referral_code_not_found": 7003,
    "referral_self_not_allowed": 7006,
    "referral_not_eligible": 7002,
    "voucher_not_found": 3003,
    "voucher_already_burned": 3003,
    "voucher_quantity_exceeded": 3003,
    "voucher_reserved": 3003,
    "voucher_expired": 3003,
    "voucher_not_active": 3003,
    "voucher_voided": 3003,
    "voucher_owner_mismatch": 3003,
    "voucher_not_reserved": 9006,  # a coupon lock that is gone (Gameball's reference code)
    "voucher_pool_empty": 3003,
    "hold_ttl_too_long": 3003,
    "clock_cannot_go_backwards": 3003,  # a time before the tenant's clock is an invalid value
    "invariant_violation": 5000,
}


class GameballError(Exception):
    """A failure rendered in Gameball's envelope; `status` overrides the code's default."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_status, default_message = CODES[code]
        super().__init__(message or default_message)
        self.code = code
        self.message = message or default_message
        self.status = status or default_status
        self.headers = headers or {}

    @classmethod
    def from_engine(cls, exc: EngineError, code: int | None = None) -> GameballError:
        return cls(code or ENGINE_CODES.get(exc.code, 4500), exc.message)


def envelope(request: Request, code: int, message: str) -> dict[str, Any]:
    """The v4 envelope; `error` repeats the code so OAS `components.schemas.Error` holds too."""
    return {
        "code": code,
        "type": _TYPES.get(code // 1000, "General Error"),
        "message": message,
        "documentationUrl": DOCS_URL,
        "requestId": getattr(request.state, "request_id", None) or "",
        "error": code,
    }


def error_response(request: Request, exc: GameballError) -> JSONResponse:
    request.state.dialect = "gameball"
    body = envelope(request, exc.code, exc.message)
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def render_error(request: Request, exc: EngineError) -> Response:
    return error_response(request, GameballError.from_engine(exc))


_FAILURES = {
    "malformed_json": (3016, None),
    "validation": (3003, 422),
    "not_found": (4004, 404),
    "method_not_allowed": (4004, 405),
    "internal": (5000, 500),
    "rate_limited": (3011, 429),  # the fault middleware adds Retry-After
}


def render_failure(request: Request, status: int, kind: str, message: str) -> Response:
    """Framework-level failures (bad JSON, unknown route, crash, injected faults) in
    Gameball's envelope."""
    if kind == "unavailable":  # an injected outage keeps its status; 503 has its own code
        code = 5003 if status == 503 else 5000
        return error_response(request, GameballError(code, message, status))
    code, fixed_status = _FAILURES.get(kind, (4500, None))
    if kind == "not_found":
        message = f"No route matches {request.method} {request.url.path}"
    elif kind == "method_not_allowed":
        message = f"{request.method} is not allowed on {request.url.path}"
    return error_response(request, GameballError(code, message, fixed_status))


class GameballRoute(APIRoute):
    """Renders GameballError and EngineError raised by a route or its dependencies."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except GameballError as exc:
                return error_response(request, exc)
            except EngineError as exc:
                return render_error(request, exc)

        return guarded
