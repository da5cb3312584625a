"""The limits every request body meets before a dialect reads it.

One home for the edge's bounds, so each dialect's body reader (and any front layer) applies
the same ones and renders a refusal in its own vendor envelope:

- size: at most `Settings.body_limit` bytes (default 1 MB); beyond it `BodyTooLarge` (413),
  refused from Content-Length before a byte is read, or as soon as a streamed body passes it;
- JSON: at most MAX_DEPTH levels of nesting, no NaN/Infinity, every number within
  MAX_NUMBER, every string (keys too) valid Unicode (no lone surrogates from `\\ud800`
  escapes, which no store or encoder downstream can hold): otherwise `JsonRejected` (400).

`JsonRejected` is a ValueError so the readers' existing "not valid JSON" branches catch it;
`BodyTooLarge` is an HTTPException so, uncaught, the app renders it in the vendor's shape.
"""

from __future__ import annotations

import hmac
import json
import math
from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException

from .engine.clock import utc

DEFAULT_BODY_LIMIT = 1024 * 1024
MAX_DEPTH = 32  # vendor payloads nest 4-5 levels; 32 leaves room and stays far from recursion
# above any real basket, balance or id-as-number, and below 2**53 where floats lose integers
MAX_NUMBER = 10**15
_SURROGATE_ESCAPES = tuple(b"\\ud%c" % digit for digit in b"89abcdef")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the {limit} byte limit")
        self.limit = limit


class JsonRejected(ValueError):
    """A body that parses as JSON (or nearly) but breaks one of the edge's bounds."""


def body_limit(request: Any) -> int:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "body_limit", DEFAULT_BODY_LIMIT)


def declared_too_large(headers: Any, limit: int) -> bool:
    """True when Content-Length alone shows the body is over `limit` (nothing read yet)."""
    declared = headers.get("content-length")
    return declared is not None and declared.isdigit() and int(declared) > limit


async def read_body(request: Any, limit: int | None = None) -> bytes:
    """The whole body, or BodyTooLarge as soon as it passes the limit (nothing kept)."""
    cached = getattr(request, "_body", None)
    if cached is not None:
        return cached
    limit = body_limit(request) if limit is None else limit
    if declared_too_large(request.headers, limit):
        raise BodyTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    request._body = b"".join(chunks)  # later request.body() calls see the same bytes
    return request._body


def _reject_constant(name: str) -> Any:
    raise JsonRejected(f"{name} is not a JSON number")


def _bounded_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise JsonRejected(f"number {literal[:32]} is out of range (at most {MAX_NUMBER:.0e})")
    return value


def _bounded_int(literal: str) -> int:
    if len(literal) > 17:  # more digits than MAX_NUMBER: refuse before converting
        raise JsonRejected(f"number {literal[:32]}... is out of range")
    value = int(literal)
    if abs(value) > MAX_NUMBER:
        raise JsonRejected(f"number {literal} is out of range (at most {MAX_NUMBER:.0e})")
    return value


def loads(raw: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads within the edge's bounds; JsonRejected (a ValueError) otherwise."""
    try:
        value = json.loads(
            raw,
            parse_constant=_reject_constant,
            parse_float=_bounded_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise JsonRejected(f"JSON nested deeper than {max_depth} levels") from None
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    lower = data.lower() if b"\\u" in data else b""
    check_strings = any(esc in lower for esc in _SURROGATE_ESCAPES)
    check_tree(value, check_strings, max_depth)
    return value


def check_tree(value: Any, check_strings: bool = True, max_depth: int = MAX_DEPTH) -> None:
    """Depth and Unicode over a decoded document, iteratively (no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > max_depth:
                raise JsonRejected(f"JSON nested deeper than {max_depth} levels")
            for key, child in item.items():
                if check_strings:
                    check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            if depth > max_depth:
                raise JsonRejected(f"JSON nested deeper than {max_depth} levels")
            stack.extend((child, depth + 1) for child in item)
        elif check_strings and isinstance(item, str):
            check_text(item)


def check_text(text: str) -> str:
    """`text` unchanged if it is valid Unicode (encodable as UTF-8); JsonRejected if not."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRejected("string holds an invalid Unicode code point (lone surrogate)") from None
    return text


def same_secret(expected: str, given: str | None) -> bool:
    """Constant-time comparison of UTF-8 bytes (compare_digest refuses non-ASCII str)."""
    given_bytes = (given or "").encode("utf-8", "surrogatepass")
    return hmac.compare_digest(expected.encode("utf-8"), given_bytes)


def utc_instant(value: datetime) -> datetime:
    """`value` as an aware UTC instant (naive taken as UTC). ValueError when it has none:
    an offset can carry a date past year 9999 or before year 1 (`9999-12-31T23:00-05:00`)."""
    try:
        return utc(value)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is out of range in UTC") from None


def representable_instant(value: datetime) -> datetime:
    """A pydantic after-validator: `value` unchanged, refused if it has no UTC instant."""
    utc_instant(value)
    return value
