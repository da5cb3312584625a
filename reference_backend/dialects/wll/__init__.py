"""White Label Loyalty (Rewards API /v1, Receipts API /receipts/v1) over the shared engine.
See docs/parity/wll.md."""

from __future__ import annotations

from ..base import Dialect
from .auth import NAME, configure, mint_user_token, new_credentials
from .errors import render_error, render_failure
from .routes import router

DIALECT = Dialect(
    name=NAME,
    # "/v1/" with its slash, so Capillary's "/v1.1/..." paths are never taken for ours;
    # "/receipts/v1/" is WLL's Receipts API (its own host at WLL, a base path here)
    prefixes=("/v1/", "/oauth/", "/receipts/v1/"),
    router=router,
    new_credentials=new_credentials,
    render_failure=render_failure,
    tenant_keys=("apiKey", "clientId"),
    render_error=render_error,
    configure=configure,
)

__all__ = ["DIALECT", "mint_user_token"]
