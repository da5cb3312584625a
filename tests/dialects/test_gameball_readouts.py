"""Gameball read-outs for shops and back offices: the transactions listing (and its count
and customer view), tiers with a customer's progress, the referral configuration and the
event reward preview."""

from __future__ import annotations


def test_transactions_list_every_customer_s_movements_with_filters(pos):
    pos.customer("c1", email="c1@x.io", customerAttributes={"firstName": "Ada"})
    pos.order("c1", "o1", 100)
    ref = pos.hold("c1", 30)["holdReference"]
    pos.order("c1", "o2", 10, redemption={"pointsHoldReference": ref})
    pos.order("c2", "o3", 5)
    listed = pos.ok("GET", "/transactions")
    rows = [
        (r["customerId"], r["type"], r["direction"], r["points"]) for r in listed["transactions"]
    ]
    assert rows == [
        ("c1", "PaymentReward", "credit", 100),
        ("c1", "Redemption", "debit", -30),
        ("c1", "PaymentReward", "credit", 10),
        ("c2", "PaymentReward", "credit", 5),
    ]
    assert listed["count"] == 4 and listed["hasMore"] is False
    assert pos.ok("GET", "/transactions/count", params={"customerId": "c2"}) == {"count": 1}
    debits = pos.ok("GET", "/transactions", params={"direction": "debit"})["transactions"]
    assert [r["transactionId"] for r in debits] == ["o2"]
    page = pos.ok("GET", "/transactions", params={"limit": 2})
    assert len(page["transactions"]) == 2 and page["hasMore"] is True
    view = pos.ok("GET", "/transactions/customer-view", params={"customerId": "c1"})
    first = view["transactions"][0]
    assert (first["customerName"], first["customerEmail"], first["isCustomerDeleted"]) == (
        "Ada",
        "c1@x.io",
        False,
    )
    pos.fail("GET", "/transactions", None, 7000, 404, params={"customerId": "ghost"})


def test_tiers_and_a_customer_s_progress(pos):
    tiers = pos.ok("GET", "/configurations/tiers")
    assert [(t["name"], t["minProgress"], t["order"]) for t in tiers] == [
        ("Bronze", 0, 1),
        ("Silver", 1000, 2),
    ]
    pos.order("c1", "o1", 400)
    progress = pos.ok("GET", "/customers/c1/tier-progress")
    assert progress["progress"] == 400
    assert progress["current"]["name"] == "Bronze" and progress["next"]["name"] == "Silver"
    pos.order("c1", "o2", 600)
    top = pos.ok("GET", "/customers/c1/tier-progress")
    assert top["current"]["name"] == "Silver" and "next" not in top


def test_referral_configuration_states_both_rewards(pos_with):
    pos = pos_with(referral_reward_referrer=70, referral_reward_referee=30)
    config = pos.ok("GET", "/configurations/referrals")
    assert config["customerReward"]["point"] == 70 and config["friendReward"]["point"] == 30


def test_event_preview_quotes_without_recording(pos_with):
    rules = {"visit": {"action": "earn", "amount_field": "minutes", "points_per_unit": 2}}
    pos = pos_with(event_rules=rules)
    pos.customer("c1")
    body = {"customerId": "c1", "events": {"visit": {"minutes": 7}, "unknown": None}}
    preview = pos.ok("POST", "/events/reward-preview", body)
    assert preview["totalPoints"] == 14
    visit, unknown = preview["events"]
    assert (visit["valid"], visit["totalPoints"], visit["invalidReason"]) == (True, 14, None)
    assert unknown["valid"] is False and unknown["invalidReason"]
    assert pos.available("c1") == 0  # nothing recorded
    pos.fail("POST", "/events/reward-preview", {**body, "customerId": "ghost"}, 7000, 404)
    pos.fail("POST", "/events/reward-preview", {"customerId": "c1"}, 3000, 400)
