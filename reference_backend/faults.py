"""Fault injection per tenant: latency, vendor-shaped errors, 429 bursts, dropped connections
and "commit, then lose the response". Seeded rules fire deterministically.

The middleware finds the tenant from the credentials on the request (any dialect), so faults
apply before the dialect even authenticates, exactly like a flaky network or gateway would.
"""

from __future__ import annotations

import asyncio
import base64
import random
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

from starlette.requests import Request

from .dialects.base import dialect_for_path

FAULT_HEADER = "x-posim-fault"
IN_PROCESS_HEADER = "x-posim-in-process"  # set by the in-process transport: no real waiting
FaultKind = Literal["latency", "error", "rate_limit", "drop", "lose_response"]


@dataclass
class FaultRule:
    rule_id: str
    kind: FaultKind
    dialect: str | None = None
    route: str | None = None  # a regular expression searched in the path
    method: str | None = None
    member: str | None = None  # fires only when the member id is in the path or body
    probability: float = 1.0
    seed: int = 0
    count: int | None = None  # fire at most this many times ("fail the first N calls")
    latency_ms: int = 0
    jitter_ms: int = 0
    status: int = 503
    retry_after_s: float = 1.0
    hang_s: float = 5.0  # over real HTTP, how long a dropped call hangs before closing
    fired: int = 0
    _rng: random.Random = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        if self.route:
            re.compile(self.route)

    def public(self) -> dict:
        data = asdict(self)
        data.pop("_rng", None)
        return data

    def matches(self, dialect: str | None, method: str, path: str, body: bytes) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        if self.dialect and self.dialect != dialect:
            return False
        if self.method and self.method.upper() != method:
            return False
        if self.route and not re.search(self.route, path):
            return False
        if self.member and self.member not in path and self.member.encode() not in body:
            return False
        return self.probability >= 1.0 or self._rng.random() < self.probability


def credential_candidates(headers: list[tuple[bytes, bytes]]) -> list[str]:
    """Every header value that could be a credential, with Basic auth's user name decoded."""
    out = []
    for name, value in headers:
        text = value.decode("latin-1").strip()
        if name.lower() == b"authorization" and text[:6].lower() == "basic ":
            try:
                text = base64.b64decode(text[6:]).decode().split(":", 1)[0]
            except (ValueError, UnicodeDecodeError):
                continue
        out.append(text)
    return out


class FaultMiddleware:
    def __init__(self, app, registry, dialects) -> None:
        self.app = app
        self.registry = registry
        self.dialects = dialects

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith("/_posim"):
            return await self.app(scope, receive, send)
        if not self.registry.any_faults():  # the common case costs one scan of tenants
            return await self.app(scope, receive, send)
        dialect = dialect_for_path(self.dialects, scope["path"])
        tenant = None
        if dialect is not None:
            for value in credential_candidates(scope.get("headers", [])):
                tenant = self.registry.by_any_credential(dialect.name, value)
                if tenant is not None:
                    break
        if tenant is None or not tenant.faults:
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:  # read the body once so member-scoped rules can look inside it
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        rule = next(
            (
                r
                for r in tenant.faults
                if r.matches(dialect.name, scope["method"], scope["path"], body)
            ),
            None,
        )

        async def replay():
            return {"type": "http.request", "body": body, "more_body": False}

        if rule is None:
            return await self.app(scope, replay, send)
        rule.fired += 1
        state = scope.setdefault("state", {})
        state["fault"] = {"rule": rule.rule_id, "kind": rule.kind}
        state["tenant"] = tenant
        if rule.kind == "latency":
            jitter = rule._rng.uniform(-rule.jitter_ms, rule.jitter_ms) if rule.jitter_ms else 0
            await asyncio.sleep(max(0.0, rule.latency_ms + jitter) / 1000)
            return await self.app(scope, replay, send)
        if rule.kind in ("error", "rate_limit"):
            status = 429 if rule.kind == "rate_limit" else rule.status
            kind = "rate_limited" if rule.kind == "rate_limit" else "unavailable"
            response = dialect.render_failure(Request(scope), status, kind, "injected fault")
            response.headers[FAULT_HEADER] = rule.kind
            if rule.kind == "rate_limit":
                response.headers["Retry-After"] = str(max(1, round(rule.retry_after_s)))
            return await response(scope, replay, send)
        if rule.kind == "drop":
            return await self._drop(scope, send, rule)
        # lose_response: the change happens, the client sees no answer
        await self.app(scope, replay, _discard)
        return await self._drop(scope, send, rule)

    async def _drop(self, scope, send, rule: FaultRule) -> None:
        if not any(name == IN_PROCESS_HEADER.encode() for name, _ in scope.get("headers", [])):
            await asyncio.sleep(rule.hang_s)  # a real client times out meanwhile
        headers = [(FAULT_HEADER.encode(), b"drop")]
        await send({"type": "http.response.start", "status": 599, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


async def _discard(message) -> None:
    return None
