"""Who may call the control plane, and what bodies it takes.

The control plane can wipe tenants and read their credentials, so every /_posim route goes
through `ControlRoute`, which refuses, before the route runs:

- a Host header that is not a name the server is bound to (DNS rebinding), when it is bound;
- a call without the admin token, when one is set (always, beyond loopback: `posim serve`);
- a state-changing call from a foreign Origin, or a cross-site fetch, or one whose body is
  not JSON and carries no token: what a web page can send without a CORS preflight;
- a body over the control plane's size limit, or JSON beyond the edge's bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from .. import hardening

TOKEN_HEADER = "x-posim-admin-token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONTROL_DEPTH = 64  # snapshots nest deeper than vendor payloads


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    return host in LOOPBACK_NAMES or host.startswith("127.")


def _hostname(netloc: str) -> str:
    """'Example.com:8080' -> 'example.com'; '[::1]:80' -> '::1'."""
    return (urlsplit(f"//{netloc}").hostname or "").lower()


def allowed_names(settings) -> frozenset[str] | None:
    """The Host names accepted, or None for any (in-process, or a wildcard bind unlisted)."""
    bind = getattr(settings, "bind_host", None)
    if bind is None:
        return None
    extra = {name.lower() for name in getattr(settings, "allowed_hosts", ())}
    if bind in WILDCARD_BINDS:
        return frozenset(extra | LOOPBACK_NAMES) if extra else None
    names = {bind.strip("[]").lower(), *extra}
    if is_loopback(bind):
        names |= LOOPBACK_NAMES
    return frozenset(names)


def _given_token(request: Request) -> str | None:
    token = request.headers.get(TOKEN_HEADER)
    if token is None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    return token


def has_token(request: Request, settings) -> bool:
    expected = getattr(settings, "admin_token", None)
    return (
        isinstance(expected, str)
        and bool(expected)
        and hardening.same_secret(expected, _given_token(request))
    )


def check_access(request: Request) -> None:
    """HTTPException for a caller the control plane must refuse; None to let it in."""
    settings = request.app.state.settings
    names = allowed_names(settings)
    host = _hostname(request.headers.get("host", ""))
    if names is not None and host not in names:
        raise HTTPException(400, f"Host {host!r} is not a name this server is bound to")
    token_ok = has_token(request, settings)
    if getattr(settings, "admin_token", None) and not token_ok:
        raise HTTPException(401, f"the control plane needs the admin token ({TOKEN_HEADER})")
    if request.method in STATE_CHANGING:
        _refuse_cross_site(request, names, token_ok)


def _refuse_cross_site(request: Request, names: frozenset[str] | None, token_ok: bool) -> None:
    origin = request.headers.get("origin")
    if origin is not None:
        netloc = urlsplit(origin).netloc
        same_origin = netloc and netloc.lower() == request.headers.get("host", "").lower()
        listed = names is not None and _hostname(netloc) in names
        if not (same_origin or listed):
            raise HTTPException(403, f"cross-origin calls from {origin!r} are refused")
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise HTTPException(403, "cross-site calls are refused")
    declared = request.headers.get("content-length", "0")
    has_body = declared != "0" or "transfer-encoding" in request.headers
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if has_body and not token_ok and not content_type.endswith("json"):
        raise HTTPException(415, "control-plane bodies must be JSON (Content-Type)")


async def check_body(request: Request) -> None:
    """Bounded read and bounded JSON; the body is kept for the route to parse again."""
    limit = request.app.state.settings.control_body_limit
    if hardening.declared_too_large(request.headers, limit):
        raise hardening.BodyTooLarge(limit)
    raw = await hardening.read_body(request, limit)
    if raw.strip():
        try:
            hardening.loads(raw, CONTROL_DEPTH)
        except ValueError as exc:
            raise HTTPException(400, f"request body is not acceptable JSON: {exc}") from None


class ControlRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            check_access(request)
            if request.method in STATE_CHANGING:
                await check_body(request)
            return await handler(request)

        return guarded
