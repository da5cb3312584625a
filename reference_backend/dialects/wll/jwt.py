"""WLL's bearer JWTs through PyJWT: HS256 with the tenant's shared key, RS256 with a JWKS.

PyJWT verifies the algorithm, the signature, `kid` lookups and the required claims. Two
pieces stay here on purpose:

- the bounds (`_bounded_parts`): PyJWT parses the header with a bare `json.loads`, so a
  deeply nested header would raise RecursionError (a 500); every part goes through the
  edge's bounded JSON reader first, and a token has a size cap;
- the time claims (`check_times`): PyJWT reads the wall clock, posim's tenants have their own.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jwt as pyjwt

from ...hardening import loads

MAX_TOKEN_CHARS = 8192  # far above any IdP's token; a bigger header is refused unread
ALGORITHMS = ("HS256", "RS256")  # what WLL documents for user tokens; never "none"
MAX_JWKS_KEYS = 32


class JwtError(Exception):
    """The token is unusable; `reason` is safe to show to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def encode(
    claims: dict[str, Any],
    key: Any,
    headers: dict[str, Any] | None = None,
    algorithm: str = "HS256",
) -> str:
    """A signed token; `headers` may override `alg` (tests forge tokens that way)."""
    header = {"alg": algorithm, "typ": "JWT", **(headers or {})}
    return pyjwt.encode(claims, key, algorithm=algorithm, headers=header)


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def _json_part(text: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwtError("token is not base64url") from exc
    try:
        value = loads(raw)  # bounded depth and numbers: a token's JSON may be hostile too
    except ValueError as exc:
        raise JwtError("token part is not JSON") from exc
    if not isinstance(value, dict):
        raise JwtError("token part is not a JSON object")
    return value


def _bounded_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the claims, unverified, within the bounds; JwtError otherwise."""
    if len(token) > MAX_TOKEN_CHARS:
        raise JwtError("token is too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("token is not a JWT")
    return _json_part(parts[0]), _json_part(parts[1])


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload without checking anything (to pick the key that must verify it)."""
    return _bounded_parts(token)[1]


@lru_cache(maxsize=64)
def _key_set(document: str) -> pyjwt.PyJWKSet:
    return pyjwt.PyJWKSet.from_json(document)


def check_jwks(jwks: Any) -> dict[str, Any]:
    """A JWKS document a tenant may trust for RS256: RSA keys, each with its `kid`."""
    if not isinstance(jwks, Mapping) or not isinstance(jwks.get("keys"), list):
        raise ValueError("jwks must be a JWK Set: {'keys': [...]}")
    keys = jwks["keys"]
    if not 1 <= len(keys) <= MAX_JWKS_KEYS:
        raise ValueError(f"jwks must hold 1 to {MAX_JWKS_KEYS} keys")
    for key in keys:
        if not isinstance(key, Mapping) or key.get("kty") != "RSA":
            raise ValueError("jwks keys must be RSA keys (WLL verifies RS256)")
        if not isinstance(key.get("kid"), str) or not key["kid"]:
            raise ValueError("every jwks key needs a kid (RS256 tokens name theirs)")
    document = json.dumps(dict(jwks), sort_keys=True)
    try:
        _key_set(document)
    except pyjwt.PyJWTError as exc:
        raise ValueError(f"jwks holds an unusable key: {exc}") from None
    return json.loads(document)


def _rs256_key(header: dict[str, Any], jwks: Mapping[str, Any] | None) -> Any:
    if not jwks:
        raise JwtError("RS256 tokens need a JWKS, and this tenant has none")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwtError("RS256 token has no kid")
    try:
        return _key_set(json.dumps(dict(jwks), sort_keys=True))[kid].key
    except KeyError:
        raise JwtError("token kid is not in the tenant's JWKS") from None


def decode(
    token: str,
    secret: str | None = None,
    *,
    jwks: Mapping[str, Any] | None = None,
    issuer: str | None = None,
    require: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Verify alg, key and signature (and `issuer`, `require` when given); return the claims.

    HS256 verifies with `secret`, RS256 with the key `kid` names in `jwks`. Time claims are
    the caller's business (`check_times`).
    """
    header, _ = _bounded_parts(token)
    alg = header.get("alg")
    if alg not in ALGORITHMS or (alg == "HS256" and secret is None):
        raise JwtError("unsupported token algorithm")
    key: Any = secret if alg == "HS256" else _rs256_key(header, jwks)  # a str or an RSA key
    options: pyjwt.types.Options = {
        "verify_exp": False,  # check_times, on the tenant's clock
        "verify_nbf": False,
        "verify_iat": False,
        "verify_aud": False,  # any audience is accepted (docs/parity/wll.md)
        "require": list(require),
    }
    try:
        claims = pyjwt.decode(token, key, algorithms=[alg], issuer=issuer, options=options)
    except pyjwt.InvalidSignatureError as exc:
        raise JwtError("invalid token signature") from exc
    except pyjwt.MissingRequiredClaimError as exc:
        raise JwtError(f"token has no {exc.claim} claim") from exc
    except pyjwt.InvalidIssuerError as exc:
        raise JwtError("token issuer is not trusted") from exc
    except (pyjwt.PyJWTError, ValueError, TypeError) as exc:
        raise JwtError("token is not a valid JWT") from exc
    return claims


def check_times(claims: dict[str, Any], now: float) -> None:
    """exp is required and exclusive; nbf is honoured when present."""
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise JwtError("token has no valid exp claim")
    if now >= exp:
        raise JwtError("token expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and not isinstance(nbf, bool) and now < nbf:
        raise JwtError("token not valid yet")
