"""Retry-After as a client reads it (RFC 9110 10.2.3): delta-seconds or an HTTP-date.

One parser for the codecs, the certify rules and the load lanes. Pure: the caller may pass
the instant an HTTP-date is measured from (a recorded call's end); it defaults to now.
Hand-written on purpose: the standard library reads the date (`email.utils`), and the rest
is a dozen lines; the HTTP clients' own parsers (urllib3's Retry) are tied to their retries.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait, never negative; None when the value is absent or unreadable.

    Delta-seconds are read as a number (fractions tolerated, as some gateways send them);
    a date already past is 0.
    """
    if value is None or not value.strip():
        return None
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, time.time() if now is None else now)
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _seconds_until(http_date: str, now: float) -> float | None:
    try:
        at = parsedate_to_datetime(http_date.strip())
        if at.tzinfo is None:  # "-0000" dates: RFC 5322 says UTC, source unknown
            at = at.replace(tzinfo=UTC)
        return at.timestamp() - now
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The Retry-After header of `headers` (any letter case), parsed."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    return parse_retry_after(value, now)
