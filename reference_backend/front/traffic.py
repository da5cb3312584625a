"""ASGI middleware: a request id for every call, and each exchange recorded per tenant.

Pure ASGI (no BaseHTTPMiddleware) so bodies are captured without re-buffering the app.
Only a bounded prefix of each body is kept (BodyPrefix); secrets and personal data are
masked (traffic_mask) whenever an exchange is read or written to the record file.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from ..hardening import loads
from ..traffic_mask import masked_form, masked_headers, masked_json, masked_query, masked_text

log = logging.getLogger("posim.requests")
BODY_PREFIX_LIMIT = 8192  # bytes of each body kept; the rest is counted, never stored


class BodyPrefix(list):
    """The first BODY_PREFIX_LIMIT bytes of a body as chunks, and the body's whole size."""

    __slots__ = ("size",)

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def add(self, chunk: bytes) -> None:
        room = BODY_PREFIX_LIMIT - min(self.size, BODY_PREFIX_LIMIT)
        self.size += len(chunk)
        if room > 0 and chunk:
            self.append(chunk[:room])

    @property
    def truncated(self) -> bool:
        return self.size > sum(len(c) for c in self)


def _body(chunks: list[bytes], content_type: str = "") -> Any:
    """The stored prefix, masked: parsed JSON when whole, else text masked by shape."""
    raw = b"".join(chunks)[:BODY_PREFIX_LIMIT]
    if not raw:
        return None
    truncated = getattr(chunks, "truncated", False)
    if not truncated:
        try:  # bounded like any request: a hostile body is shown as text, never re-parsed raw
            return masked_json(loads(raw))
        except ValueError:
            pass
    text = raw.decode("utf-8", "replace")
    if "x-www-form-urlencoded" in content_type:
        return masked_form(text)
    return masked_text(text)


def _content_type(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1").lower()
    return ""


class Exchange:
    """One recorded exchange, kept raw: masking and decoding happen only when it is read."""

    __slots__ = (
        "request_id",
        "at",
        "tenant",
        "dialect",
        "method",
        "path",
        "query",
        "request_headers",
        "request_chunks",
        "status",
        "response_headers",
        "response_chunks",
        "duration_ms",
        "fault",
        "started",  # epoch seconds when the request came in (`at` is when it ended)
    )
    request_id: str | None
    at: float
    tenant: str | None
    dialect: str | None
    method: str
    path: str
    query: Any
    request_headers: list[tuple[bytes, bytes]]
    request_chunks: Any  # a bounded chunk list; `truncated` says whether it was cut
    status: int
    response_headers: list[tuple[bytes, bytes]]
    response_chunks: Any
    duration_ms: float
    fault: dict[str, Any] | None
    started: float

    def __init__(self, *values) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "at": datetime.fromtimestamp(self.at, UTC).isoformat(),
            "tenant": self.tenant,
            "dialect": self.dialect,
            "method": self.method,
            "path": self.path,
            "query": masked_query(self.query),
            "request_headers": masked_headers(self.request_headers),
            "request_body": _body(self.request_chunks, _content_type(self.request_headers)),
            "request_body_truncated": getattr(self.request_chunks, "truncated", False),
            "status": self.status,
            "response_headers": masked_headers(self.response_headers),
            "response_body": _body(self.response_chunks, _content_type(self.response_headers)),
            "response_body_truncated": getattr(self.response_chunks, "truncated", False),
            "duration_ms": round(self.duration_ms, 3),
            "fault": self.fault,
            "started_at": datetime.fromtimestamp(self.started, UTC).isoformat(),
        }


class TrafficMiddleware:
    def __init__(self, app, record_path: str | None = None) -> None:
        self.app = app
        self.record_path = record_path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = scope.setdefault("state", {})
        request_id = state.get("request_id") or uuid.uuid4().hex
        state["request_id"] = request_id
        started = time.perf_counter()
        started_wall = time.time()
        request_chunks, response_chunks = BodyPrefix(), BodyPrefix()
        status = {"code": 0, "headers": []}

        async def receive_and_copy():
            message = await receive()
            if message["type"] == "http.request":
                request_chunks.add(message.get("body", b""))
            return message

        async def send_and_copy(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
                status["headers"] = headers
            elif message["type"] == "http.response.body":
                response_chunks.add(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_and_copy, send_and_copy)
        finally:
            tenant = state.get("tenant")
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "%s %s %s -> %s in %.1f ms (tenant %s)",
                    request_id,
                    scope["method"],
                    scope["path"],
                    status["code"],
                    (time.perf_counter() - started) * 1000,
                    getattr(tenant, "tenant_id", "-"),
                )
            if tenant is not None or self.record_path:
                entry = Exchange(
                    request_id,
                    time.time(),
                    getattr(tenant, "tenant_id", None),
                    state.get("dialect"),
                    scope["method"],
                    scope["path"],
                    scope.get("query_string", b""),
                    scope.get("headers", []),
                    request_chunks,
                    status["code"],
                    status["headers"],
                    response_chunks,
                    (time.perf_counter() - started) * 1000,
                    state.get("fault"),
                    started_wall,
                )
                if tenant is not None:
                    tenant.traffic.append(entry)
                if self.record_path:
                    with open(self.record_path, "a", encoding="utf-8") as fh:
                        fh.write(json.dumps(entry.to_dict(), default=str) + "\n")
