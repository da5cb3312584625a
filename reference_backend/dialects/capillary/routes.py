"""The Capillary route table: which method and path goes to which handler. Every POS
endpoint sits under /v1.1; the two v2 calls that undo a redemption under /v2."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    coupons,
    customers,
    points,
    redemptions,
    retro,
    reversals,
    stores,
    transactions,
)

PREFIX = "/v1.1"
PREFIX_V2 = reversals.PREFIX

# (methods, path under the prefix, handler), in matching order
V11_ROUTES = (
    (("GET",), "/customer/get", customers.customer_get),
    (("POST",), "/customer/add", customers.customer_add),
    (("POST", "PUT"), "/customer/update", customers.customer_update),
    (("GET",), "/customer/transactions", customers.customer_transactions),
    (("GET",), "/customer/coupons", customers.customer_coupons),
    (("POST",), "/transaction/add", transactions.transaction_add),
    (("POST", "PUT"), "/transaction/update", retro.transaction_update),
    (("GET",), "/points/isredeemable", points.points_isredeemable),
    (("GET",), "/points/validationcode", points.points_validationcode),
    (("POST",), "/points/redeem", points.points_redeem),
    (("GET",), "/coupon/isredeemable", coupons.coupon_isredeemable),
    (("POST",), "/coupon/redeem", coupons.coupon_redeem),
    (("GET",), "/customer/redemptions", redemptions.customer_redemptions),
    (("GET",), "/transaction/get", transactions.transaction_get),
    (("GET",), "/coupon/get", coupons.coupon_get),
    (("GET",), "/coupon/series", coupons.coupon_series),
    (("GET",), "/customer/search", customers.customer_search),
    (("GET",), "/store/get", stores.store_get),
)
V2_ROUTES = (
    (("POST",), "/points/reverse", reversals.points_reverse),
    (("POST",), "/coupon/reactivate", reversals.coupon_reactivate),
)


def _router(prefix: str, tag: str, table) -> APIRouter:
    router = APIRouter(prefix=prefix, tags=[tag])
    for methods, path, handler in table:
        router.add_api_route(path, handler, methods=list(methods))
    return router


router = APIRouter()
router.include_router(_router(PREFIX, "capillary v1.1", V11_ROUTES))
router.include_router(_router(PREFIX_V2, "capillary v2", V2_ROUTES))
