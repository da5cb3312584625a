"""Gameball dialect: holds, the QR flow, orders, refunds and order transactions."""

from __future__ import annotations

from tests.support.gameball import NOW


def _hold_body(customer_id: str = "c1", **fields) -> dict:
    return {"customerId": customer_id, "transactionTime": NOW, **fields}


# -- holds ----------------------------------------------------------------------------
def test_hold_reserves_points_and_release_gives_them_back(pos):
    pos.order("c1", "o1", 100)
    hold = pos.hold("c1", 40)
    assert hold["holdEquivalentPoints"] == 40 and hold["holdAmount"] == 4.0
    assert pos.available("c1") == 60 and pos.balance("c1")["totalPointsBalance"] == 100
    ref = hold["holdReference"]
    seen = pos.ok("GET", f"/transactions/hold/{ref}")
    assert seen["state"] == "active" and seen["customerId"] == "c1"
    assert seen["dateToExpire"].startswith("2026-01-01T00:10:00")
    released = pos.ok("DELETE", f"/transactions/hold/{ref}")
    assert released == {"success": True, "message": "Hold released successfully"}
    assert pos.available("c1") == 100
    assert pos.ok("DELETE", f"/transactions/hold/{ref}")["success"] is True  # idempotent
    assert pos.ok("GET", f"/transactions/hold/{ref}")["state"] == "released"


def test_hold_expires_after_ten_minutes_and_cannot_be_redeemed(pos):
    pos.order("c1", "o1", 100)
    ref = pos.hold("c1", 30)["holdReference"]
    pos.advance(599)
    assert pos.available("c1") == 70
    pos.advance(1)
    assert pos.available("c1") == 100
    assert pos.ok("GET", f"/transactions/hold/{ref}")["state"] == "expired"
    order = {"customerId": "c1", "orderId": "o2", "orderDate": NOW, "totalPaid": 7}
    order["redemption"] = {"pointsHoldReference": ref}
    error = pos.fail("POST", "/orders", order, 9006, 404)
    assert "expired" in error["message"]


def test_hold_duration_follows_the_program_setting(pos_with):
    pos = pos_with(hold_ttl_default_s=15 * 86400)
    pos.order("c1", "o1", 100)
    ref = pos.hold("c1", 30)["holdReference"]
    pos.advance(15 * 86400 - 1)
    assert pos.ok("GET", f"/transactions/hold/{ref}")["state"] == "active"
    pos.advance(1)
    assert pos.ok("GET", f"/transactions/hold/{ref}")["state"] == "expired"


def test_hold_duration_never_drops_below_one_minute(pos_with):
    pos = pos_with(hold_ttl_min_s=1, hold_ttl_default_s=5)
    pos.order("c1", "o1", 100)
    ref = pos.hold("c1", 30)["holdReference"]
    assert pos.ok("GET", f"/transactions/hold/{ref}")["dateToExpire"].startswith(
        "2026-01-01T00:01:00"
    )


def test_hold_by_amount_and_by_rule(pos):
    pos.order("c1", "o1", 100)
    by_amount = pos.ok("POST", "/transactions/hold", _hold_body(amountToHold=2.55))
    assert by_amount["holdEquivalentPoints"] == 26 and by_amount["holdAmount"] == 2.55
    by_rule = pos.ok("POST", "/transactions/hold", _hold_body(ruleId=1))
    assert by_rule["holdEquivalentPoints"] == 10
    pos.fail("POST", "/transactions/hold", _hold_body(ruleId="999"), 3003, 422)
    assert pos.available("c1") == 64


def test_hold_input_and_balance_errors(pos):
    pos.order("c1", "o1", 50, cashbackConfigurations={"returnWindow": 3})
    pos.order("c1", "o2", 20)
    pos.fail("POST", "/transactions/hold", _hold_body(pointsToHold=21), 9008, 422)  # 50 pending
    pos.fail("POST", "/transactions/hold", _hold_body("ghost", pointsToHold=1), 7000, 404)
    pos.fail("POST", "/transactions/hold", _hold_body(), 3000, 400)
    both = _hold_body(pointsToHold=1, amountToHold=1)
    pos.fail("POST", "/transactions/hold", both, 3003, 422)
    pos.fail("POST", "/transactions/hold", _hold_body(pointsToHold=-5), 3003, 422)
    pos.fail("POST", "/transactions/hold", _hold_body(pointsToHold="lots"), 3003, 422)
    no_time = {"customerId": "c1", "pointsToHold": 1}
    pos.fail("POST", "/transactions/hold", no_time, 3000, 400)
    bad_time = _hold_body(pointsToHold=1, transactionTime="yesterday")
    pos.fail("POST", "/transactions/hold", bad_time, 3003, 422)
    pos.fail("POST", "/transactions/hold", _hold_body(customerId=None), 3001, 422)
    pos.fail("GET", "/transactions/hold/nope", None, 9006, 404)
    pos.fail("DELETE", "/transactions/hold/nope", None, 9006, 404)
    assert pos.available("c1") == 20


# -- QR -------------------------------------------------------------------------------
def test_qr_scan_is_customer_id_plus_single_use_hash(pos):
    pos.order("mobile_966500001234", "o1", 100)
    code = pos.ok("GET", "/customers/mobile_966500001234/hash")["hash"]
    assert len(code) == 6 and code.isdigit()
    scanned = "mobile_966500001234" + code
    hold = pos.ok("POST", "/transactions/hold", _hold_body(scanned, pointsToHold=10))
    assert hold["customerId"] == "mobile_966500001234"
    error = pos.fail("POST", "/transactions/hold", _hold_body(scanned, pointsToHold=10), 3005, 422)
    assert "refresh" in error["message"]
    fresh = pos.ok("GET", "/customers/mobile_966500001234/hash")["hash"]
    body = _hold_body("mobile_966500001234", pointsToHold=10, hash=fresh)
    assert pos.ok("POST", "/transactions/hold", body)["holdEquivalentPoints"] == 10
    wrong = _hold_body("mobile_966500001234", pointsToHold=10, hash="000000")
    pos.fail("POST", "/transactions/hold", wrong, 3005, 422)
    assert pos.available("mobile_966500001234") == 80


def test_qr_hash_expires_and_survives_a_failed_hold(pos):
    pos.order("c1", "o1", 10)
    code = pos.ok("GET", "/customers/c1/hash")["hash"]
    too_much = _hold_body("c1" + code, pointsToHold=11)
    pos.fail("POST", "/transactions/hold", too_much, 9008, 422)
    pos.ok("POST", "/transactions/hold", _hold_body("c1" + code, pointsToHold=5))
    late = pos.ok("GET", "/customers/c1/hash")["hash"]
    pos.advance(300)
    pos.fail("POST", "/transactions/hold", _hold_body("c1", pointsToHold=1, hash=late), 3005, 422)
    pos.fail("GET", "/customers/ghost/hash", None, 7000, 404)


# -- orders ---------------------------------------------------------------------------
def test_order_earns_on_total_paid_and_returns_both_field_sets(pos):
    lines = [
        {"productId": "P1", "sku": "S1", "quantity": 2, "price": 100, "category": ["phones"]},
        {"productId": "P2", "quantity": 1, "price": 50, "discount": 10},
    ]
    merchant = {"uniqueId": "M1", "name": "Shop", "branch": {"uniqueId": "B1", "name": "Mall"}}
    result = pos.order(
        "c1", "o1", 225.5, totalPrice=250, lineItems=lines, merchant=merchant, channel="pos"
    )
    assert result["rewardedPoints"] == result["pointsEarned"] == 225
    assert result["redeemedPoints"] == result["pointsRedeemed"] == 0
    assert result["status"] == "completed" and result["orderId"] == "o1"
    assert [x["productId"] for x in result["lineItems"]] == ["P1", "P2"]
    # 225.50 shared by net line values 200 and 40
    assert [x["points"] for x in result["lineItems"]] == [187, 37]
    assert result["lineItems"][0]["decimalPoints"] == 187.92
    assert pos.available("c1") == 225


def test_order_with_hold_burns_the_hold_and_earns_on_the_rest(pos):
    pos.order("c1", "o1", 200)
    ref = pos.hold("c1", 100)["holdReference"]
    result = pos.order("c1", "o2", 90, totalPrice=100, redemption={"pointsHoldReference": ref})
    assert result["pointsRedeemed"] == 100 and result["rewardedPoints"] == 90
    assert pos.available("c1") == 190
    assert pos.ok("GET", f"/transactions/hold/{ref}")["state"] == "used"
    pos.fail("DELETE", f"/transactions/hold/{ref}", None, 9006, 404)
    again = {"customerId": "c1", "orderId": "o3", "orderDate": NOW, "totalPaid": 1}
    again["redemption"] = {"pointsHoldReference": ref}
    pos.fail("POST", "/orders", again, 9006, 404)


def test_another_customers_hold_is_9006(pos):
    pos.order("c1", "o1", 100)
    ref = pos.hold("c1", 10)["holdReference"]
    body = {"customerId": "c2", "orderId": "o2", "orderDate": NOW, "totalPaid": 5}
    body["redemption"] = {"pointsHoldReference": ref}
    pos.fail("POST", "/orders", body, 9006, 404)


def test_a_re_sent_order_id_is_9004_and_the_get_tells_what_the_first_did(pos):
    first = pos.order("c1", "o1", 80)
    pos.fail("POST", "/orders", _order_body("o1", 80), 9004, 422)
    assert pos.available("c1") == 80  # awarded once
    rows = pos.ok("GET", "/orders/o1/transactions")["transactions"]
    reward = next(r for r in rows if r["transactionType"] == "PaymentReward")
    assert (reward["amount"], reward["equivalentPoints"]) == (80, first["rewardedPoints"])
    assert pos.order("c1", "O1", 5)["rewardedPoints"] == 5  # ids are case-sensitive


def test_order_replay_is_a_tenant_setting(pos):
    pos.configure(order_replay=True)
    first = pos.order("c1", "o1", 80)
    assert pos.order("c1", "o1", 80) == first
    assert pos.available("c1") == 80
    pos.fail("POST", "/orders", _order_body("o1", 81), 9004, 422)  # other content
    pos.configure(order_replay=False)
    pos.fail("POST", "/orders", _order_body("o1", 80), 9004, 422)


def test_gameball_settings_are_checked(pos):
    path = f"/_posim/tenants/{pos.tenant_id}/dialects/gameball"
    response = pos.client.put(path, json={"order_replay": "sometimes", "bogus": 1})
    assert response.status_code == 400
    assert "order_replay" in response.text and "bogus" in response.text


def _order_body(order_id: str, paid: float) -> dict:
    return {"customerId": "c1", "orderId": order_id, "orderDate": NOW, "totalPaid": paid}


def test_order_validation_errors(pos):
    base = {"customerId": "c1", "orderId": "o1", "orderDate": NOW, "totalPaid": 10}
    pos.fail("POST", "/orders", {k: v for k, v in base.items() if k != "customerId"}, 2000, 412)
    pos.fail("POST", "/orders", {k: v for k, v in base.items() if k != "totalPaid"}, 3000, 400)
    pos.fail("POST", "/orders", {**base, "totalPaid": None}, 3001, 422)
    pos.fail("POST", "/orders", {**base, "totalPaid": "ten"}, 3003, 422)
    pos.fail("POST", "/orders", {**base, "totalPaid": -1}, 3003, 422)
    window = {"cashbackConfigurations": {"returnWindow": 7301}}
    pos.fail("POST", "/orders", {**base, **window}, 3003, 422)
    pos.fail("POST", "/orders", {**base, "lineItems": "many"}, 3003, 422)
    pos.fail("POST", "/orders", {**base, "orderDate": "soon"}, 3003, 422)
    assert pos.ok("POST", "/orders", {**base, "totalPaid": "10.00"})["rewardedPoints"] == 10


# -- refunds --------------------------------------------------------------------------
def test_full_refund_revokes_everything_and_a_second_is_9001(pos):
    pos.order("c1", "o1", 100)
    result = pos.refund("o1", "r1")
    assert result["refundAmount"] == 100.0 and result["refundEquivalentPoints"] == 100
    assert result["refundTransactionId"] == "r1" and result["gameballTransactionId"].isdigit()
    assert pos.available("c1") == 0
    body = {"customerId": "c1", "refundTransactionId": "r2", "reverseTransactionId": "o1"}
    pos.fail("POST", "/transactions/refund", {**body, "transactionTime": NOW}, 9001, 422)


def test_repeated_partial_refunds_are_capped_at_what_is_left(pos):
    pos.order("c1", "o1", 100)
    assert pos.refund("o1", "r1", refundAmount=20)["refundEquivalentPoints"] == 20
    assert pos.refund("o1", "r2", refundAmount=20)["refundEquivalentPoints"] == 20
    last = pos.refund("o1", "r3", refundAmount=100)
    assert last["refundAmount"] == 60.0 and last["refundEquivalentPoints"] == 60
    assert pos.available("c1") == 0


def test_refund_of_a_redeemed_order_restores_points_proportionally_if_set(pos_with):
    pos = pos_with(refund_allocation="proportional")
    pos.order("c1", "o1", 200)
    ref = pos.hold("c1", 100)["holdReference"]
    pos.order("c1", "o2", 90, redemption={"pointsHoldReference": ref})
    assert pos.available("c1") == 190
    half = pos.refund("o2", "r1", refundAmount=45)
    assert half["refundEquivalentPoints"] == 45 + 50  # 45 earned revoked, 50 redeemed back
    assert pos.available("c1") == 195
    pos.refund("o2", "r2")
    assert pos.available("c1") == 200  # as if o2 never happened


def test_refund_by_lines(pos):
    lines = [{"sku": "A", "quantity": 2, "price": 30}, {"sku": "B", "quantity": 1, "price": 40}]
    pos.order("c1", "o1", 100, lineItems=lines)
    one = pos.refund("o1", "r1", lineItems=[{"sku": "A", "quantity": 1}])
    assert one["refundAmount"] == 30.0 and pos.available("c1") == 70
    body = {
        "customerId": "c1",
        "refundTransactionId": "r2",
        "reverseTransactionId": "o1",
        "transactionTime": NOW,
        "lineItems": [{"sku": "A", "quantity": 2}],
    }
    pos.fail("POST", "/transactions/refund", body, 3003, 422)  # only one A left
    body["lineItems"] = [{"productId": "nope", "quantity": 1}]
    pos.fail("POST", "/transactions/refund", body, 3003, 422)
    pos.refund("o1", "r3", lineItems=[{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1}])
    assert pos.available("c1") == 0


def test_refund_replay_conflict_and_unknown_targets(pos):
    pos.order("c1", "o1", 100)
    first = pos.refund("o1", "r1", refundAmount=10)
    assert pos.refund("o1", "r1", refundAmount=10) == first
    assert pos.available("c1") == 90
    body = {
        "customerId": "c1",
        "refundTransactionId": "r1",
        "reverseTransactionId": "o1",
        "transactionTime": NOW,
        "refundAmount": 11,
    }
    pos.fail("POST", "/transactions/refund", body, 9004, 422)
    unknown = {**body, "refundTransactionId": "r9", "reverseTransactionId": "nope"}
    pos.fail("POST", "/transactions/refund", unknown, 9005, 404)
    someone_else = {**body, "refundTransactionId": "r9", "customerId": "c2"}
    pos.fail("POST", "/transactions/refund", someone_else, 9005, 404)
    no_customer = {k: v for k, v in body.items() if k != "customerId"}
    pos.fail("POST", "/transactions/refund", no_customer, 2000, 412)


def test_order_transactions_list_every_movement(pos):
    pos.order("c1", "o1", 200)
    ref = pos.hold("c1", 100)["holdReference"]
    pos.order("c1", "o2", 90, redemption={"pointsHoldReference": ref})
    first = pos.refund("o2", "r1", refundAmount=45)
    pos.refund("o2", "r2")
    listed = pos.ok("GET", "/orders/o2/transactions")
    assert str(listed["transactions"][2]["gameballTransactionId"]) == first["gameballTransactionId"]
    kinds = [(t["transactionType"], t["equivalentPoints"]) for t in listed["transactions"]]
    # the money paid comes back first (earned points), then the points' value (redeemed)
    assert kinds == [
        ("Redemption", 100),
        ("PaymentReward", 90),
        ("PartialRefund", 45),
        ("Cancel", 45),
        ("Refund", 100),
    ]
    assert listed["count"] == 5
    pos.fail("GET", "/orders/ghost/transactions", None, 9002, 404)
