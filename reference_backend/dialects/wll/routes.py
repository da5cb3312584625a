"""All WLL routes: /oauth/token, the Rewards API under /v1 and the Receipts API.

WLL's OpenAPI writes collections with a trailing slash (`/users/`) and its generated SDK calls
them verbatim, so every path is served with and without it, directly (no 307 redirect).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from . import (
    routes_auth,
    routes_benefits,
    routes_events,
    routes_receipts,
    routes_rewards,
    routes_settings,
    routes_tiers,
    routes_users,
)


def _with_slash_twins(sub: APIRouter) -> APIRouter:
    for route in list(sub.routes):
        if isinstance(route, APIRoute) and not route.path.endswith("/"):
            sub.add_api_route(
                route.path.removeprefix(sub.prefix) + "/",
                route.endpoint,
                methods=sorted(route.methods or ()),
                status_code=route.status_code,
                include_in_schema=False,
            )
    return sub


# every WLL router, in matching order (the contract tests measure spec coverage from them)
ROUTERS = tuple(
    _with_slash_twins(module.router)
    for module in (
        routes_auth,
        routes_users,
        routes_events,
        routes_rewards,
        routes_benefits,
        routes_settings,
        routes_tiers,
        routes_receipts,
    )
)
router = APIRouter(tags=["White Label Loyalty"])
for _sub in ROUTERS:
    router.include_router(_sub)
