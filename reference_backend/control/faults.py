"""Fault injection per tenant: latency, vendor-shaped errors, 429 bursts, dropped connections
and "commit, then lose the response". Seeded rules fire deterministically.

The middleware finds the tenant from the credentials on the request (any dialect), so faults
apply before the dialect even authenticates, exactly like a flaky network or gateway would.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request

from ..dialects.base import dialect_for_path

FAULT_HEADER = "x-posim-fault"
IN_PROCESS_HEADER = "x-posim-in-process"  # set by the in-process transport: no real waiting
FaultKind = Literal["latency", "error", "rate_limit", "drop", "lose_response"]
OncePer = Literal["order", "member"]
# where a request names its sale or its member, in the order each is looked for (body keys at
# any depth, then query parameters, then the path)
ORDER_KEYS = ("orderId", "transactionId", "number", "transaction_number", "bill_number")
MEMBER_KEYS: tuple[str, ...] = (
    "customerId",
    "playerUniqueId",
    "userId",
    "authIdentifier",
    "accountNumber",
)
MEMBER_KEYS += ("mobile", "email", "external_id")
_MEMBER_PATH = re.compile(r"/(?:customers|users)/([^/]+)")


@dataclass
class FaultRule:
    rule_id: str
    kind: FaultKind
    dialect: str | None = None
    route: str | None = None  # a regular expression searched in the path
    method: str | None = None
    member: str | None = None  # fires only when the member id is in the path or body
    body: str | None = None  # a regular expression searched in the raw request body
    probability: float = 1.0
    seed: int = 0
    count: int | None = None  # fire at most this many times ("fail the first N calls")
    latency_ms: int = 0
    jitter_ms: int = 0
    status: int = 503
    retry_after_s: float = 1.0
    hang_s: float = 5.0  # over real HTTP, how long a dropped call hangs before closing
    after: int = 0  # let the first N matching calls through
    every: int = 1  # then fire on every Nth matching call
    once_per: OncePer | None = None  # at most once per distinct order id / member id
    fault_id: str | None = None  # a name of the caller's (a fault plan's id), shown in traffic
    fired: int = 0
    seen: int = 0  # matching calls so far (what `after` and `every` count)
    hit: set[str] = field(default_factory=set)  # order ids / member ids this rule hit
    # always set by __post_init__ from `seed`; the None default only keeps it out of __init__
    _rng: random.Random = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        for name, pattern in (("route", self.route), ("body", self.body)):
            try:
                re.compile(pattern or "")
            except re.error as exc:
                raise ValueError(f"{name} is not a valid regular expression: {exc}") from exc

    def public(self) -> dict:
        data = asdict(self)
        data.pop("_rng", None)
        data["hit"] = sorted(self.hit)
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
        if self.body and not re.search(self.body, body.decode("utf-8", "replace")):
            return False
        return self.probability >= 1.0 or self._rng.random() < self.probability

    def counts(self) -> bool:
        """One more matching call: does `after` / `every` let the rule fire on it?"""
        self.seen += 1
        beyond = self.seen - self.after
        return beyond > 0 and (beyond - 1) % self.every == 0

    def label(self, key: str | None = None) -> dict[str, str]:
        """How the traffic names this rule on an exchange it hit (and the order or member
        a once-per rule hit)."""
        out = {"rule": self.rule_id, "kind": self.kind}
        if self.fault_id:
            out["id"] = self.fault_id
        if self.once_per and key is not None:
            out[self.once_per] = key
        return out


def _find_key(value, keys: tuple[str, ...]) -> str | None:
    """The first of `keys` (in their order) anywhere in a JSON document, as text."""
    for key in keys:
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                found = node.get(key)
                if isinstance(found, str | int) and not isinstance(found, bool) and found != "":
                    return str(found)
                stack.extend(reversed(list(node.values())))
            elif isinstance(node, list):
                stack.extend(reversed(node))
    return None


def request_key(once_per: OncePer, path: str, query: bytes, body: bytes) -> str | None:
    """The order id or the member id a request names (None: it names none)."""
    keys = ORDER_KEYS if once_per == "order" else MEMBER_KEYS
    try:
        document = json.loads(body) if body else None
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        document = None
    found = _find_key(document, keys)
    if found is None:
        params = dict(parse_qsl(query.decode("latin-1")))
        found = next((params[k] for k in keys if params.get(k)), None)
    if found is None and once_per == "member":
        match = _MEMBER_PATH.search(path)
        found = unquote(match.group(1)) if match else None
    return found


def pick_rule(
    rules: Iterable[FaultRule], dialect, scope, body: bytes
) -> tuple[FaultRule, str | None] | None:
    """The first rule that fires on this request (rules are tried in order), with the order
    or member it hit. A once-per rule skips an order or member that any rule already hit, so
    faults land on different sales."""
    rules = list(rules)
    method, path = scope["method"], scope["path"]
    keys: dict[str, str | None] = {}
    for rule in rules:
        if not rule.matches(dialect, method, path, body):
            continue
        key = None
        if rule.once_per:
            if rule.once_per not in keys:
                query = scope.get("query_string", b"")
                keys[rule.once_per] = request_key(rule.once_per, path, query, body)
            key = keys[rule.once_per]
            if key is None or any(key in r.hit for r in rules if r.once_per == rule.once_per):
                continue
        if not rule.counts():
            continue
        if key is not None:
            rule.hit.add(key)
        return rule, key
    return None


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
        if dialect is None or tenant is None or not tenant.faults:
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:  # read the body once so member-scoped rules can look inside it
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        picked = pick_rule(tenant.faults, dialect.name, scope, body)

        async def replay():
            return {"type": "http.request", "body": body, "more_body": False}

        if picked is None:
            return await self.app(scope, replay, send)
        rule, key = picked
        rule.fired += 1
        state = scope.setdefault("state", {})
        state["fault"] = rule.label(key)
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
