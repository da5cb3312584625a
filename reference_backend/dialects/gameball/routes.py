"""The Gameball route table: which method and path goes to which handler.

The same routes are mounted under /api/v4.0, /api/v4.1 (SecretKey always required) and
/api/v4 (the prefix older Gameball pages print).
"""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    coupons,
    customers,
    direct,
    history,
    holds,
    manual,
    orders,
    program,
    qr,
    refunds,
    tiers,
    transactions,
)
from .errors import GameballRoute

PREFIXES = ("/api/v4.0/integrations", "/api/v4.1/integrations", "/api/v4/integrations")

# (methods, path under a prefix, handler), in matching order
TABLE = (
    # customers
    (("POST",), "/customers", customers.upsert_customer),
    (("GET",), "/customers/{customerId}", customers.get_customer),
    (("GET",), "/customers/{customerId}/details", customers.get_customer_details),
    (("GET",), "/customers/{customerId}/balance", customers.get_balance),
    (("GET",), "/customers/{customerId}/hash", qr.get_hash),
    (("PUT",), "/customers/{customerId}/activate", customers.activate_customer),
    (("GET",), "/customers/{customerId}/activities", history.get_activities),
    (("GET",), "/customers/{customerId}/referrals", history.get_referrals),
    # holds, refunds, direct transactions
    (("POST",), "/transactions/hold", holds.create_hold),
    (("GET",), "/transactions/hold/{holdReferenceId}", holds.get_hold),
    (("DELETE",), "/transactions/hold/{holdReferenceId}", holds.release_hold),
    (("POST",), "/transactions/refund", refunds.refund),
    (("POST",), "/transactions/redeem", direct.redeem),
    (("POST",), "/transactions/cashback", direct.cashback),
    # orders
    (("POST",), "/orders", orders.track_order),
    (("GET",), "/orders/{orderId}/transactions", history.order_transactions),
    (("POST",), "/orders/cashback", program.order_cashback),
    (("POST",), "/orders/reward-preview", program.order_reward_preview),
    # events, referrals, configurations
    (("POST",), "/events", program.send_events),
    (("GET",), "/referrals/validate", program.validate_referral),
    (("GET",), "/configurations/redemption", program.redemption_config),
    (("GET",), "/configurations/rewards/redemption", program.redemption_settings),
    (("GET",), "/configurations/cashback", program.cashback_config),
    (("GET",), "/configurations/rewards/cashback", program.cashback_settings),
    # coupons
    (("POST",), "/coupons/validate", coupons.validate_coupons),
    (("POST",), "/coupons/burn", coupons.burn_coupons),
    (("POST",), "/coupons/{code}/validate", coupons.validate_coupon),
    (("DELETE",), "/coupons/{lockReference}", coupons.release_coupons),
    (("GET",), "/customers/{customerId}/coupons", coupons.customer_coupons),
    # manual transactions, activation
    (("POST",), "/transactions/manual", manual.manual_transaction),
    (("PUT",), "/transactions/{transactionId}/activate", manual.activate_transaction),
    # customer deletion, tags and counts
    # the alias Gameball's SFCC cartridge calls
    (("POST",), "/customers/{customerId}/delete", customers.delete_customer),
    (("DELETE",), "/customers/{customerId}", customers.delete_customer),
    (("DELETE",), "/customers/{customerId}/tags", customers.change_tags),
    (("POST",), "/customers/{customerId}/tags", customers.change_tags),
    (("DELETE",), "/customers/{customerId}/tags/{tag}", customers.remove_tag),
    (("GET",), "/customers/{customerId}/activities/count", history.count_activities),
    (("GET",), "/customers/{customerId}/referrals/count", history.count_referrals),
    # transactions listing, tiers, referral configuration, event preview
    (("GET",), "/transactions", transactions.list_transactions),
    (("GET",), "/transactions/customer-view", transactions.list_transactions_with_customers),
    (("GET",), "/transactions/count", transactions.count_transactions),
    (("GET",), "/configurations/tiers", tiers.tier_configuration),
    (("GET",), "/customers/{customerId}/tier-progress", tiers.tier_progress),
    (("GET",), "/configurations/referrals", tiers.referral_configuration),
    (("POST",), "/events/reward-preview", tiers.event_reward_preview),
)

routes = APIRouter(route_class=GameballRoute)
for _methods, _path, _handler in TABLE:
    routes.add_api_route(_path, _handler, methods=list(_methods))


def build_router() -> APIRouter:
    router = APIRouter(tags=["gameball"])
    for prefix in PREFIXES:
        router.include_router(routes, prefix=prefix)
    return router
