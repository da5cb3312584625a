"""A reward's discounts, managed one by one (the spec's /rewards/{rewardId}/discounts).

A discount keeps its id for life, so ids are fixed when the list first changes. The engine's
own discount of the series follows the first discount, as it does when a reward is created.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...control.tenants import Tenant
from ...engine import VoucherSeries
from . import rewards
from .auth import NAME
from .convert import NAMESPACE
from .errors import WllFail
from .schemas import DiscountIn, DiscountPatchIn

_ENGINE_KIND = {"ABSOLUTE": "fixed", "FIXED": "fixed", "PERCENTAGE": "percent"}


def _listed(series: VoucherSeries) -> list[dict[str, Any]]:
    """The stored discounts, each with its id fixed."""
    stored = rewards.wll_fields(series).get("discounts", [])
    return [
        {**d, "id": d.get("id") or rewards.discount_id(series, i)} for i, d in enumerate(stored)
    ]


def _store(series: VoucherSeries, found: list[dict[str, Any]]) -> None:
    series.attributes[NAME] = {**rewards.wll_fields(series), "discounts": found}
    first = found[0] if found else None
    series.discount_kind = _ENGINE_KIND[first["type"]] if first else "fixed"
    series.discount_value = int(first["value"]) if first else 0


def _one(found: list[dict[str, Any]], discount_id: str) -> dict[str, Any]:
    for discount in found:
        if discount["id"] == discount_id:
            return discount
    raise WllFail(404, "Discount not found")


def _shown(series: VoucherSeries, discount_id: str) -> dict[str, Any]:
    return _one(rewards.discounts(series), discount_id)


def add(tenant: Tenant, reward_id: str, body: DiscountIn) -> dict[str, Any]:
    with tenant.engine.lock:
        series = rewards.own(tenant, reward_id)
        found = _listed(series)
        new_id = str(uuid.uuid5(NAMESPACE, f"discount:{series.series_id}:{tenant.engine.now()}"))
        while any(d["id"] == new_id for d in found):  # two in the same instant
            new_id = str(uuid.uuid5(NAMESPACE, new_id))
        found.append({**body.model_dump(by_alias=False), "id": new_id})
        _store(series, found)
        return _shown(series, new_id)


def change(tenant: Tenant, reward_id: str, discount_id: str, body: DiscountPatchIn):
    with tenant.engine.lock:
        series = rewards.own(tenant, reward_id)
        found = _listed(series)
        _one(found, discount_id).update(body.model_dump(by_alias=False, exclude_none=True))
        _store(series, found)
        return _shown(series, discount_id)


def remove(tenant: Tenant, reward_id: str, discount_id: str) -> None:
    with tenant.engine.lock:
        series = rewards.own(tenant, reward_id)
        found = _listed(series)
        _store(series, [d for d in found if d is not _one(found, discount_id)])
