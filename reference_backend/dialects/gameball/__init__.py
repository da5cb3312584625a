"""Gameball REST API v4.0 (and v4.1) over the shared engine: the POS-relevant operations."""

from __future__ import annotations

from ..base import Dialect
from .auth import NAME, new_credentials
from .config import configure
from .errors import render_error, render_failure
from .routes import PREFIXES, build_router

DIALECT = Dialect(
    name=NAME,
    # all of /api: an unknown path or version there still answers in Gameball's envelope
    prefixes=(*PREFIXES, "/api"),
    router=build_router(),
    new_credentials=new_credentials,
    render_failure=render_failure,
    tenant_keys=("apiKey",),
    render_error=render_error,
    configure=configure,
)

__all__ = ["DIALECT"]
