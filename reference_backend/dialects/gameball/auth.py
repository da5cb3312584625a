"""APIKey / SecretKey checks and Gameball's per-resource rate limits.

Header names are case-insensitive (Starlette's headers already are), so `APIKey`, `apikey`
and `secretKey` all match. Each route declares its rate bucket and whether the SecretKey is
required; on v4.1 it always is.
"""

from __future__ import annotations

import hmac
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from ...control.tenants import Tenant
from ..ratelimit import TokenBucket
from .errors import GameballError

NAME = "gameball"
V41_PREFIX = "/api/v4.1/"

# bucket -> (requests per second, requests per 30 seconds), as Gameball documents them
RATE_LIMITS: dict[str, tuple[int, int]] = {
    "transactions": (30, 360),
    "coupons": (30, 360),
    "customers_read": (100, 1200),
    "customers_write": (30, 360),
    "events": (100, 1200),
    "orders": (30, 360),
    "orders_calc": (1000, 15000),
    "others": (30, 360),
}


def new_credentials(tenant_id: str, rng: random.Random) -> dict[str, str]:
    """32-hex keys like Gameball's dashboard shows; seeded so runs are reproducible."""
    return {
        "apiKey": f"{rng.getrandbits(128):032x}",
        "secretKey": f"sk_{rng.getrandbits(128):032x}",
    }


@dataclass(frozen=True)
class Caller:
    """Who is calling: the tenant behind the APIKey."""

    tenant: Tenant
    api_key: str


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def authenticate(request: Request, secret_required: bool) -> Caller:
    api_key = request.headers.get("apikey")
    if not api_key:
        raise GameballError(1000, "APIKey header is missing")
    registry = request.app.state.registry
    tenant = registry.by_credential(NAME, "apiKey", api_key)
    if tenant is None:
        raise GameballError(1000, "APIKey is not valid")
    request.state.tenant = tenant
    request.state.dialect = NAME
    secret = request.headers.get("secretkey")
    must = secret_required or request.url.path.startswith(V41_PREFIX)
    if not secret:
        if must:
            raise GameballError(1001, "SecretKey header is required for this operation")
    elif not _same(secret, tenant.credentials[NAME]["secretKey"]):
        # a wrong secret is refused even where none is needed: it is a misconfigured POS
        raise GameballError(1000, "SecretKey is not valid")
    return Caller(tenant, api_key)


def throttle(caller: Caller, bucket: str) -> None:
    """Two buckets per resource (per second and per 30 s); either one refusing gives 429."""
    per_second, per_30s = RATE_LIMITS[bucket]
    waits = (
        caller.tenant.limiter((NAME, caller.api_key, bucket, "1s"), per_second, per_second).take(),
        caller.tenant.limiter((NAME, caller.api_key, bucket, "30s"), per_30s / 30, per_30s).take(),
    )
    wait = max(waits)
    if wait > 0:
        retry = TokenBucket.retry_after_header(wait)
        raise GameballError(
            3011,
            f"Rate limit exceeded for {bucket}; retry in {retry} s",
            429,
            {"Retry-After": retry},
        )


def guard(bucket: str, secret: bool = False) -> Callable[[Request], Awaitable[Caller]]:
    """A route dependency: authenticate, then count the call against its rate bucket."""

    async def dependency(request: Request) -> Caller:  # async: no threadpool hop
        caller = authenticate(request, secret)
        throttle(caller, bucket)
        return caller

    return dependency
