"""Gameball's manual transactions, early activation of pending points, customer deletion
(GDPR, and the POST alias Gameball's SFCC cartridge uses) and the count endpoints."""

from __future__ import annotations

from tests.support.gameball import NOW, seed_voucher


def _manual(transaction_id: str, **amount) -> dict:
    body = {"customerId": "c1", "transactionId": transaction_id, "transactionTime": NOW}
    return {**body, "username": "admin", "reason": "goodwill", **amount}


def test_manual_rewards_and_deductions(pos):
    pos.customer("c1")
    given = pos.ok("POST", "/transactions/manual", _manual("m1", points=50))
    assert given["points"] == 50 and given["transactionId"] == "m1"
    assert isinstance(given["gameballTransactionId"], int) and given["customerId"] == "c1"
    assert pos.available("c1") == 50
    by_money = pos.ok("POST", "/transactions/manual", _manual("m2", amount=12.5))
    assert (by_money["points"], by_money["amount"]) == (12, 12.5)  # earns as a sale would
    taken = pos.ok("POST", "/transactions/manual", _manual("m3", points=-20))
    assert taken["points"] == -20 and pos.available("c1") == 42
    pos.fail("POST", "/transactions/manual", _manual("m4", points=-100), 9008, 422)
    pos.fail("POST", "/transactions/manual", _manual("m1", points=5), 9004, 422)
    pos.fail("POST", "/transactions/manual", _manual("m5"), 3000, 400)
    pos.fail("POST", "/transactions/manual", _manual("m5", points=1, amount=1), 3003, 422)
    no_reason = {k: v for k, v in _manual("m5", points=1).items() if k != "reason"}
    pos.fail("POST", "/transactions/manual", no_reason, 3000, 400)
    pos.fail(
        "POST", "/transactions/manual", {**_manual("m6", points=1), "customerId": "x"}, 7000, 404
    )
    assert pos.available("c1") == 42


def test_activate_makes_pending_points_available_once(pos_with):
    pos = pos_with(return_window_days=14)
    pos.order("c1", "o1", 80)
    assert pos.balance("c1")["pendingPoints"] == 80 and pos.available("c1") == 0
    first = pos.ok("PUT", "/transactions/o1/activate")
    assert first == {
        "pointsActivated": 80,
        "gameballTransactionId": first["gameballTransactionId"],
        "clientTransactionId": "o1",
    }
    assert pos.available("c1") == 80 and pos.balance("c1")["pendingPoints"] == 0
    assert pos.ok("PUT", "/transactions/o1/activate")["pointsActivated"] == 0
    pos.advance(15 * 86400)  # the original activation instant passes quietly
    assert pos.available("c1") == 80
    pos.fail("PUT", "/transactions/ghost/activate", None, 9002, 404)


def test_delete_erases_the_customer_for_good(pos):
    pos.customer("c1", email="c1@x.io", mobile="+201000")
    pos.order("c1", "o1", 10)
    assert pos.ok("DELETE", "/customers/c1") == {"customerId": "c1", "deleted": True}
    pos.fail("GET", "/customers/c1", None, 7000, 404)
    pos.fail("GET", "/customers/c1@x.io/balance", None, 7000, 404)  # no longer an alias
    pos.fail("DELETE", "/customers/c1", None, 7000, 404)
    pos.fail("POST", "/customers", {"customerId": "c1"}, 3003, 422)  # the id is retired
    pos.fail(
        "POST",
        "/orders",
        {"customerId": "c1", "orderId": "o2", "orderDate": NOW, "totalPaid": 5},
        3003,
        422,
    )
    pos.customer("c2", email="c1@x.io")  # the email is free again
    member = pos.tenant.engine.state.members["c1"]
    assert member.identifiers == {} and member.attributes == {} and member.erased


def test_the_post_alias_deletes_too(pos):
    pos.customer("c1")
    assert pos.ok("POST", "/customers/c1/delete", {})["deleted"] is True
    pos.fail("POST", "/customers/c1/delete", {}, 7000, 404)


def test_counts(pos):
    code = pos.referral_code("ref")
    pos.customer("f1", referrerCode=code)
    pos.customer("f2", referrerCode=code)
    pos.order("f1", "o1", 10)
    counts = pos.ok("GET", "/customers/ref/referrals/count")
    assert counts == {"count": 2, "totalActive": 1, "totalPending": 1}
    listed = pos.ok("GET", "/customers/f1/activities")
    assert pos.ok("GET", "/customers/f1/activities/count") == {"count": listed["count"]}
    assert listed["count"] >= 2


def test_settings_locks_and_erasures_survive_a_snapshot_restore(pos):
    pos.configure(order_replay=True)
    pos.customer("c1")
    pos.customer("gone")
    pos.ok("DELETE", "/customers/gone")
    seed_voucher(pos, "SAVE5")
    body = {"customerId": "c1", "coupons": ["SAVE5"], "lock": True}
    ref = pos.ok("POST", "/coupons/validate", body)["lockReference"]
    base = f"/_posim/tenants/{pos.tenant_id}"
    snapshot = pos.client.get(f"{base}/snapshot").json()
    assert pos.client.post(f"{base}/reset").status_code == 200
    assert pos.client.post(f"{base}/restore", json=snapshot).status_code == 200
    order = {"customerId": "c1", "orderId": "o1", "orderDate": NOW, "totalPaid": 10}
    order["redemption"] = {"couponsLockReference": ref}  # the lock survived
    first = pos.ok("POST", "/orders", order)
    assert pos.ok("POST", "/orders", order) == first  # and so did order_replay
    pos.fail("GET", "/customers/gone", None, 7000, 404)


def test_customer_tags_are_attached_and_removed(pos):
    pos.customer("c1", customerAttributes={"tags": "vip"})
    attached = pos.ok("POST", "/customers/c1/tags", {"tags": "gamer, highSpender, vip"})
    assert attached["success"] is True
    assert pos.ok("GET", "/customers/c1")["customerAttributes"]["tags"] == [
        "vip",
        "gamer",
        "highSpender",
    ]
    pos.ok("DELETE", "/customers/c1/tags", {"tags": "gamer,vip"})
    pos.ok("DELETE", "/customers/c1/tags/highSpender")
    assert pos.ok("GET", "/customers/c1")["customerAttributes"]["tags"] == []
    pos.fail("POST", "/customers/c1/tags", {"tags": " , "}, 3000, 400)
    pos.fail("POST", "/customers/c1/tags", {"tags": 5}, 3003, 422)
    pos.fail("DELETE", "/customers/c1/tags", {}, 3000, 400)
    pos.fail("POST", "/customers/ghost/tags", {"tags": "x"}, 7000, 404)
