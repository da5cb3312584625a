"""POST /oauth/token: a local stand-in for WLL's Auth0 client-credentials endpoint.

Success is Auth0's shape (the SDK reads `access_token` directly); failures carry both the
JSend keys and OAuth's `error` / `error_description`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ...hardening import loads, read_body, same_secret
from .auth import NAME, creds, mint_admin_token
from .errors import fail_body
from .schemas import TokenRequest


def _oauth_fail(status: int, error: str, description: str) -> JSONResponse:
    body = {**fail_body(description), "error": error, "error_description": description}
    return JSONResponse(body, status_code=status)


def _form(raw: bytes, content_type: str) -> dict[str, Any] | None:
    if not raw.strip():
        return {}
    if "application/x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(raw.decode("utf-8", "replace")))
    try:
        data = loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _basic_credentials(request: Request) -> dict[str, str]:
    """RFC 6749 client_secret_basic, accepted as well as credentials in the body."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    return {"client_id": client_id, "client_secret": secret}


async def issue_token(request: Request) -> JSONResponse:
    data = _form(await read_body(request), request.headers.get("content-type", ""))
    if data is None:
        return _oauth_fail(400, "invalid_request", "Malformed request body")
    try:
        form = TokenRequest.model_validate({**_basic_credentials(request), **data})
    except ValidationError:
        return _oauth_fail(400, "invalid_request", "Invalid request parameters")
    if form.grant_type != "client_credentials":
        return _oauth_fail(400, "unsupported_grant_type", "Only client_credentials is supported")
    registry = request.app.state.registry
    tenant = registry.by_credential(NAME, "clientId", form.client_id) if form.client_id else None
    if tenant is None or not same_secret(creds(tenant)["clientSecret"], form.client_secret):
        return _oauth_fail(401, "access_denied", "Unauthorized")
    request.state.tenant = tenant
    request.state.dialect = NAME
    return JSONResponse(mint_admin_token(tenant, form.audience, form.scope))
