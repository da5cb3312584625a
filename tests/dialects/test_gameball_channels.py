"""Gameball dialect: channel merging. A customerId value that is no customerId but a
customer's mobile or email names that customer, on every route."""

from __future__ import annotations

from urllib.parse import quote

from tests.support.gameball import NOW

MOBILE = "+201000000001"
EMAIL = "Mona@Example.com"


def _mona(pos) -> None:
    pos.customer("c1", mobile=MOBILE, email=EMAIL)
    pos.order("c1", "o1", 100)


def test_reads_by_mobile_or_email_answer_for_the_customer(pos):
    _mona(pos)
    for ref in (MOBILE, quote(MOBILE, safe=""), EMAIL, "mona@example.com", quote(EMAIL)):
        assert pos.ok("GET", f"/customers/{ref}")["customerId"] == "c1", ref
        assert pos.ok("GET", f"/customers/{ref}/balance")["availablePointsBalance"] == 100
    details = pos.ok("GET", f"/customers/{EMAIL}/details")
    assert details["customerId"] == "c1"
    assert details["customerAttributes"]["mobile"] == MOBILE
    activities = pos.ok("GET", f"/customers/{MOBILE}/activities")["activities"]
    assert [a["customerId"] for a in activities] == ["c1"]
    assert pos.ok("GET", f"/customers/{EMAIL}/referrals")["count"] == 0
    off = pos.ok("PUT", f"/customers/{MOBILE}/activate", {"isActive": False})
    assert off == {"customerId": "c1", "isActive": False, "stateChanged": True}


def test_unknown_values_stay_unknown_and_a_customer_id_wins(pos):
    _mona(pos)
    pos.fail("GET", "/customers/+201000000009/balance", None, 7000, 404)
    pos.fail("GET", "/customers/nobody@example.com", None, 7000, 404)
    pos.customer(MOBILE)  # a customer whose customerId is Mona's mobile
    assert pos.ok("GET", f"/customers/{MOBILE}/balance")["availablePointsBalance"] == 0
    assert pos.available("c1") == 100


def test_hold_redeem_and_refund_accept_a_mobile_or_email(pos):
    _mona(pos)
    hold = pos.hold(MOBILE, 30)
    assert hold["customerId"] == "c1"
    order = pos.order(EMAIL, "o2", 7, redemption={"pointsHoldReference": hold["holdReference"]})
    assert order["customerId"] == "c1" and order["redeemedPoints"] == 30
    body = {"customerId": EMAIL, "transactionId": "t1", "transactionTime": NOW, "points": 10}
    assert pos.ok("POST", "/transactions/redeem", body)["customerId"] == "c1"
    assert pos.available("c1") == 67
    pos.refund("t1", "r1", customer_id=MOBILE)
    pos.refund("o2", "r2", customer_id=EMAIL)
    assert pos.available("c1") == 100


def test_orders_and_events_by_mobile_do_not_create_a_second_customer(pos):
    _mona(pos)
    assert pos.order(MOBILE, "o2", 20)["customerId"] == "c1"
    events = {"customerId": EMAIL, "events": {"visit": {}}}
    assert pos.ok("POST", "/events", events)["success"] is True
    pos.fail("GET", "/customers/o2", None, 7000, 404)
    assert pos.ok("GET", f"/customers/{MOBILE}")["customerId"] == "c1"
    assert pos.available("c1") == 120


def test_qr_hash_works_after_a_mobile(pos):
    _mona(pos)
    code = pos.ok("GET", f"/customers/{MOBILE}/hash")["hash"]
    hold = pos.hold(MOBILE + code, 10)
    assert hold["customerId"] == "c1"
    pos.fail("POST", "/transactions/hold", _hold(MOBILE + code), 3005, 422)  # single use


def test_previews_and_referral_checks_resolve_the_customer(pos):
    _mona(pos)
    preview = pos.ok("POST", "/orders/reward-preview", {"customerId": EMAIL, "totalPaid": 10})
    assert preview["customerId"] == "c1" and preview["customerFound"] is True
    code = pos.ok("GET", "/customers/c1")["referralCode"]
    own = {"referrerCode": code, "forCustomerId": MOBILE}
    assert pos.ok("GET", "/referrals/validate", params=own)["isValid"] is False


def _hold(customer_id: str) -> dict:
    return {"customerId": customer_id, "transactionTime": NOW, "pointsToHold": 10}
