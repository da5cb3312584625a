"""Pre-flight checks every command runs before its first scenario or load step.

A target is checked in order: URL syntax, a TCP connection, then one read (with the given
credentials, an authenticated read of the vendor API; without, posim's control plane).
The first failure is a PreflightError whose message is one line.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from .cliargs import one_line
from .protocol.base import LoyaltyError
from .transports import ADMIN_TOKEN_ENV, admin_headers

PROBE_MEMBER = "posim-preflight-probe"  # a read of a member that need not exist
# what the authenticated read may answer: the member exists, or it does not
_READ_OK = ("member_not_found",)


class PreflightError(ValueError):
    """A target or credential that cannot work; the message is one line."""


# -- the target ----------------------------------------------------------------------
def check_url(url: str) -> str:
    """The URL without a trailing slash; PreflightError when it cannot name a server."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise PreflightError(f"target {url!r} needs http:// or https:// in front")
    if not parts.hostname:
        raise PreflightError(f"target {url!r} names no host")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise PreflightError(f"target {url!r} has an invalid port") from None
    return url.strip().rstrip("/")


def check_reachable(url: str, timeout: float) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    number = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((host, number), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PreflightError(f"cannot reach {url} ({host}:{number}): {reason}") from None


def check_control_plane(url: str, timeout: float) -> None:
    """Without credentials the target must be posim: its control plane makes the tenant."""
    import httpx

    try:
        resp = httpx.get(f"{url}/_posim/tenants", headers=admin_headers(), timeout=timeout)
    except httpx.HTTPError as exc:
        raise PreflightError(f"GET {url}/_posim/tenants: {exc or type(exc).__name__}") from None
    if resp.status_code == 401:
        raise PreflightError(
            f"{url}'s control plane needs its admin token: set {ADMIN_TOKEN_ENV} to the token "
            "`posim serve` printed"
        )
    if resp.status_code != 200:
        raise PreflightError(
            f"{url} has no posim control plane (GET /_posim/tenants: HTTP {resp.status_code});"
            " pass --credentials for a vendor or gateway"
        )
    try:
        body = resp.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("tenants"), list):
        raise PreflightError(
            f"GET /_posim/tenants: HTTP 200, not posim's answer; body {resp.content[:80]!r}"
        )


def check_read(url: str, dialect_name: str, creds: dict[str, str], timeout: float) -> None:
    """One authenticated read of the vendor API: a balance of a member that need not exist."""
    from .gateway import LoyaltyGateway, RetryPolicy
    from .protocol import codec_for
    from .transports import HttpTransport

    transport = HttpTransport(url, timeout)
    try:
        codec = codec_for(dialect_name, creds)
        retry = RetryPolicy(max_rate_limit_retries=0, max_timeout_retries=0)
        LoyaltyGateway(codec, transport, retry).balance(PROBE_MEMBER)
    except LoyaltyError as exc:
        if exc.code in _READ_OK:
            return
        what = "credentials refused" if exc.code == "unauthorized" else "read failed"
        status = f" (HTTP {exc.status})" if exc.status else ""
        reason = exc.message or exc.code
        raise PreflightError(f"{dialect_name}: {what}{status}: {reason}") from None
    except Exception as exc:  # noqa: BLE001 - an HTTP error, a codec refusing the credentials
        reason = one_line(exc) or type(exc).__name__
        raise PreflightError(f"{dialect_name}: read failed: {reason}") from None
    finally:
        transport.close()


def check_target(
    url: str,
    dialects: list[str],
    creds: dict[str, dict[str, str]] | None,
    timeout: float = 10.0,
) -> str:
    """URL, reachability and one read per dialect; returns the normalised URL."""
    url = check_url(url)
    check_reachable(url, timeout)
    if not creds:
        check_control_plane(url, timeout)
        return url
    for name in dialects:
        if name not in creds:
            raise PreflightError(f"no credentials for {name}")
        check_read(url, name, creds[name], timeout)
    return url
