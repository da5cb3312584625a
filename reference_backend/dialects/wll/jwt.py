"""HS256 JSON Web Tokens with the standard library only (RFC 7519 / RFC 7515 compact form)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from ...hardening import loads


class JwtError(Exception):
    """The token is unusable; `reason` is safe to show to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwtError("token is not base64url") from exc


def _sign(signing_input: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()


def encode(claims: dict[str, Any], secret: str, headers: dict[str, Any] | None = None) -> str:
    header = {"alg": "HS256", "typ": "JWT", **(headers or {})}
    parts = [
        _b64encode(json.dumps(header, separators=(",", ":")).encode()),
        _b64encode(json.dumps(claims, separators=(",", ":")).encode()),
    ]
    signing_input = ".".join(parts).encode("ascii")
    return ".".join([*parts, _b64encode(_sign(signing_input, secret))])


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload without checking anything (to pick the key that must verify it)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("token is not a JWT")
    return _json_part(parts[1])


def _json_part(text: str) -> dict[str, Any]:
    try:
        value = loads(_b64decode(text))  # bounded: a token's JSON may be hostile too
    except ValueError as exc:
        raise JwtError("token part is not JSON") from exc
    if not isinstance(value, dict):
        raise JwtError("token part is not a JSON object")
    return value


def decode(token: str, secret: str) -> dict[str, Any]:
    """Verify alg and signature; return the claims. Time claims are the caller's business."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("token is not a JWT")
    header = _json_part(parts[0])
    if header.get("alg") != "HS256":  # never "none", and RS256 needs a JWKS we do not have
        raise JwtError("unsupported token algorithm")
    expected = _sign(f"{parts[0]}.{parts[1]}".encode("ascii"), secret)
    if not hmac.compare_digest(expected, _b64decode(parts[2])):
        raise JwtError("invalid token signature")
    return _json_part(parts[1])


def check_times(claims: dict[str, Any], now: float) -> None:
    """exp is required and exclusive; nbf is honoured when present."""
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise JwtError("token has no valid exp claim")
    if now >= exp:
        raise JwtError("token expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and not isinstance(nbf, bool) and now < nbf:
        raise JwtError("token not valid yet")
