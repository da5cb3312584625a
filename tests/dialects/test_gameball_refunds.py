"""Refunds follow Gameball's refund guide: the money paid comes back first and takes the
earned points with it; the rest of a refund is the redeemed points' money value and gives
them back; a refund larger than what is left only takes the remainder.

The program here earns 1 point per 1.00 and values 1 point at 1.00, as the guide's worked
examples do. Every test ends with a clean ledger audit.
"""

from __future__ import annotations

import pytest

from tests.support.gameball import NOW, Pos

ONE_TO_ONE = {"redeem_points": 1, "redeem_value_minor": 100}


@pytest.fixture
def pos(client):  # noqa: F811
    till = Pos(client, ONE_TO_ONE)
    yield till
    assert till.audit() == []


def _points_order(pos, order_id: str, paid: float, points: int, price: float) -> dict:
    hold = pos.hold("c1", points)["holdReference"]
    redemption = {"pointsHoldReference": hold}
    return pos.order("c1", order_id, paid, totalPrice=price, redemption=redemption)


def _moves(pos, order_id: str) -> list[tuple[str, float, int]]:
    rows = pos.ok("GET", f"/orders/{order_id}/transactions")["transactions"]
    return [(r["transactionType"], r["amount"], r["equivalentPoints"]) for r in rows]


def test_100_then_20_20_100_takes_20_20_and_only_the_remaining_60(pos):
    assert pos.order("c1", "o1", 100)["rewardedPoints"] == 100
    assert pos.refund("o1", "r1", refundAmount=20)["refundEquivalentPoints"] == 20
    assert pos.refund("o1", "r2", refundAmount=20)["refundEquivalentPoints"] == 20
    last = pos.refund("o1", "r3", refundAmount=100)
    assert (last["refundAmount"], last["refundEquivalentPoints"]) == (60, 60)
    assert pos.available("c1") == 0
    pos.fail("POST", "/transactions/refund", _body("o1", "r4", 1), 9001, 422)


def test_60_cash_plus_40_points_refund_80_takes_60_earned_and_gives_20_back(pos):
    pos.order("c1", "o1", 40)  # the points to pay with
    sale = _points_order(pos, "o2", 60, 40, 100)
    assert (sale["rewardedPoints"], sale["redeemedPoints"]) == (60, 40)
    assert pos.available("c1") == 60
    refund = pos.refund("o2", "r1", refundAmount=80)
    assert (refund["refundAmount"], refund["refundEquivalentPoints"]) == (80, 60 + 20)
    assert pos.available("c1") == 60 - 60 + 20
    assert _moves(pos, "o2")[-2:] == [("PartialRefund", 80, 60), ("PartialRefund", 80, 20)]
    rest = pos.refund("o2", "r2")  # the last 20 of the points' value
    assert (rest["refundAmount"], rest["refundEquivalentPoints"]) == (20, 20)
    assert pos.available("c1") == 40  # as if o2 never happened


def test_an_order_paid_with_points_only_is_refunded_in_parts(pos):
    pos.order("c1", "o1", 100)
    sale = _points_order(pos, "o2", 0, 100, 100)
    assert (sale["rewardedPoints"], sale["redeemedPoints"]) == (0, 100)
    assert pos.refund("o2", "r1", refundAmount=20)["refundEquivalentPoints"] == 20
    assert pos.available("c1") == 20
    assert pos.refund("o2", "r2", refundAmount=80)["refundEquivalentPoints"] == 80
    assert pos.available("c1") == 100


def test_a_small_refund_of_a_mixed_order_only_touches_earned_points(pos):
    pos.order("c1", "o1", 40)
    _points_order(pos, "o2", 60, 40, 100)
    assert pos.refund("o2", "r1", refundAmount=30)["refundEquivalentPoints"] == 30
    assert pos.available("c1") == 60 - 30  # nothing of the 40 redeemed comes back yet


def test_a_program_can_ask_for_proportional_refunds(pos_with):
    pos = pos_with(**ONE_TO_ONE, refund_allocation="proportional")
    pos.order("c1", "o1", 40)
    _points_order(pos, "o2", 60, 40, 100)
    refund = pos.refund("o2", "r1", refundAmount=30)  # half the money paid
    assert refund["refundEquivalentPoints"] == 30 + 20


def _body(order_id: str, refund_id: str, amount: float) -> dict:
    return {
        "customerId": "c1",
        "refundTransactionId": refund_id,
        "reverseTransactionId": order_id,
        "transactionTime": NOW,
        "refundAmount": amount,
    }
