"""The WLL route table: which method and path goes to which handler. /oauth/token, the
Rewards API under /v1 and the Receipts API under its own base path.

WLL's OpenAPI writes collections with a trailing slash (`/users/`) and its generated SDK calls
them verbatim, so every path is served with and without it, directly (no 307 redirect).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from . import benefits, events, receipts, rewards, settings, tiers, tokens, users
from .errors import WllRoute

V1 = "/v1"
# (prefix, ((methods, path under the prefix, handler), ...)), in matching order; each group
# becomes one router, its trailing-slash twins matched after it
TABLE = (
    (
        "",
        (
            (("POST",), "/oauth/token", tokens.issue_token),
            (("POST",), "/v1/oauth/token", tokens.issue_token),
        ),
    ),
    (
        V1,
        (
            (("POST",), "/users", users.register_user),
            (("GET",), "/users", users.list_users),
            (("PATCH",), "/users/{user_ref}", users.update_user),
            (("DELETE",), "/users/{user_ref}", users.close_user),
            (("POST",), "/commands/adjust_points", users.adjust_points),
            (("GET",), "/users/{user_ref}", users.get_user),
            (("GET",), "/users/{user_ref}/wallet", users.get_wallet),
        ),
    ),
    (
        V1,
        (
            (("POST",), "/events", events.report_event),
            (("GET",), "/events", events.list_events),
            (("POST",), "/events/test_reaction", events.test_reaction),
            (("GET",), "/events/{event_id}", events.get_event),
            (("GET",), "/events/{event_id}/reactions", events.event_reactions),
            (("GET",), "/event_types", events.list_event_types),
            (("GET",), "/event_types/{name}", events.get_event_type),
            (("GET",), "/event_types/{name}/secret", events.get_event_type_secret),
            (("PATCH",), "/event_types/{name}", events.update_event_type),
            (("POST",), "/event_types", events.create_event_type),
        ),
    ),
    (
        V1,
        (
            (("GET",), "/rewards", rewards.list_rewards),
            (("GET",), "/rewards/{reward_id}", rewards.get_reward),
            (("POST",), "/rewards", rewards.create_reward),
            (("PATCH",), "/rewards/{reward_id}", rewards.update_reward),
            (("DELETE",), "/rewards/{reward_id}", rewards.delete_reward),
            (("POST",), "/rewards/{reward_id}/discounts", rewards.add_discount),
            (
                ("PATCH",),
                "/rewards/{reward_id}/discounts/{discount_id}",
                rewards.change_discount,
            ),
            (
                ("DELETE",),
                "/rewards/{reward_id}/discounts/{discount_id}",
                rewards.remove_discount,
            ),
            (("GET",), "/rewards/{reward_id}/discounts", rewards.list_discounts),
            (("GET",), "/rewards/{reward_id}/discounts/{discount_id}", rewards.get_discount),
            (("GET",), "/rewards/{reward_id}/codes", rewards.list_codes),
            (("POST",), "/rewards/{reward_id}/codes", rewards.add_codes),
            (("POST",), "/commands/purchase_reward", rewards.purchase_reward),
        ),
    ),
    (
        V1,
        (
            (("GET",), "/benefits", benefits.list_benefits),
            (("GET",), "/benefits/{benefit_id}", benefits.get_benefit),
            (("GET",), "/vouchers", benefits.list_vouchers),
            (("GET",), "/vouchers/{voucher_id}", benefits.get_voucher),
            (("POST",), "/commands/redeem_benefit", benefits.redeem_benefit),
            (("POST",), "/commands/validate_voucher", benefits.validate_voucher),
        ),
    ),
    (
        V1,
        (
            (("GET",), "/settings", settings.list_settings),
            (("GET",), "/settings/{name}", settings.get_setting),
            (("POST",), "/settings", settings.create_setting),
            (("PATCH",), "/settings", settings.update_settings),
        ),
    ),
    (
        V1,
        (
            (("GET",), "/tiers", tiers.list_tiers),
            (("GET",), "/tiers/{tier_id}", tiers.get_tier),
        ),
    ),
    (
        receipts.BASE,
        (
            (("POST",), "/orders", receipts.place_order),
            (("GET",), "/orders/{order_id}", receipts.get_order),
        ),
    ),
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


def _router(prefix: str, table) -> APIRouter:
    router = APIRouter(prefix=prefix, route_class=WllRoute)
    for methods, path, handler in table:
        router.add_api_route(path, handler, methods=list(methods))
    return _with_slash_twins(router)


# every WLL router, in matching order (the contract tests measure spec coverage from them)
ROUTERS = tuple(_router(prefix, table) for prefix, table in TABLE)
router = APIRouter(tags=["White Label Loyalty"])
for _sub in ROUTERS:
    router.include_router(_sub)
