"""Gameball dialect: coupons in orders (`redemption.couponCodes` burns engine vouchers)."""

from __future__ import annotations

import pytest

from tests.support.gameball import NOW, seed_voucher, voucher_of


def _order(order_id: str, paid: float, *codes: str, customer_id: str = "c1", **fields) -> dict:
    body = {"customerId": customer_id, "orderId": order_id, "orderDate": NOW, "totalPaid": paid}
    return {**body, "redemption": {"couponCodes": list(codes)}, **fields}


def test_a_coupon_is_burned_once_and_a_retry_replays(pos):
    pos.configure(order_replay=True)
    pos.customer("c1")
    seed_voucher(pos, "SAVE5")
    first = pos.ok("POST", "/orders", _order("o1", 15, "SAVE5", totalPrice=20))
    assert first["rewardedPoints"] == 15 and voucher_of(pos, "SAVE5").redeemed == 1
    assert pos.ok("POST", "/orders", _order("o1", 15, "SAVE5", totalPrice=20)) == first
    error = pos.fail("POST", "/orders", _order("o2", 15, "SAVE5"), 3003, 422)
    assert error["message"] == "Coupon 'SAVE5' is already used"
    assert voucher_of(pos, "SAVE5").redeemed == 1 and pos.available("c1") == 15
    pos.fail("GET", "/orders/o2/transactions", None, 9002, 404)  # nothing was recorded


@pytest.mark.parametrize(
    ("owner", "code", "words"),
    [
        ("c1", "NOPE", "not found"),
        ("c2", "THEIRS", "for another customer"),
    ],
)
def test_unknown_or_foreign_coupons_fail_the_order(pos, owner, code, words):
    pos.customer("c1")
    pos.customer("c2")
    if code != "NOPE":
        seed_voucher(pos, code, owner)
    error = pos.fail("POST", "/orders", _order("o1", 10, code), 3003, 422)
    assert error["message"] == f"Coupon {code!r} is {words}"
    assert pos.available("c1") == 0


def test_an_expired_coupon_fails_and_a_shared_one_is_used_up(pos):
    pos.customer("c1")
    seed_voucher(pos, "WEEK", valid_days=7)
    seed_voucher(pos, "TWICE", member_id=None, uses=2)
    pos.advance(7 * 86400)
    error = pos.fail("POST", "/orders", _order("o1", 10, "WEEK"), 3003, 422)
    assert "coupon" in error["message"].lower() and "expired" in error["message"]
    pos.ok("POST", "/orders", _order("o2", 10, "TWICE"))
    pos.ok("POST", "/orders", _order("o3", 10, "TWICE", customer_id="c9"))
    error = pos.fail("POST", "/orders", _order("o4", 10, "TWICE"), 3003, 422)
    assert error["message"] == "Coupon 'TWICE' is already used up"


def test_a_refused_coupon_leaves_the_hold_and_the_other_coupons_alone(pos):
    pos.order("c1", "o0", 100)
    seed_voucher(pos, "GOOD")
    seed_voucher(pos, "USED")
    pos.ok("POST", "/orders", _order("o1", 1, "USED"))
    ref = pos.hold("c1", 40)["holdReference"]
    body = _order("o2", 10, "GOOD", "USED")
    body["redemption"]["pointsHoldReference"] = ref
    error = pos.fail("POST", "/orders", body, 3003, 422)
    assert error["message"] == "Coupon 'USED' is already used"
    assert pos.ok("GET", f"/transactions/hold/{ref}")["state"] == "active"
    assert voucher_of(pos, "GOOD").redeemed == 0 and pos.available("c1") == 61
    body["redemption"]["couponCodes"] = ["GOOD"]
    assert pos.ok("POST", "/orders", body)["redeemedPoints"] == 40
    assert voucher_of(pos, "GOOD").redeemed == 1


def test_a_full_refund_gives_the_coupon_back(pos):
    pos.customer("c1")
    seed_voucher(pos, "BACK")
    pos.ok("POST", "/orders", _order("o1", 10, "BACK"))
    pos.refund("o1", "r1", refundAmount=4)
    pos.fail("POST", "/orders", _order("o2", 10, "BACK"), 3003, 422)
    pos.refund("o1", "r2")
    assert pos.ok("POST", "/orders", _order("o2", 10, "BACK"))["rewardedPoints"] == 10


def test_a_code_twice_in_one_order_is_3003(pos):
    seed_voucher(pos, "DUP", member_id=None)
    pos.fail("POST", "/orders", _order("o1", 10, "DUP", "DUP"), 3003, 422)
