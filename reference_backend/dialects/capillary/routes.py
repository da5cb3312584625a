"""The Capillary InTouch v1.1 router: every POS endpoint under /v1.1."""

from __future__ import annotations

from fastapi import APIRouter

from . import coupon_routes, customer_routes, points_routes, transaction_routes

PREFIX = "/v1.1"

router = APIRouter(prefix=PREFIX, tags=["capillary v1.1"])
for module in (customer_routes, transaction_routes, points_routes, coupon_routes):
    router.include_router(module.router)
