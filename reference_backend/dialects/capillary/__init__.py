"""Capillary InTouch v1.1 dialect: customer, transaction, points and coupon APIs for a POS.

See docs/parity/capillary.md for what is implemented and the choices made where the
vendor's documentation is silent.
"""

from __future__ import annotations

from ..base import Dialect
from .auth import NAME, TILL_KEYS, basic_header, new_credentials
from .config import CapillaryConfig, get_config
from .errors import render_error, render_failure
from .routes import PREFIX, router

DIALECT = Dialect(
    name=NAME,
    prefixes=(PREFIX,),
    router=router,
    new_credentials=new_credentials,
    render_failure=render_failure,
    tenant_keys=TILL_KEYS,
    render_error=render_error,
)

__all__ = ["DIALECT", "CapillaryConfig", "basic_header", "get_config"]
