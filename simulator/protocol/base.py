"""Sans-I/O building blocks shared by every vendor codec: requests, responses, errors.

A codec turns a neutral operation into a plain Request and a Response back into a neutral
result, or a LoyaltyError. It never opens a socket; transports do that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] | None = None
    json: Any = None


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


# Neutral error codes a POS reacts to, whatever the vendor.
NEUTRAL_ERRORS = (
    "member_not_found",
    "member_exists",
    "member_inactive",
    "insufficient_points",
    "duplicate_order",
    "order_not_found",
    "hold_not_found",
    "hold_expired",
    "hold_resolved",
    "voucher_invalid",
    "voucher_used",
    "voucher_expired",
    "refund_exceeds",
    "referral_invalid",
    "self_referral",
    "rate_limited",
    "unauthorized",
    "invalid_request",
    "conflict",
    "not_supported",
    "server_error",
    "timeout",
)


class LoyaltyError(Exception):
    """A vendor failure mapped onto a neutral code, keeping the vendor's own code and status."""

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        status: int | None = None,
        vendor_code: Any = None,
        retry_after: float | None = None,
    ) -> None:
        if code not in NEUTRAL_ERRORS:
            raise ValueError(f"unknown neutral error {code!r}")
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status
        self.vendor_code = vendor_code
        self.retry_after = retry_after


@dataclass(frozen=True)
class Next:
    """Returned by decode when an operation needs another request (multi-step vendor flows).

    The follow-up operation carries whatever the earlier steps learned.
    """

    op: Any


@dataclass(frozen=True)
class Done:
    """Returned by encode when an operation needs no request on this vendor (e.g. releasing
    points a vendor never reserved); the gateway returns `value` without sending anything."""

    value: Any = None
