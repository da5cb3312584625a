"""Tiers, read-only: they come from the program config (the wallet shows the user's tier)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from .auth import Caller, caller
from .errors import WllFail, success
from .listing import page


def _tiers(tenant: Tenant) -> list[dict[str, Any]]:
    ordered = sorted(tenant.engine.config.tiers, key=lambda t: t.min_points)
    return [
        {
            "id": tier.name.lower(),  # as the wallet's `tier.id`
            "name": tier.name,
            "pointsRequirement": tier.min_points,
            "calculation": "LIFETIME_EARN",  # the engine ranks by lifetime points earned
            "priority": rank,
            "details": {"name": tier.name},
        }
        for rank, tier in enumerate(ordered)
    ]


async def list_tiers(request: Request, who: Caller = Depends(caller)):
    return success(page(_tiers(who.tenant), request.query_params))


async def get_tier(tier_id: str, who: Caller = Depends(caller)):
    for tier in _tiers(who.tenant):
        if tier["id"] == tier_id.lower():
            return success(tier)
    raise WllFail(404, "Tier not found")
