"""Neutral engine errors: one code per failure, mapped by each dialect to its vendor's shape."""

from __future__ import annotations

from typing import Any

# code -> HTTP status of the neutral catalogue; dialects map codes to their own envelopes.
ERROR_STATUS: dict[str, int] = {
    "invalid_request": 400,
    "member_not_found": 404,
    "order_not_found": 404,
    "hold_not_found": 404,
    "voucher_not_found": 404,
    "referral_code_not_found": 404,
    "redemption_not_found": 404,
    "member_blocked": 423,
    "member_conflict": 409,
    "insufficient_points": 422,
    "hold_ttl_too_long": 400,
    "hold_already_captured": 409,
    "hold_already_released": 409,
    "hold_expired": 409,
    "hold_conflict": 409,
    "hold_member_mismatch": 403,
    "capture_exceeds_hold": 422,
    "voucher_expired": 422,
    "voucher_not_active": 422,
    "voucher_voided": 422,
    "voucher_quantity_exceeded": 422,
    "voucher_already_burned": 409,
    "voucher_reserved": 409,
    "voucher_not_reserved": 409,
    "voucher_owner_mismatch": 403,
    "voucher_pool_empty": 422,
    "order_conflict": 409,
    "order_already_refunded": 409,
    "refund_exceeds_paid": 422,
    "refund_quantity_exceeds_purchased": 422,
    "order_member_mismatch": 403,
    "refund_conflict": 409,
    "redemption_conflict": 409,
    "reversal_exceeds_redeemed": 422,
    "referral_self_not_allowed": 422,
    "referral_not_eligible": 422,
    "event_conflict": 409,
    "event_not_configured": 422,
    "idempotency_key_reused": 422,
    "idempotency_key_in_use": 409,
    "version_conflict": 409,
    "clock_cannot_go_backwards": 400,
    "invariant_violation": 500,
}

# Precedence when several checks fail (B9): lower rank wins, so error codes stay deterministic.
_RANK_BY_STATUS = {400: 0, 404: 2, 423: 3, 403: 3, 409: 4, 422: 5, 500: 9}


class EngineError(Exception):
    """A business or validation failure; nothing was changed when it is raised."""

    def __init__(self, code: str, message: str = "", **details: Any) -> None:
        if code not in ERROR_STATUS:
            raise ValueError(f"unknown engine error code {code!r}")
        super().__init__(message or code)
        self.code = code
        self.message = message or code.replace("_", " ")
        self.details = details

    @property
    def status(self) -> int:
        return ERROR_STATUS[self.code]

    @property
    def rank(self) -> int:
        return _RANK_BY_STATUS.get(self.status, 5)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def __repr__(self) -> str:
        return f"EngineError({self.code!r}, {self.message!r})"


def invalid(message: str, **details: Any) -> EngineError:
    return EngineError("invalid_request", message, **details)


def is_int(value: Any) -> bool:
    """A JSON integer: bool is an int subclass in Python, but never a count of points."""
    return isinstance(value, int) and not isinstance(value, bool)


def require_int(value: Any, field: str, minimum: int = 1, message: str | None = None) -> int:
    """`value` as an integer >= minimum, or invalid_request naming the field."""
    if not is_int(value) or value < minimum:
        default = (
            f"{field} must be a positive integer"
            if minimum == 1
            else f"{field} must be an integer >= {minimum}"
        )
        raise invalid(message or default, field=field)
    return value
