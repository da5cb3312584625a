"""Basic auth as InTouch tills use it (`till:md5(password)`), and per-till rate limits.

Each tenant gets two tills on two stores, so store visibility can be exercised: a till
sees org-level data (customers, coupons) and the bills of its own store only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import random
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from ...control.tenants import Tenant
from ...engine import Engine
from ..ratelimit import TokenBucket
from .config import CapillaryConfig, get_config

NAME = "capillary"
TILL_KEYS = ("till", "till2")
_PASSWORD_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Till:
    """The authenticated caller: a till of one store of one tenant."""

    tenant: Tenant
    code: str
    store: str

    @property
    def engine(self) -> Engine:
        return self.tenant.engine

    @property
    def data(self) -> dict[str, Any]:
        return self.tenant.dialect_data(NAME)

    @property
    def cfg(self) -> CapillaryConfig:
        return get_config(self.data)


def new_credentials(tenant_id: str, rng: random.Random) -> dict[str, str]:
    password = "".join(rng.choice(_PASSWORD_ALPHABET) for _ in range(12))
    return {
        "till": f"{tenant_id}.store1.till1",
        "till2": f"{tenant_id}.store2.till1",
        "password": password,
    }


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()


def basic_header(till: str, password: str) -> str:
    """What a POS sends: Basic base64(till ':' md5_hex(password))."""
    token = base64.b64encode(f"{till}:{md5_hex(password)}".encode()).decode()
    return f"Basic {token}"


def store_of(till_code: str) -> str:
    parts = till_code.rsplit(".", 2)
    return parts[-2] if len(parts) == 3 else "store1"


def _decode_basic(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, secret = decoded.partition(":")
    # the v1.1 docs' own sample has a space after the colon; accept it
    return (user.strip(), secret.strip().lower()) if sep else None


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message)


def authenticate(request: Request) -> Till:
    decoded = _decode_basic(request.headers.get("authorization"))
    if decoded is None:
        raise _unauthorized("missing or malformed Basic credentials")
    user, secret = decoded
    registry = request.app.state.registry
    tenant = None
    for key in TILL_KEYS:
        tenant = registry.by_credential(NAME, key, user)
        if tenant is not None:
            break
    if tenant is None:
        raise _unauthorized("unknown till")
    expected = md5_hex(tenant.credentials[NAME]["password"])
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        raise _unauthorized("wrong password hash")
    request.state.tenant = tenant
    request.state.dialect = NAME
    return Till(tenant, user, store_of(user))


def guard(api: str) -> Callable[[Request], Awaitable[Till]]:
    """Dependency for one API: authenticate, then take a token from the till's bucket."""

    async def dependency(request: Request) -> Till:
        till = authenticate(request)
        limit = till.cfg.limit_for(api)
        if limit:
            bucket = till.tenant.limiter((NAME, till.code, api, limit), limit / 60.0, limit)
            wait = bucket.take()
            if wait:
                request.state.retry_after = TokenBucket.retry_after_header(wait)
                raise HTTPException(429, f"{limit} requests per minute on {api}")
        return till

    return dependency
