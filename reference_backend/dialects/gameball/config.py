"""Gameball-only tenant settings, set through the control plane (PUT .../dialects/gameball).

They live in the tenant's dialect data, beside the QR hashes and redeem records.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ...control.tenants import Tenant

NAME = "gameball"


class GameballConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Gameball rejects a re-sent orderId with 9004; True replays an identical retry instead
    order_replay: bool = False


def refund_allocation(tenant: Tenant) -> str:
    """The program's refund rule, else Gameball's own: a refund reverses the cashback
    (earned points) first and gives redeemed points back with the remainder."""
    return tenant.engine.config.refund_allocation or "cash_first"


def configure(tenant: Any, settings: dict[str, Any]) -> None:
    """Replace the tenant's Gameball settings; ValueError (settings untouched) when invalid."""
    if not isinstance(settings, dict):
        raise ValueError("gameball settings must be an object of GameballConfig fields")
    try:
        config = GameballConfig.model_validate(settings)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ())) or 'settings'}: {e.get('msg')}"
            for e in exc.errors()
        ]
        raise ValueError("; ".join(problems)) from None
    tenant.dialect_data(NAME)["config"] = config


def get_config(tenant: Tenant) -> GameballConfig:
    """The tenant's Gameball settings (defaults until someone sets them)."""
    data = tenant.dialect_data(NAME)
    config = data.get("config")
    if not isinstance(config, GameballConfig):
        config = data["config"] = GameballConfig.model_validate(config or {})
    return config
