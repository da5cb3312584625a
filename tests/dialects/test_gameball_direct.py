"""Gameball dialect: direct redeem/cashback, events, quotes, configurations, activities."""

from __future__ import annotations

import pytest

from tests.support.gameball import NOW


def _redeem(transaction_id: str, customer_id: str = "c1", **fields) -> dict:
    body = {"customerId": customer_id, "transactionId": transaction_id, "transactionTime": NOW}
    return {**body, **fields}


def _cashback(transaction_id: str, amount: float, **fields) -> dict:
    body = {"customerId": "c1", "transactionId": transaction_id, "transactionTime": NOW}
    return {**body, "amount": amount, **fields}


# -- direct redeem --------------------------------------------------------------------
def test_redeem_by_points_amount_and_hold(pos):
    pos.order("c1", "o1", 300)
    by_points = pos.ok("POST", "/transactions/redeem", _redeem("t1", points=50, reason="gift"))
    assert by_points["redeemEquivalentPoints"] == 50 and by_points["redeemAmount"] == 5.0
    assert by_points["reason"] == "gift" and by_points["transactionId"] == "t1"
    by_amount = pos.ok("POST", "/transactions/redeem", _redeem("t2", amount=10))
    assert by_amount["redeemEquivalentPoints"] == 100
    ref = pos.hold("c1", 30)["holdReference"]
    by_hold = pos.ok("POST", "/transactions/redeem", _redeem("t3", holdReference=ref))
    assert by_hold["redeemEquivalentPoints"] == 30 and by_hold["redeemAmount"] == 3.0
    assert pos.ok("GET", f"/transactions/hold/{ref}")["state"] == "used"
    assert pos.available("c1") == 120
    pos.fail("POST", "/transactions/redeem", _redeem("t4", holdReference=ref), 9006, 404)


def test_redeem_errors_replays_and_qr(pos):
    pos.order("c1", "o1", 100)
    first = pos.ok("POST", "/transactions/redeem", _redeem("t1", points=10))
    assert pos.ok("POST", "/transactions/redeem", _redeem("t1", points=10)) == first
    pos.fail("POST", "/transactions/redeem", _redeem("t1", points=11), 9004, 422)
    pos.fail("POST", "/transactions/redeem", _redeem("o1", points=1), 9004, 422)
    pos.fail("POST", "/transactions/redeem", _redeem("t2", points=91), 9008, 422)
    pos.fail("POST", "/transactions/redeem", _redeem("t2", "ghost", points=1), 7000, 404)
    pos.fail("POST", "/transactions/redeem", _redeem("t2"), 3000, 400)
    pos.fail("POST", "/transactions/redeem", _redeem("t2", points=1, amount=1), 3003, 422)
    pos.fail("POST", "/transactions/redeem", _redeem("t2", points=1, hash="123456"), 3005, 422)
    code = pos.ok("GET", "/customers/c1/hash")["hash"]
    pos.ok("POST", "/transactions/redeem", _redeem("t2", "c1" + code, points=5))
    assert pos.available("c1") == 85


def test_refund_of_a_direct_redeem_gives_points_back_by_money(pos):
    pos.order("c1", "o1", 100)
    pos.ok("POST", "/transactions/redeem", _redeem("t1", points=50))  # worth 5.00
    part = pos.refund("t1", "r1", refundAmount=1.5)
    assert part["refundEquivalentPoints"] == 15 and pos.available("c1") == 65
    rest = pos.refund("t1", "r2")
    assert rest["refundAmount"] == 3.5 and rest["refundEquivalentPoints"] == 35
    assert pos.available("c1") == 100
    body = {"customerId": "c1", "refundTransactionId": "r3", "reverseTransactionId": "t1"}
    pos.fail("POST", "/transactions/refund", {**body, "transactionTime": NOW}, 9001, 422)
    listed = pos.ok("GET", "/orders/t1/transactions")["transactions"]
    assert [t["transactionType"] for t in listed] == ["Redemption", "PartialRefund", "Refund"]


def test_redeem_from_a_hold_captures_it_and_a_refund_restores_the_same_lots(pos_with):
    pos = pos_with(lot_expiry_days=30)
    pos.order("c1", "o1", 100)
    expiry = pos.balance("c1")["nextExpiringPointsDate"]
    ref = pos.hold("c1", 40)["holdReference"]
    pos.advance(60)
    first = pos.ok("POST", "/transactions/redeem", _redeem("t1", holdReference=ref))
    assert first["redeemEquivalentPoints"] == 40 and first["redeemAmount"] == 4.0
    again = pos.ok("POST", "/transactions/redeem", _redeem("t1", holdReference=ref))
    assert again == first and pos.available("c1") == 60
    kinds = [a.kind for a in pos.tenant.engine.activities("c1")]
    assert "capture" in kinds and "release" not in kinds  # one capture, no release + spend
    spent = pos.ok("GET", "/customers/c1/activities", params={"activityType": "Redemption"})
    assert [(a["transactionId"], a["points"]) for a in spent["activities"]] == [("t1", -40)]
    pos.fail("DELETE", f"/transactions/hold/{ref}", None, 9006, 404)  # used, not releasable
    assert pos.refund("t1", "r1", refundAmount=1)["refundEquivalentPoints"] == 10
    assert pos.refund("t1", "r2")["refundEquivalentPoints"] == 30
    balance = pos.balance("c1")
    assert balance["availablePointsBalance"] == 100
    assert balance["nextExpiringPointsDate"] == expiry  # the points came back to their lot


@pytest.mark.parametrize("problem", ["expired", "released", "another customer"])
def test_redeem_from_an_unusable_hold_is_9006(pos, problem):
    pos.order("c1", "o1", 100)
    pos.order("c2", "o2", 100)
    ref = pos.hold("c2" if problem == "another customer" else "c1", 30)["holdReference"]
    if problem == "expired":
        pos.advance(600)
    elif problem == "released":
        pos.ok("DELETE", f"/transactions/hold/{ref}")
    error = pos.fail("POST", "/transactions/redeem", _redeem("t1", holdReference=ref), 9006, 404)
    assert problem.split()[-1] in error["message"]
    held = 30 if problem == "another customer" else 0  # c2's hold stays active
    assert pos.available("c1") == 100 and pos.available("c2") == 100 - held
    pos.fail("POST", "/transactions/redeem", _redeem("t2", holdReference="nope"), 9006, 404)


def test_a_snapshot_carries_the_redeem_bookkeeping(pos):
    pos.order("c1", "o1", 100)
    pos.ok("POST", "/transactions/redeem", _redeem("t1", points=50))  # worth 5.00
    base = f"/_posim/tenants/{pos.tenant_id}"
    snapshot = pos.client.get(f"{base}/snapshot").json()
    first = pos.refund("t1", "r1", refundAmount=1.5)
    assert pos.client.post(f"{base}/restore", json=snapshot).status_code == 200
    assert pos.available("c1") == 50
    assert pos.refund("t1", "r1", refundAmount=1.5) == first
    assert pos.refund("t1", "r2")["refundEquivalentPoints"] == 35
    assert pos.available("c1") == 100


# -- direct cashback ------------------------------------------------------------------
def test_cashback_earns_pending_points_and_refund_reverses(pos):
    window = {"configurations": {"returnWindow": 2}}
    result = pos.ok("POST", "/transactions/cashback", _cashback("cb1", 70, **window))
    assert result["rewardEquivalentPoints"] == 70 and result["rewardAmount"] == 7.0
    assert isinstance(result["gameballTransactionId"], int)
    assert pos.balance("c1")["pendingPoints"] == 70
    assert pos.ok("POST", "/transactions/cashback", _cashback("cb1", 70, **window)) == result
    pos.fail("POST", "/transactions/cashback", _cashback("cb1", 71), 9004, 422)
    pos.order("c1", "o1", 5)
    pos.fail("POST", "/transactions/cashback", _cashback("o1", 5), 9004, 422)
    pos.fail(
        "POST",
        "/orders",
        {"customerId": "c1", "orderId": "cb1", "orderDate": NOW, "totalPaid": 70},
        9004,
        422,
    )
    assert pos.refund("cb1", "r1")["refundEquivalentPoints"] == 70
    assert pos.balance("c1")["totalPointsBalance"] == 5
    pos.fail("POST", "/transactions/cashback", {"customerId": "c1"}, 3000, 400)


# -- events ---------------------------------------------------------------------------
STORE_VISIT = {"store_visit": {"action": "earn", "amount_field": "spent", "points_per_unit": 2}}


def test_events_accept_both_body_forms_and_reward_configured_ones(pos_with):
    pos = pos_with(event_rules=STORE_VISIT)
    oas = {"customerId": "c1", "events": {"store_visit": {"spent": 5}, "review": {"stars": 5}}}
    assert pos.ok("POST", "/events", oas, secret=False) == {
        "success": True,
        "message": "Events processed",
    }
    guide = {"customerId": "c1", "eventName": "store_visit", "metadata": {"spent": 1}}
    assert pos.ok("POST", "/events", guide)["message"] == "Event tracked successfully"
    assert pos.available("c1") == 12  # auto-created, (5 + 1) x 2
    pos.ok("POST", "/events", {"customerId": "c1", "events": {"store_visit": {"spent": "x"}}})
    assert pos.available("c1") == 12
    pos.fail("POST", "/events", {"customerId": "c1"}, 3000, 400)
    pos.fail("POST", "/events", {"customerId": "c1", "events": {"x": 1}}, 3003, 422)


# -- quotes ---------------------------------------------------------------------------
def test_cashback_quote_and_reward_preview_change_nothing(pos):
    pos.customer("c1")
    lines = [{"productId": "P1", "quantity": 1, "price": 60}, {"productId": "P2", "price": 40}]
    body = {"customerId": "c1", "totalPaid": 100, "lineItems": lines}
    quote = pos.ok("POST", "/orders/cashback", body, secret=False)
    assert quote["totalPoints"] == 100
    assert [x["totalPoints"] for x in quote["lineItems"]] == [60, 40]
    preview = pos.ok("POST", "/orders/reward-preview", body, secret=False)
    assert preview["customerFound"] is True and preview["totalPoints"] == 100
    assert preview["eventRewards"]["eventName"] == "place_order"
    stranger = pos.ok("POST", "/orders/reward-preview", {**body, "customerId": "who"})
    assert stranger["customerFound"] is False and stranger["eventRewards"] is None
    assert pos.available("c1") == 0
    pos.fail("GET", "/customers/who", None, 7000, 404)
    pos.fail("POST", "/orders/cashback", {**body, "totalPaid": -1}, 3003, 400)
    greedy = [{"productId": "P1", "price": 10, "discount": 11}]
    pos.fail("POST", "/orders/reward-preview", {**body, "lineItems": greedy}, 3003, 400)
    pos.fail("POST", "/orders/cashback", {"customerId": "c1"}, 3000, 400)


# -- configurations -------------------------------------------------------------------
def test_configurations_reflect_the_program(pos):
    redemption = pos.ok("GET", "/configurations/redemption", secret=False)
    assert redemption["redemptionFactor"] == 0.1
    assert redemption["redemptionRules"][0]["pointsToRedeem"] == 10
    cashback = pos.ok("GET", "/configurations/cashback")
    rule = cashback["defaultCashbackRule"]
    assert rule["amountRewardThreshold"] == 1.0 and rule["rewardWalletFactor"] == 1
    assert rule["rewardFactor"] == 10.0  # 1 point per 1.00, each point worth 0.10
    assert [t["tierName"] for t in cashback["tierCashbackRules"]] == ["Bronze", "Silver"]
    assert pos.ok("GET", "/configurations/rewards/redemption")["pointValue"] == 0.1
    assert pos.ok("GET", "/configurations/rewards/cashback")["rate"] == 10.0


# -- activities -----------------------------------------------------------------------
def test_activities_are_paged_and_filtered(pos):
    for n in range(5):
        pos.order("c1", f"o{n}", 10)
    ref = pos.hold("c1", 5)["holdReference"]
    pos.order("c1", "o9", 1, redemption={"pointsHoldReference": ref})
    pos.refund("o0", "r1")
    page = pos.ok("GET", "/customers/c1/activities", params={"limit": 3})
    assert [a["activityType"] for a in page["activities"]] == ["PaymentReward"] * 3
    assert page["hasMore"] is True and page["count"] == 8
    after = page["activities"][-1]["activityId"]
    rest = pos.ok("GET", "/customers/c1/activities", params={"startAfter": after, "limit": 200})
    kinds = [a["activityType"] for a in rest["activities"]]
    assert kinds == ["PaymentReward", "PaymentReward", "Redemption", "PaymentReward", "Cancel"]
    assert rest["hasMore"] is False and rest["activities"][2]["transactionId"] == "o9"
    only = pos.ok("GET", "/customers/c1/activities", params={"activityType": "Redemption"})
    assert [a["points"] for a in only["activities"]] == [-5]
    pos.fail("GET", "/customers/c1/activities", None, 3003, 422, params={"limit": "x"})
    pos.fail("GET", "/customers/c1/activities", None, 3003, 422, params={"activityType": "Z"})
    pos.fail("GET", "/customers/ghost/activities", None, 7000, 404)


def test_redeem_with_a_blank_hold_reference_is_a_missing_hold(pos):
    """A blank holdReference counts as the one way given: it names no hold (was a 500)."""
    pos.order("c1", "o1", 100)
    pos.fail("POST", "/transactions/redeem", _redeem("t1", holdReference=" "), 9006, 404)
    assert pos.available("c1") == 100
