"""All WLL routes: /oauth/token plus the Rewards API under /v1."""

from __future__ import annotations

from fastapi import APIRouter

from . import routes_auth, routes_benefits, routes_events, routes_rewards, routes_users

router = APIRouter(tags=["White Label Loyalty"])
for _module in (routes_auth, routes_users, routes_events, routes_rewards, routes_benefits):
    router.include_router(_module.router)
