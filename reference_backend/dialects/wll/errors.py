"""JSend envelopes and the mapping of engine errors onto WLL's status codes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from ...engine import EngineError


class WllFail(Exception):
    """A client failure rendered as `{"status":"fail","message",...,"data"}`."""

    def __init__(
        self,
        status: int,
        message: str,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.data = data
        self.headers = headers or {}


def success(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"status": "success", "data": data}, status_code=status)


def fail_body(message: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    # JSend puts details in `data`; WLL's own SDK reads `message`, so both are sent.
    return {"status": "fail", "message": message, "data": data}


def error_body(message: str, code: int = 500) -> dict[str, Any]:
    return {"status": "error", "message": message, "code": code}


def render_fail(exc: WllFail) -> JSONResponse:
    return JSONResponse(
        fail_body(exc.message, exc.data), status_code=exc.status, headers=exc.headers
    )


_FAILURE_MESSAGES = {
    "malformed_json": "Malformed JSON body",
    "not_found": "Not Found",
    "method_not_allowed": "Method Not Allowed",
    "rate_limited": "Too Many Requests",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Server Error"


def render_failure(request: Request, status: int, kind: str, message: str) -> JSONResponse:
    """Framework-level failures (bad JSON, unknown route, crash, injected faults) in JSend.

    `rate_limited` is the throttle's answer (429, `fail`, as `_throttle` renders it; the app
    adds Retry-After); `unavailable` is a gateway-side 5xx (`error`, with the given status).
    """
    if kind == "rate_limited":
        return JSONResponse(fail_body(_FAILURE_MESSAGES[kind]), status_code=429)
    if kind == "unavailable":
        status = status if 500 <= status <= 599 else 503
        return JSONResponse(error_body(_phrase(status), status), status_code=status)
    if status >= 500:
        return JSONResponse(error_body("Internal Server Error", status), status_code=status)
    shown = _FAILURE_MESSAGES.get(kind, message)
    data = {"detail": message} if message != shown else None
    return JSONResponse(fail_body(shown, data), status_code=status)


# neutral engine code -> (HTTP status, message shown to the POS). Business refusals are 400:
# 400, 403 and 404 are the only statuses WLL is seen answering with JSON bodies.
_ENGINE_MAP: dict[str, tuple[int, str | None]] = {
    "member_not_found": (404, "User not found"),
    "voucher_not_found": (404, "Voucher not found"),
    "member_blocked": (403, "User account is not active"),
    "member_conflict": (409, "A user with this identifier already exists"),
    "insufficient_points": (400, "Insufficient points"),
    "voucher_already_burned": (400, "Voucher has already been used"),
    "voucher_quantity_exceeded": (400, "Voucher has already been used"),
    "voucher_reserved": (400, "Voucher is in use"),
    "voucher_expired": (400, "Voucher has expired"),
    "voucher_not_active": (400, "Voucher is not valid yet"),
    "voucher_voided": (400, "Voucher is no longer valid"),
    "voucher_owner_mismatch": (403, "Voucher belongs to another user"),
    "voucher_pool_empty": (400, "Reward is out of stock"),
    "event_conflict": (409, "An event with this id exists with different content"),
    "event_not_configured": (400, "Event type has no reactor"),
    "idempotency_key_reused": (409, "Idempotency key reused with different content"),
    "idempotency_key_in_use": (409, "Request already in progress"),
    # the rest keep the engine's own message (None); WLL has no 422, so 422s are 400
    "invalid_request": (400, None),
    "clock_cannot_go_backwards": (400, None),
    "hold_ttl_too_long": (400, None),
    "capture_exceeds_hold": (400, None),
    "refund_exceeds_paid": (400, None),
    "refund_quantity_exceeds_purchased": (400, None),
    "reversal_exceeds_redeemed": (400, None),
    "referral_self_not_allowed": (400, None),
    "referral_not_eligible": (400, None),
    "order_not_found": (404, None),
    "hold_not_found": (404, None),
    "redemption_not_found": (404, None),
    "referral_code_not_found": (404, None),
    "hold_member_mismatch": (403, None),
    "order_member_mismatch": (403, None),
    "hold_already_captured": (409, None),
    "hold_already_released": (409, None),
    "hold_expired": (409, None),
    "hold_conflict": (409, None),
    "voucher_not_reserved": (409, None),
    "order_conflict": (409, None),
    "order_already_refunded": (409, None),
    "refund_conflict": (409, None),
    "redemption_conflict": (409, None),
    "version_conflict": (409, None),
}
# engine codes that are server-side errors: rendered as JSend `error` 500, never a `fail`
SERVER_ERRORS = ("invariant_violation",)


def engine_fail(exc: EngineError) -> WllFail | None:
    """The WLL failure for an engine error, or None for a server-side error."""
    if exc.code in SERVER_ERRORS:
        return None
    status, message = _ENGINE_MAP[exc.code]  # every client-side code has an entry (drift test)
    message = message or exc.message
    data = {"code": exc.code, **{k: v for k, v in exc.details.items() if _jsonable(v)}}
    return WllFail(status, message, data)


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def render_error(request: Request, exc: EngineError) -> JSONResponse:
    failure = engine_fail(exc)
    if failure is None:
        return JSONResponse(error_body("Internal Server Error", 500), status_code=500)
    return render_fail(failure)


# the route class every WLL route uses: WllFail and EngineError become JSend responses here,
# so no route repeats the mapping and nothing a client sends reaches the 500 handler
class WllRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except WllFail as exc:
                return render_fail(exc)
            except EngineError as exc:
                failure = engine_fail(exc)
                return render_fail(failure) if failure else render_error(request, exc)

        return handle
