"""Neutral engine errors: one code per failure, mapped by each dialect to its vendor's shape."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class EngineCode(StrEnum):
    """Every neutral failure the engine reports; each dialect's error table is keyed by these."""

    INVALID_REQUEST = "invalid_request"
    MEMBER_NOT_FOUND = "member_not_found"
    ORDER_NOT_FOUND = "order_not_found"
    HOLD_NOT_FOUND = "hold_not_found"
    VOUCHER_NOT_FOUND = "voucher_not_found"
    REFERRAL_CODE_NOT_FOUND = "referral_code_not_found"
    REDEMPTION_NOT_FOUND = "redemption_not_found"
    MEMBER_BLOCKED = "member_blocked"
    MEMBER_CONFLICT = "member_conflict"
    INSUFFICIENT_POINTS = "insufficient_points"
    HOLD_TTL_TOO_LONG = "hold_ttl_too_long"
    HOLD_ALREADY_CAPTURED = "hold_already_captured"
    HOLD_ALREADY_RELEASED = "hold_already_released"
    HOLD_EXPIRED = "hold_expired"
    HOLD_CONFLICT = "hold_conflict"
    HOLD_MEMBER_MISMATCH = "hold_member_mismatch"
    CAPTURE_EXCEEDS_HOLD = "capture_exceeds_hold"
    VOUCHER_EXPIRED = "voucher_expired"
    VOUCHER_NOT_ACTIVE = "voucher_not_active"
    VOUCHER_VOIDED = "voucher_voided"
    VOUCHER_QUANTITY_EXCEEDED = "voucher_quantity_exceeded"
    VOUCHER_ALREADY_BURNED = "voucher_already_burned"
    VOUCHER_RESERVED = "voucher_reserved"
    VOUCHER_NOT_RESERVED = "voucher_not_reserved"
    VOUCHER_OWNER_MISMATCH = "voucher_owner_mismatch"
    VOUCHER_POOL_EMPTY = "voucher_pool_empty"
    ORDER_CONFLICT = "order_conflict"
    ORDER_ALREADY_REFUNDED = "order_already_refunded"
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"
    REFUND_QUANTITY_EXCEEDS_PURCHASED = "refund_quantity_exceeds_purchased"
    ORDER_MEMBER_MISMATCH = "order_member_mismatch"
    REFUND_CONFLICT = "refund_conflict"
    REDEMPTION_CONFLICT = "redemption_conflict"
    REVERSAL_EXCEEDS_REDEEMED = "reversal_exceeds_redeemed"
    REFERRAL_SELF_NOT_ALLOWED = "referral_self_not_allowed"
    REFERRAL_NOT_ELIGIBLE = "referral_not_eligible"
    EVENT_CONFLICT = "event_conflict"
    EVENT_NOT_CONFIGURED = "event_not_configured"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use"
    VERSION_CONFLICT = "version_conflict"
    CLOCK_CANNOT_GO_BACKWARDS = "clock_cannot_go_backwards"
    INVARIANT_VIOLATION = "invariant_violation"


class EngineError(Exception):
    """A business or validation failure; nothing was changed when it is raised."""

    def __init__(self, code: EngineCode | str, message: str = "", **details: Any) -> None:
        try:
            self.code = EngineCode(code)
        except ValueError:
            raise ValueError(f"unknown engine error code {code!r}") from None
        super().__init__(message or code)
        self.message = message or code.replace("_", " ")
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "message": self.message, "details": self.details}

    def __repr__(self) -> str:
        return f"EngineError({self.code.value!r}, {self.message!r})"


def invalid(message: str, **details: Any) -> EngineError:
    return EngineError(EngineCode.INVALID_REQUEST, message, **details)


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
