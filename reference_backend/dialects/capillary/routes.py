"""The Capillary routers: every POS endpoint under /v1.1, and the two v2 undo calls."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    coupon_routes,
    customer_routes,
    lookups,
    points_routes,
    redemptions,
    retro,
    search_routes,
    series_routes,
    store_routes,
    transaction_routes,
    v2_routes,
)

PREFIX = "/v1.1"
PREFIX_V2 = v2_routes.PREFIX

V11_MODULES = (
    customer_routes,
    transaction_routes,
    retro,
    points_routes,
    coupon_routes,
    redemptions,
    lookups,
    series_routes,
    search_routes,
    store_routes,
)
v11 = APIRouter(prefix=PREFIX, tags=["capillary v1.1"])
for module in V11_MODULES:
    v11.include_router(module.router)

router = APIRouter()
router.include_router(v11)
router.include_router(v2_routes.router)
