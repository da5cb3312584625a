"""The Capillary routers: every POS endpoint under /v1.1, and the two v2 undo calls."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    coupon_series,
    coupons,
    customer_search,
    customers,
    lookups,
    points,
    redemptions,
    retro,
    reversals,
    stores,
    transactions,
)

PREFIX = "/v1.1"
PREFIX_V2 = reversals.PREFIX

V11_MODULES = (
    customers,
    transactions,
    retro,
    points,
    coupons,
    redemptions,
    lookups,
    coupon_series,
    customer_search,
    stores,
)
v11 = APIRouter(prefix=PREFIX, tags=["capillary v1.1"])
for module in V11_MODULES:
    v11.include_router(module.router)

router = APIRouter()
router.include_router(v11)
router.include_router(reversals.router)
