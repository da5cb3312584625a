"""ASGI middleware: a request id for every call, and each exchange recorded per tenant.

Pure ASGI (no BaseHTTPMiddleware) so bodies are captured without re-buffering the app.
Secrets are masked before anything is stored or written.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

log = logging.getLogger("posim.requests")
_SECRET_HINTS = ("key", "secret", "authorization", "token", "password", "cookie")
_BODY_LIMIT = 8192


def mask(value: str) -> str:
    return "***" + value[-4:] if len(value) > 8 else "***"


def masked_headers(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    out = {}
    for raw_name, raw_value in headers:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        out[name] = mask(value) if _secret(name) else value
    return out


def _secret(name: str) -> bool:
    name = name.lower()
    return any(h in name for h in _SECRET_HINTS)


def masked_json(value: Any) -> Any:
    """Mask the values of secret-looking keys anywhere in a JSON document."""
    if isinstance(value, dict):
        return {
            k: mask(str(v)) if _secret(str(k)) and isinstance(v, str | int) else masked_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [masked_json(v) for v in value]
    return value


def _body(chunks: list[bytes]) -> Any:
    raw = b"".join(chunks)[:_BODY_LIMIT]
    if not raw:
        return None
    try:
        return masked_json(json.loads(raw))
    except ValueError:
        return raw.decode("utf-8", "replace")


def masked_query(raw: bytes) -> str:
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, mask(v) if _secret(k) else v) for k, v in pairs], safe="*")


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
            "request_body": _body(self.request_chunks),
            "status": self.status,
            "response_headers": masked_headers(self.response_headers),
            "response_body": _body(self.response_chunks),
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
        request_chunks: list[bytes] = []
        response_chunks: list[bytes] = []
        status = {"code": 0, "headers": []}

        async def receive_and_copy():
            message = await receive()
            if message["type"] == "http.request":
                request_chunks.append(message.get("body", b""))
            return message

        async def send_and_copy(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
                status["headers"] = headers
            elif message["type"] == "http.response.body":
                response_chunks.append(message.get("body", b""))
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
