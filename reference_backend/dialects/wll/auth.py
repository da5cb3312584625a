"""Who is calling: the tenant (X-Api-Key), the rate limit, and the bearer token's level.

Three bearer kinds exist: user tokens (HS256 or RS256 from the tenant's own IdP, `sub` = auth
identifier), admin tokens (minted by our /oauth/token emulation) and event-type secrets
(opaque, only good for reporting private events). Token times use the tenant's clock.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from ...control.tenants import Tenant
from ..ratelimit import TokenBucket
from . import jwt
from .errors import WllFail

NAME = "wll"
RATE_PER_S = 100  # documented default per API key
BURST = 400
ADMIN_TOKEN_TTL_S = 24 * 3600
ADMIN_ISSUER = "https://auth.wlloyalty.net/"
DEFAULT_AUDIENCE = "wlloyalty.net"
ADMIN_GRANT = "client-credentials"  # the `gty` claim Auth0 puts on client-credentials tokens
USER_CLAIMS = ("sub", "iss", "iat", "exp")  # what WLL requires of a user token


def new_credentials(tenant_id: str, rng: random.Random) -> dict[str, str]:
    def hexed(bits: int) -> str:
        return f"{rng.getrandbits(bits):0{bits // 4}x}"

    return {
        # the spec types X-Api-Key as a UUID (strict clients check it before sending)
        "apiKey": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "jwtSecret": hexed(256),
        "jwtIssuer": f"https://idp.posim.local/{tenant_id}",
        "clientId": hexed(128),
        "clientSecret": hexed(256),
        "eventTypeSecret": hexed(192),
    }


def creds(tenant: Tenant) -> dict[str, str]:
    return tenant.credentials[NAME]


def admin_signing_key(tenant: Tenant) -> str:
    # derived from the client secret, so it is per tenant and never handed out
    secret = creds(tenant)["clientSecret"].encode()
    return hmac.new(secret, b"posim-wll-admin-token", hashlib.sha256).hexdigest()


def tenant_now(tenant: Tenant) -> float:
    return tenant.engine.now().timestamp()


def mint_admin_token(tenant: Tenant, audience: str | None, scope: str | None) -> dict[str, Any]:
    now = int(tenant_now(tenant))
    client_id = creds(tenant)["clientId"]
    claims = {
        "iss": ADMIN_ISSUER,
        "sub": f"{client_id}@clients",
        "aud": audience or DEFAULT_AUDIENCE,
        "iat": now,
        "exp": now + ADMIN_TOKEN_TTL_S,
        "azp": client_id,
        "scope": scope or "",
        "gty": ADMIN_GRANT,
    }
    return {
        "access_token": jwt.encode(claims, admin_signing_key(tenant)),
        "token_type": "Bearer",
        "expires_in": ADMIN_TOKEN_TTL_S,
        "scope": claims["scope"],
    }


def mint_user_token(tenant: Tenant, sub: str, ttl_s: int = 3600) -> str:
    """A user token as the tenant's IdP would sign it (tests, simulator, demos)."""
    now = int(tenant_now(tenant))
    c = creds(tenant)
    claims = {"sub": sub, "iss": c["jwtIssuer"], "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, c["jwtSecret"])


@dataclass
class Caller:
    tenant: Tenant
    kind: str  # anonymous | user | admin | secret
    subject: str | None = None  # a user token's `sub` (the auth identifier)
    secret: str | None = None  # an opaque bearer (event-type secret)
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    @property
    def is_user(self) -> bool:
        return self.kind == "user"


def unauthorized(message: str = "Unauthorized") -> WllFail:
    return WllFail(401, message)


def forbidden(message: str = "Forbidden") -> WllFail:
    return WllFail(403, message)


def _tenant(request: Request) -> tuple[Tenant, str]:
    key = request.headers.get("x-api-key")
    tenant = request.app.state.registry.by_credential(NAME, "apiKey", key) if key else None
    if not key or tenant is None:  # API Gateway answers a missing or unknown key with 403
        raise forbidden("Forbidden: missing or invalid API key")
    return tenant, key


def _throttle(tenant: Tenant, key: str) -> None:
    wait = tenant.limiter((NAME, key), RATE_PER_S, BURST).take()
    if wait:
        headers = {"Retry-After": TokenBucket.retry_after_header(wait)}
        raise WllFail(429, "Too Many Requests", headers=headers)


def configure(tenant: Tenant, settings: dict[str, Any]) -> None:
    """The tenant's WLL settings: `jwks`, the JWK Set its IdP signs RS256 user tokens with
    (null clears it). Called by the control plane; ValueError (nothing changed) when invalid."""
    if not isinstance(settings, dict) or set(settings) - {"jwks"}:
        raise ValueError("wll settings are an object with one field: jwks")
    jwks = settings.get("jwks")
    tenant.dialect_data(NAME)["jwks"] = None if jwks is None else jwt.check_jwks(jwks)


def user_jwks(tenant: Tenant) -> dict[str, Any] | None:
    return tenant.dialect_data(NAME).get("jwks")


def _user_claims(tenant: Tenant, token: str) -> dict[str, Any]:
    c = creds(tenant)
    claims = jwt.decode(
        token,
        c["jwtSecret"],
        jwks=user_jwks(tenant),
        issuer=c["jwtIssuer"],
        require=USER_CLAIMS,
    )
    for name in ("sub", "iss"):
        if not isinstance(claims.get(name), str) or not claims[name]:
            raise jwt.JwtError(f"token has no {name} claim")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise jwt.JwtError("token has no iat claim")
    jwt.check_times(claims, tenant_now(tenant))
    return claims


def _admin_claims(tenant: Tenant, token: str) -> dict[str, Any]:
    claims = jwt.decode(token, admin_signing_key(tenant))
    jwt.check_times(claims, tenant_now(tenant))
    return claims


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Authorization header must be 'Bearer <token>'")
    return token.strip()


def event_secrets(tenant: Tenant) -> set[str]:
    from .event_types import all_event_types  # late import: event types need auth creds

    return {t.secret for t in all_event_types(tenant).values() if t.secret}


async def caller(request: Request) -> Caller:
    """FastAPI dependency for every /v1 route: tenant, rate limit, then the bearer."""
    tenant, key = _tenant(request)
    request.state.tenant = tenant
    request.state.dialect = NAME
    _throttle(tenant, key)
    token = _bearer(request)
    if token is None:
        return Caller(tenant, "anonymous")
    if not jwt.looks_like_jwt(token):
        if token in event_secrets(tenant):
            return Caller(tenant, "secret", secret=token)
        raise unauthorized("Invalid token")
    try:
        if jwt.unverified_claims(token).get("gty") == ADMIN_GRANT:
            return Caller(tenant, "admin", claims=_admin_claims(tenant, token))
        claims = _user_claims(tenant, token)
    except jwt.JwtError as exc:
        message = "Token expired" if exc.reason == "token expired" else "Invalid token"
        raise WllFail(401, message, {"reason": exc.reason}) from exc
    return Caller(tenant, "user", subject=claims["sub"], claims=claims)


def require_admin(who: Caller) -> None:
    if who.kind in ("anonymous", "secret"):
        raise unauthorized("An admin token is required")
    if not who.is_admin:
        raise forbidden("This operation needs an admin token")


def require_user_or_admin(who: Caller) -> None:
    if who.kind in ("anonymous", "secret"):
        raise unauthorized("A user or admin token is required")
