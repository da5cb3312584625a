"""Capillary InTouch v1.1 dialect: customer, transaction, points and coupon APIs for a POS,
plus the two v2 calls that undo a redemption on a return (points/reverse, coupon/reactivate).

See docs/parity/capillary.md for what is implemented and the choices made where the
vendor's documentation is silent.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..base import Dialect
from .auth import NAME, TILL_KEYS, basic_header, new_credentials
from .config import CapillaryConfig, get_config
from .errors import render_error, render_failure
from .routes import PREFIX, PREFIX_V2, router


def configure(tenant: Any, settings: dict[str, Any]) -> None:
    """Replace the tenant's Capillary settings (CapillaryConfig fields; unset ones default).

    Called by the control plane; raises ValueError with a readable message on bad input,
    and leaves the current settings untouched when it does.
    """
    if not isinstance(settings, dict):
        raise ValueError("capillary settings must be an object of CapillaryConfig fields")
    try:
        config = CapillaryConfig.model_validate(settings)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ())) or "settings"
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        raise ValueError("; ".join(problems)) from None
    tenant.dialect_data(NAME)["config"] = config


DIALECT = Dialect(
    name=NAME,
    prefixes=(PREFIX, PREFIX_V2),
    router=router,
    new_credentials=new_credentials,
    render_failure=render_failure,
    tenant_keys=TILL_KEYS,
    render_error=render_error,
    configure=configure,
)

__all__ = ["DIALECT", "CapillaryConfig", "basic_header", "configure", "get_config"]
