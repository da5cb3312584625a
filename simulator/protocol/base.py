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
        """The body as JSON (None when empty); a body that is not JSON is a BadAnswer."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise BadAnswer("the body is not JSON", self) from None

    def answer(self) -> Any:
        """What a codec reads: strict JSON for a success; for an error status the status
        already tells what went wrong, so a body that is not JSON (a proxy's HTML) is None."""
        if self.status < 400:
            return self.json()
        try:
            return self.json()
        except BadAnswer:
            return None

    def head(self, size: int = 80) -> str:
        """The first bytes of the body, for one-line failure reasons."""
        text = self.body[:size].decode("utf-8", "replace")
        return repr(text + ("…" if len(self.body) > size else ""))


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


class BadAnswer(LoyaltyError):
    """An answer that is not in the vendor's shape. It is never read as a default value:
    the call failed, and its outcome is unknown (the request may have taken effect)."""

    def __init__(self, why: str, response: Response, call: str | None = None) -> None:
        self.why = why
        self.response = response
        self.call = call
        super().__init__("server_error", self._reason(), status=response.status)

    def _reason(self) -> str:
        where = f"{self.call}: " if self.call else ""
        return f"{where}HTTP {self.response.status}, {self.why}; body {self.response.head()}"

    def naming(self, call: str) -> BadAnswer:
        """The same failure, naming the call (codecs decode without knowing the request)."""
        if self.call is None:
            self.call = call
            self.message = self._reason()
            self.args = (f"{self.code}: {self.message}",)
        return self

    def __str__(self) -> str:
        return self.message


def require(body: Any, *keys: str, response: Response) -> Any:
    """body[k1][k2]...: a missing field or a body that is not an object is a BadAnswer."""
    value = body
    for key in keys:
        if not isinstance(value, dict) or key not in value or value[key] is None:
            raise BadAnswer(f"no {'.'.join(keys)} in the answer", response)
        value = value[key]
    return value


def require_int(body: Any, *keys: str, response: Response) -> int:
    value = require(body, *keys, response=response)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadAnswer(f"{'.'.join(keys)} is not a number ({value!r})", response) from None


def object_at(body: dict[str, Any], key: str) -> dict[str, Any]:
    """body[key] when it is a JSON object, else {} (an optional part of an answer)."""
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def require_object(body: Any, response: Response) -> dict:
    if not isinstance(body, dict):
        raise BadAnswer("the answer is not a JSON object", response)
    return body


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
