"""Gameball's coupon API over the engine's vouchers: validate, lock (couponsLockReference
in an order, or a burn), burn, release, and a customer's coupons."""

from __future__ import annotations

from tests.support.gameball import NOW, seed_voucher, voucher_of


def _validate(pos, *codes: str, customer_id: str = "c1", **fields) -> dict:
    body = {"customerId": customer_id, "coupons": list(codes), **fields}
    return pos.ok("POST", "/coupons/validate", body)


def _lock(pos, *codes: str, **fields) -> str:
    answer = _validate(pos, *codes, lock=True, **fields)
    assert answer["valid"] is True, answer
    return answer["lockReference"]


def _order(order_id: str, paid: float, **redemption) -> dict:
    body = {"customerId": "c1", "orderId": order_id, "orderDate": NOW, "totalPaid": paid}
    return {**body, "redemption": redemption}


def test_validate_describes_coupons_and_says_whether_all_are_usable(pos):
    pos.customer("c1")
    pos.customer("c2")
    seed_voucher(pos, "SAVE5")
    seed_voucher(pos, "PCT10", discount_kind="percent", discount_value=10, valid_days=7)
    seed_voucher(pos, "THEIRS", "c2")
    answer = _validate(pos, "SAVE5", "PCT10")
    assert answer["valid"] is True and "lockReference" not in answer
    assert answer["coupons"][0] == {
        "code": "SAVE5",
        "type": "fixed",
        "value": 5.0,
        "usageLimit": 1,
        "limitPerCustomer": 1,
    }
    assert answer["coupons"][1]["type"] == "percentage" and answer["coupons"][1]["value"] == 10
    assert "expiryDate" in answer["coupons"][1]
    assert _validate(pos, "SAVE5", "NOPE")["valid"] is False
    assert _validate(pos, "THEIRS")["valid"] is False
    single = pos.ok("POST", "/coupons/SAVE5/validate", {"customerId": "c1"})
    assert single["valid"] is True and single["coupon"]["code"] == "SAVE5"
    assert voucher_of(pos, "SAVE5").redeemed == 0  # validation never burns


def test_a_lock_keeps_others_off_and_an_order_burns_the_locked_coupons(pos):
    pos.customer("c1")
    seed_voucher(pos, "SHARED", member_id=None, uses=1)
    ref = _lock(pos, "SHARED")
    pos.customer("c2")
    assert _validate(pos, "SHARED", customer_id="c2")["valid"] is False  # locked for c1
    order = pos.ok("POST", "/orders", _order("o1", 20, couponsLockReference=ref))
    assert order["rewardedPoints"] == 20 and voucher_of(pos, "SHARED").redeemed == 1
    pos.fail("POST", "/orders", _order("o2", 20, couponsLockReference=ref), 9006, 404)


def test_release_gives_the_coupons_back(pos):
    pos.customer("c1")
    seed_voucher(pos, "SAVE5")
    ref = _lock(pos, "SAVE5")
    released = pos.ok("DELETE", f"/coupons/{ref}")
    assert released["success"] is True and released["releasedCoupons"] == ["SAVE5"]
    assert _validate(pos, "SAVE5")["valid"] is True
    pos.fail("DELETE", f"/coupons/{ref}", None, 9006, 404)
    pos.fail("POST", "/orders", _order("o1", 20, couponsLockReference=ref), 9006, 404)
    assert voucher_of(pos, "SAVE5").redeemed == 0


def test_a_lock_expires_after_its_duration(pos):
    pos.customer("c1")
    seed_voucher(pos, "SAVE5")
    ref = _lock(pos, "SAVE5", lockDuration=1)
    pos.advance(61)
    pos.fail("POST", "/orders", _order("o1", 20, couponsLockReference=ref), 9006, 404)
    assert _validate(pos, "SAVE5")["valid"] is True


def test_a_lock_session_can_change_its_coupons(pos):
    pos.customer("c1")
    seed_voucher(pos, "A")
    seed_voucher(pos, "B")
    ref = _lock(pos, "A")
    assert _lock(pos, "B", lockReference=ref) == ref  # A is dropped, B added
    assert _validate(pos, "A")["valid"] is True
    pos.ok("POST", "/coupons/burn", {"customerId": "c1", "lockReference": ref})
    assert (voucher_of(pos, "A").redeemed, voucher_of(pos, "B").redeemed) == (0, 1)


def test_burn_uses_listed_coupons_all_or_none(pos):
    pos.customer("c1")
    seed_voucher(pos, "A")
    seed_voucher(pos, "B")
    burn = {"customerId": "c1", "transactionId": "t1", "transactionTime": NOW, "coupons": ["A"]}
    answer = pos.ok("POST", "/coupons/burn", burn)
    assert answer["success"] is True and answer["burnedAt"]
    error = pos.fail(
        "POST", "/coupons/burn", {**burn, "transactionId": "t2", "coupons": ["B", "A"]}, 3003, 422
    )
    assert error["message"] == "Coupon 'A' is already used"
    assert voucher_of(pos, "B").redeemed == 0  # nothing burned
    pos.fail("POST", "/coupons/burn", {**burn, "coupons": ["B"]}, 9004, 422)  # t1 is taken
    pos.fail("POST", "/coupons/burn", {"customerId": "c1"}, 3000, 400)


def test_customer_coupons_list_what_was_issued_and_what_is_left(pos):
    pos.customer("c1")
    seed_voucher(pos, "SAVE5")
    seed_voucher(pos, "WEEK", valid_days=7)
    pos.ok("POST", "/coupons/burn", {"customerId": "c1", "coupons": ["SAVE5"]})
    listed = {c["code"]: c for c in pos.ok("GET", "/customers/c1/coupons")["coupons"]}
    assert set(listed) == {"SAVE5", "WEEK"}
    assert listed["SAVE5"]["usedCount"] == 1 and listed["SAVE5"]["isAvailableToUse"] is False
    assert listed["WEEK"]["isAvailableToUse"] is True and listed["WEEK"]["target"] == "POS"
    assert listed["WEEK"]["type"] == "Fixed Rate Discount" and listed["WEEK"]["isExpired"] is False
    pos.fail("GET", "/customers/ghost/coupons", None, 7000, 404)


def test_changing_a_lock_session_locks_all_its_coupons_afresh(pos):
    pos.customer("c1")
    seed_voucher(pos, "A")
    seed_voucher(pos, "B")
    ref = _lock(pos, "A", lockDuration=1)
    pos.advance(50)
    _lock(pos, "A", "B", lockReference=ref, lockDuration=1)
    pos.advance(30)  # past A's first minute, within the new one
    pos.ok("POST", "/orders", _order("o1", 20, couponsLockReference=ref))
    assert (voucher_of(pos, "A").redeemed, voucher_of(pos, "B").redeemed) == (1, 1)
