"""HTTP statuses of engine errors answered outside any dialect (the control plane and the
generic fallback in app.py); each dialect maps engine codes to its vendor's own statuses."""

from __future__ import annotations

from ..engine.errors import EngineCode, EngineError

STATUS_BY_CODE: dict[EngineCode, int] = {
    EngineCode.INVALID_REQUEST: 400,
    EngineCode.MEMBER_NOT_FOUND: 404,
    EngineCode.ORDER_NOT_FOUND: 404,
    EngineCode.HOLD_NOT_FOUND: 404,
    EngineCode.VOUCHER_NOT_FOUND: 404,
    EngineCode.REFERRAL_CODE_NOT_FOUND: 404,
    EngineCode.REDEMPTION_NOT_FOUND: 404,
    EngineCode.MEMBER_BLOCKED: 423,
    EngineCode.MEMBER_CONFLICT: 409,
    EngineCode.INSUFFICIENT_POINTS: 422,
    EngineCode.HOLD_TTL_TOO_LONG: 400,
    EngineCode.HOLD_ALREADY_CAPTURED: 409,
    EngineCode.HOLD_ALREADY_RELEASED: 409,
    EngineCode.HOLD_EXPIRED: 409,
    EngineCode.HOLD_CONFLICT: 409,
    EngineCode.HOLD_MEMBER_MISMATCH: 403,
    EngineCode.CAPTURE_EXCEEDS_HOLD: 422,
    EngineCode.VOUCHER_EXPIRED: 422,
    EngineCode.VOUCHER_NOT_ACTIVE: 422,
    EngineCode.VOUCHER_VOIDED: 422,
    EngineCode.VOUCHER_QUANTITY_EXCEEDED: 422,
    EngineCode.VOUCHER_ALREADY_BURNED: 409,
    EngineCode.VOUCHER_RESERVED: 409,
    EngineCode.VOUCHER_NOT_RESERVED: 409,
    EngineCode.VOUCHER_OWNER_MISMATCH: 403,
    EngineCode.VOUCHER_POOL_EMPTY: 422,
    EngineCode.ORDER_CONFLICT: 409,
    EngineCode.ORDER_ALREADY_REFUNDED: 409,
    EngineCode.REFUND_EXCEEDS_PAID: 422,
    EngineCode.REFUND_QUANTITY_EXCEEDS_PURCHASED: 422,
    EngineCode.ORDER_MEMBER_MISMATCH: 403,
    EngineCode.REFUND_CONFLICT: 409,
    EngineCode.REDEMPTION_CONFLICT: 409,
    EngineCode.REVERSAL_EXCEEDS_REDEEMED: 422,
    EngineCode.REFERRAL_SELF_NOT_ALLOWED: 422,
    EngineCode.REFERRAL_NOT_ELIGIBLE: 422,
    EngineCode.EVENT_CONFLICT: 409,
    EngineCode.EVENT_NOT_CONFIGURED: 422,
    EngineCode.IDEMPOTENCY_KEY_REUSED: 422,
    EngineCode.IDEMPOTENCY_KEY_IN_USE: 409,
    EngineCode.VERSION_CONFLICT: 409,
    EngineCode.CLOCK_CANNOT_GO_BACKWARDS: 400,
    EngineCode.INVARIANT_VIOLATION: 500,
}


def engine_status(exc: EngineError) -> int:
    return STATUS_BY_CODE[exc.code]
