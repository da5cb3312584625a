"""Gameball dialect: customer-facing endpoints (the harness is tests/support/gameball.py)."""

from __future__ import annotations

from tests.support.gameball import NOW, V41


def test_public_profile_hides_pii_and_details_needs_the_secret(pos):
    pos.customer("c1", email="a@example.com", customerAttributes={"gender": "F"})
    public = pos.ok("GET", "/customers/c1", secret=False)
    assert public["customerAttributes"]["gender"] == "F"
    assert "email" not in public["customerAttributes"]
    assert public["referralCode"] and public["isReferred"] is False
    pos.fail("GET", "/customers/c1/details", None, 1001, 401, secret=False)
    pos.fail("GET", "/customers/nobody", None, 7000, 404)
    pos.fail("GET", "/customers/nobody/details", None, 7000, 404)


def test_customer_id_may_be_a_number(pos):
    assert pos.customer(1848877205)["customerId"] == "1848877205"
    assert pos.ok("GET", "/customers/1848877205")["customerId"] == "1848877205"


def test_email_of_another_customer_is_3008(pos):
    pos.customer("c1", email="same@example.com")
    pos.fail("POST", "/customers", {"customerId": "c2", "email": "same@example.com"}, 3008, 422)


def test_balance_is_7000_for_unknown_and_tracks_orders(pos):
    pos.fail("GET", "/customers/ghost/balance", None, 7000, 404)
    pos.customer("c1")
    assert pos.balance("c1")["totalPointsBalance"] == 0
    pos.order("c1", "o1", 120.5)
    balance = pos.balance("c1")
    assert balance["availablePointsBalance"] == 120 and balance["totalPointsBalance"] == 120
    assert balance["availablePointsValue"] == 12.0 and balance["currency"] == "USD"
    assert balance["totalEarnedPoints"] == 120


def test_return_window_keeps_points_pending_until_the_clock_passes_it(pos):
    pos.order("c1", "o1", 50, cashbackConfigurations={"returnWindow": 7})
    balance = pos.balance("c1")
    assert balance["pendingPoints"] == 50 and balance["availablePointsBalance"] == 0
    assert balance["totalPointsBalance"] == 50 and balance["pendingPointsValue"] == 5.0
    pos.advance(7 * 86400)
    balance = pos.balance("c1")
    assert balance["pendingPoints"] == 0 and balance["availablePointsBalance"] == 50


def test_next_expiring_points_come_from_the_earliest_lot(pos_with):
    pos = pos_with(lot_expiry_days=30)
    pos.order("c1", "o1", 40)
    balance = pos.balance("c1")
    assert balance["nextExpiringPointsAmount"] == 40
    assert balance["nextExpiringPointsDate"].startswith("2026-01-31T00:00:00")
    pos.advance(30 * 86400)
    assert pos.available("c1") == 0


def test_activate_and_deactivate(pos):
    pos.order("c1", "o1", 100)
    off = pos.ok("PUT", "/customers/c1/activate", {"isActive": False})
    assert off == {"customerId": "c1", "isActive": False, "stateChanged": True}
    again = pos.ok("PUT", "/customers/c1/activate", {"isActive": False})
    assert again["stateChanged"] is False
    hold = {"customerId": "c1", "transactionTime": NOW, "pointsToHold": 10}
    pos.fail("POST", "/transactions/hold", hold, 3009, 422)
    order = {"customerId": "c1", "orderId": "o2", "orderDate": NOW, "totalPaid": 10}
    pos.fail("POST", "/orders", order, 3009, 422)
    pos.ok("PUT", "/customers/c1/activate", {"isActive": True})
    assert pos.hold("c1", 10)["holdEquivalentPoints"] == 10
    pos.fail("PUT", "/customers/ghost/activate", {"isActive": True}, 7000, 404)
    pos.fail("PUT", "/customers/c1/activate", {}, 3000, 400)
    pos.fail("PUT", "/customers/c1/activate", {"isActive": "perhaps"}, 3003, 422)


# -- referrals ------------------------------------------------------------------------
def test_referral_at_signup_pays_both_sides_on_the_first_order(pos):
    code = pos.referral_code("ref")
    pos.customer("friend", referrerCode=code, email="friend@example.com")
    assert pos.ok("GET", "/customers/friend")["isReferred"] is True
    listed = pos.ok("GET", "/customers/ref/referrals")
    assert listed["count"] == 1 and listed["referredFriends"][0]["status"] == "Pending"
    pos.order("friend", "o1", 10)
    assert pos.available("ref") == 100 and pos.available("friend") == 60
    friend = pos.ok("GET", "/customers/ref/referrals")["referredFriends"][0]
    assert friend == {**friend, "customerId": "friend", "status": "Active"}


def test_referrer_code_on_the_order_and_invalid_codes_are_ignored(pos):
    code = pos.referral_code("ref")
    pos.customer("stranger", referrerCode="NO-SUCH-CODE")
    assert pos.ok("GET", "/customers/stranger")["isReferred"] is False
    first = pos.order("newbie", "o1", 20, referrerCode=code)
    assert pos.available("ref") == 100 and pos.available("newbie") == 70
    again = {"customerId": "newbie", "orderId": "o1", "orderDate": NOW, "totalPaid": 20}
    pos.fail("POST", "/orders", {**again, "referrerCode": code}, 9004, 422)  # a re-send
    assert first["rewardedPoints"] == 20 and pos.available("ref") == 100
    pos.order("newbie", "o2", 20, referrerCode=code)  # only the first purchase counts
    assert pos.available("ref") == 100


def test_validate_referrer_code(pos):
    code = pos.referral_code("ref")
    path = "/referrals/validate"
    assert pos.ok("GET", path, params={"referrerCode": code})["isValid"] is True
    assert pos.ok("GET", path, params={"referrerCode": "NOPE"})["isValid"] is False
    own = {"referrerCode": code, "forCustomerId": "ref"}
    assert pos.ok("GET", path, params=own)["isValid"] is False
    pos.fail("GET", path, None, 3000, 400)


# -- prefixes -------------------------------------------------------------------------
def test_v41_demands_the_secret_everywhere_and_v4_is_an_alias(pos):
    body = {"customerId": "c1"}
    pos.fail("POST", "/customers", body, 1001, 401, secret=False, prefix=V41)
    assert pos.ok("POST", "/customers", body, prefix=V41)["customerId"] == "c1"
    assert pos.ok("POST", "/customers", body, secret=False)["customerId"] == "c1"
    assert pos.ok("GET", "/customers/c1/balance", prefix="/api/v4/integrations")
