"""The contract every vendor dialect fulfils so app.py can mount it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..engine import EngineError

# kinds of framework-level failure a dialect must render in its own envelope
FAILURE_KINDS = (
    "malformed_json",
    "validation",
    "not_found",
    "method_not_allowed",
    "internal",
    "rate_limited",  # an injected 429 burst (the app adds Retry-After)
    "unavailable",  # an injected 5xx
)


@dataclass(frozen=True)
class Dialect:
    name: str  # "gameball", "wll", "capillary"
    prefixes: tuple[str, ...]  # path prefixes it owns, e.g. "/api/v4.0/integrations"
    router: APIRouter
    # tenant id + seeded rng -> this vendor's credentials for the tenant, e.g. {"apiKey": ...}
    new_credentials: Callable[[str, random.Random], dict[str, str]]
    # (request, http status, failure kind, message) -> vendor-shaped response
    render_failure: Callable[[Request, int, str, str], Response]
    # the credential fields that identify a tenant, e.g. ("apiKey",)
    tenant_keys: tuple[str, ...] = ()
    # an EngineError that escaped a route -> vendor-shaped response (None: routes map their own)
    render_error: Callable[[Request, EngineError], Response] | None = None
    # (tenant, settings) -> None: the vendor's own program settings; ValueError when invalid
    configure: Callable[[Any, dict], None] | None = None


def owns(prefix: str, path: str) -> bool:
    """A prefix owns a path on a segment boundary: "/v1" owns "/v1/users", not "/v1.1/x"."""
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def dialect_for_path(dialects, path: str) -> Dialect | None:
    for dialect in dialects:
        if any(owns(prefix, path) for prefix in dialect.prefixes):
            return dialect
    return None
