"""Refunds: points follow the money with floor arithmetic on cumulative totals (B4.4, I9, I10)."""

from __future__ import annotations

import pytest

DAY = 86_400
LINES = [
    {"sku": "A", "quantity": 2, "unit_price": 300},
    {"sku": "B", "quantity": 1, "unit_price": 400},
]


def _odd_order(engine, enroll):
    """Paid 10.01 at 1 point per 0.10 -> 100 points earned; 77 points redeemed."""
    enroll(engine, "m1", 77)
    return engine.record_order("o1", "m1", 1500, paid_amount=1001, redeem_points=77).value


def test_three_partial_refunds_of_an_odd_amount_end_exactly_at_100_percent(make_engine, enroll):
    engine = make_engine(earn_per_minor=10)
    order = _odd_order(engine, enroll)
    assert (order.points_earned, order.points_redeemed) == (100, 77)
    assert engine.balance("m1")["balance"] == 100

    first = engine.refund("o1", "r1", amount=333).value
    assert (first.points_revoked, first.points_restored) == (33, 25)  # floor(100*333/1001), ...
    assert order.state == "partially_refunded"
    second = engine.refund("o1", "r2", amount=333).value
    assert (second.points_revoked, second.points_restored) == (33, 26)  # 66 - 33, 51 - 25
    last = engine.refund("o1", "r3").value  # no amount: the rest
    assert last.amount == 335
    assert (last.points_revoked, last.points_restored) == (34, 26)

    assert order.state == "refunded" and order.refunded_amount == 1001
    assert (order.points_revoked, order.points_uncollectable, order.points_restored) == (100, 0, 77)
    assert engine.balance("m1")["balance"] == 77  # back where it started
    assert [r.refund_id for r in engine.order_refunds("o1")] == ["r1", "r2", "r3"]
    assert engine.audit() == []


def test_many_tiny_refunds_settle_exactly(make_engine, enroll):
    engine = make_engine(earn_points=7, earn_per_minor=3)
    enroll(engine, "m1")
    order = engine.record_order("o1", "m1", 101).value
    assert order.points_earned == 235  # floor(101 * 7 / 3)
    for i in range(101):
        engine.refund("o1", f"r{i}", amount=1)
        assert order.points_revoked == 235 * (i + 1) // 101
    assert order.state == "refunded" and engine.balance("m1")["balance"] == 0
    assert engine.audit() == []


def test_full_refund_without_amount_refunds_everything(engine, enroll):
    enroll(engine, "m1", 50)
    order = engine.record_order("o1", "m1", 3000, redeem_points=50).value
    refund = engine.refund("o1", "r1").value
    assert refund.amount == 3000
    assert (refund.points_revoked, refund.points_restored) == (30, 50)
    assert order.state == "refunded"
    assert engine.balance("m1")["balance"] == 50
    assert engine.member("m1").lifetime_earned == 50  # tier metric net of the refund
    assert engine.audit() == []


def test_refund_by_lines_is_scaled_to_the_amount_paid(make_engine, enroll):
    engine = make_engine(earn_per_minor=1)
    enroll(engine, "m1")
    order = engine.record_order("o1", "m1", 1000, paid_amount=900, lines=LINES).value
    assert order.points_earned == 900
    a1 = engine.refund("o1", "r1", lines=[{"sku": "A", "quantity": 1}]).value
    a2 = engine.refund("o1", "r2", lines=[{"line": 0, "quantity": 1}]).value
    b = engine.refund("o1", "r3", lines=[{"sku": "B"}]).value
    assert [a1.amount, a2.amount, b.amount] == [270, 270, 360]
    assert [a1.points_revoked, a2.points_revoked, b.points_revoked] == [270, 270, 360]
    assert a1.lines == [[0, 1]] and b.lines == [[1, 1]]
    assert order.refunded_qty == {0: 2, 1: 1}
    assert order.state == "refunded" and order.refunded_amount == 900
    assert engine.audit() == []


def test_line_refunds_with_uneven_scaling_settle_on_the_last_line(engine, enroll):
    enroll(engine, "m1")
    lines = [{"sku": "A", "quantity": 3, "unit_price": 100}]
    order = engine.record_order("o1", "m1", 300, paid_amount=1000, lines=lines).value
    amounts = [engine.refund("o1", f"r{i}", lines=[{"sku": "A"}]).value.amount for i in range(3)]
    assert amounts == [333, 333, 334]
    assert order.refunded_amount == order.paid_amount and order.state == "refunded"
    assert engine.audit() == []


def test_line_refund_never_goes_above_paid(engine, enroll, fails):
    enroll(engine, "m1")
    order = engine.record_order("o1", "m1", 1000, paid_amount=900, lines=LINES).value
    engine.refund("o1", "r1", amount=800)
    err = fails("refund_exceeds_paid", engine.refund, "o1", "r2", lines=[{"sku": "B"}])
    assert err.details == {"remaining": 100}
    assert order.refunded_amount == 800 and order.refunded_qty == {}
    # refunding every line settles exactly what is left, never more
    rest = engine.refund("o1", "r3", lines=[{"sku": "A", "quantity": 2}, {"sku": "B"}]).value
    assert rest.amount == 100 and order.state == "refunded"
    assert engine.audit() == []


def test_refund_quantity_cannot_exceed_what_is_left(engine, enroll, fails):
    enroll(engine, "m1")
    order = engine.record_order("o1", "m1", 1000, lines=LINES).value
    fails(
        "refund_quantity_exceeds_purchased",
        engine.refund,
        "o1",
        "r1",
        lines=[{"sku": "A", "quantity": 3}],
    )
    engine.refund("o1", "r2", lines=[{"sku": "A"}])
    err = fails(
        "refund_quantity_exceeds_purchased",
        engine.refund,
        "o1",
        "r3",
        lines=[{"sku": "A"}, {"line": 0}],  # the same line twice adds up to 2 > 1 left
    )
    assert err.details == {"line": 0}
    assert order.refunded_qty == {0: 1}
    assert engine.audit() == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": 0},
        {"amount": -5},
        {"amount": 2.5},
        {"amount": 100, "lines": [{"sku": "A"}]},
        {"lines": [{"sku": "Z"}]},
        {"lines": [{"line": 7}]},
        {"lines": [{"sku": "A", "quantity": 0}]},
        {"lines": ["A"]},
    ],
)
def test_malformed_refunds_are_invalid(engine, enroll, fails, kwargs):
    enroll(engine, "m1")
    order = engine.record_order("o1", "m1", 1000, lines=LINES).value
    fails("invalid_request", engine.refund, "o1", "r1", **kwargs)
    assert order.refunded_amount == 0 and order.refund_ids == []
    fails("invalid_request", engine.refund, "o1", "  ", amount=1)


def test_refund_state_checks(engine, enroll, fails):
    enroll(engine, "m1")
    enroll(engine, "m2")
    engine.record_order("o1", "m1", 1000)
    fails("order_not_found", engine.refund, "nope", "r0")
    fails("order_member_mismatch", engine.refund, "o1", "r1", amount=100, member_id="m2")
    err = fails("refund_exceeds_paid", engine.refund, "o1", "r2", amount=1001)
    assert err.details == {"remaining": 1000}
    engine.refund("o1", "r3", amount=600, member_id="m1")
    fails("refund_exceeds_paid", engine.refund, "o1", "r4", amount=401)
    engine.refund("o1", "r5", amount=400)
    fails("order_already_refunded", engine.refund, "o1", "r6", amount=1)
    fails("order_already_refunded", engine.refund, "o1", "r7")
    assert engine.order("o1").refund_ids == ["r3", "r5"]
    assert engine.audit() == []


def test_refund_ids_are_unique_and_replays_do_nothing_twice(engine, enroll, fails):
    enroll(engine, "m1")
    engine.record_order("o1", "m1", 1000)
    engine.record_order("o2", "m1", 1000)
    first = engine.refund("o1", "r1", amount=500).value
    again = engine.refund("o1", "r1", amount=500)
    assert again.replayed is True and again.value is first
    assert engine.order("o1").refunded_amount == 500
    assert engine.balance("m1")["balance"] == 15

    fails("refund_conflict", engine.refund, "o1", "r1", amount=400)
    fails("refund_conflict", engine.refund, "o2", "r1", amount=500)  # the id is taken for good
    fails("refund_conflict", engine.refund, "o1", "r1")
    assert engine.order("o2").refunded_amount == 0
    # refund ids are scoped per merchant, like orders
    engine.record_order("o1", "m1", 1000, merchant_id="shop-b")
    engine.refund("o1", "r1", amount=500, merchant_id="shop-b")
    assert engine.order("o1", "shop-b").refunded_amount == 500
    assert engine.audit() == []


def test_pending_lot_is_revoked_without_touching_active_points(make_engine, enroll, fails):
    engine = make_engine(return_window_days=14)
    enroll(engine, "m1", 50)
    order = engine.record_order("o1", "m1", 10000).value
    fails("insufficient_points", engine.redeem_points, "m1", 51)  # pending is not spendable

    refund = engine.refund("o1", "r1", amount=4000).value
    assert refund.points_revoked == 40
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["pending"]) == (50, 50, 60)

    engine.advance_clock(14 * DAY - 1)
    assert engine.balance("m1")["pending"] == 60
    engine.advance_clock(1)  # activation at exactly activates_at
    bal = engine.balance("m1")
    assert (bal["balance"], bal["pending"]) == (110, 0)
    assert engine.state.lots[order.lot_id].state == "active"
    engine.redeem_points("m1", 110)
    assert engine.audit() == []


def test_full_refund_inside_the_return_window_leaves_nothing_to_activate(make_engine, enroll):
    engine = make_engine(return_window_days=3)
    enroll(engine, "m1", 50)
    order = engine.record_order("o1", "m1", 10000).value
    engine.refund("o1", "r1")
    assert engine.balance("m1")["pending"] == 0
    engine.advance_clock(3 * DAY)
    assert engine.state.lots[order.lot_id].state == "depleted"
    assert engine.balance("m1")["balance"] == 50
    assert engine.audit() == []


def _spent_earnings(engine, enroll):
    enroll(engine, "m1")
    engine.record_order("o1", "m1", 10000)  # +100
    engine.redeem_points("m1", 60)  # 40 left


def test_clamp_policy_records_what_cannot_be_clawed_back(engine, enroll):
    _spent_earnings(engine, enroll)
    refund = engine.refund("o1", "r1").value
    assert (refund.points_revoked, refund.points_uncollectable, refund.debt_created) == (40, 60, 0)
    order = engine.order("o1")
    assert order.points_revoked + order.points_uncollectable == 100
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["debt"]) == (0, 0, 0)
    engine.earn("m1", 10)
    assert engine.balance("m1")["available"] == 10
    assert engine.audit() == []


def test_allow_policy_creates_debt_repaid_by_later_earnings(make_engine, enroll, fails):
    engine = make_engine(negative_balance_policy="allow")
    _spent_earnings(engine, enroll)
    refund = engine.refund("o1", "r1").value
    assert (refund.points_revoked, refund.points_uncollectable, refund.debt_created) == (100, 0, 60)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["debt"]) == (-60, -60, 60)

    err = fails("insufficient_points", engine.create_hold, "m1", points=1)
    assert err.details == {"debt": 60}
    fails("insufficient_points", engine.redeem_points, "m1", 1)

    engine.earn("m1", 30)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["debt"]) == (-30, -30, 30)
    fails("insufficient_points", engine.create_hold, "m1", points=1)  # still owing

    engine.record_order("o2", "m1", 5000)  # +50: 30 repay the debt, 20 remain
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["debt"]) == (20, 20, 0)
    assert engine.create_hold("m1", points=20).value.state == "pending"
    assert engine.audit() == []


def test_revoke_leaves_held_points_capturable(engine, enroll):
    enroll(engine, "m1", 100)
    engine.record_order("o1", "m1", 5000)  # +50, 150 in all
    hold = engine.create_hold("m1", points=140).value  # only 10 stay unreserved
    refund = engine.refund("o1", "r1").value
    assert (refund.points_revoked, refund.points_uncollectable) == (10, 40)
    assert engine.balance("m1")["held"] == 140
    engine.capture_hold(hold.hold_id)
    assert engine.balance("m1")["balance"] == 0
    assert engine.audit() == []


def test_restored_points_keep_their_original_expiry(make_engine, enroll):
    engine = make_engine(lot_expiry_days=10)
    enroll(engine, "m1", 100)  # expires on day 10
    original_expiry = engine.balance("m1")["next_expiring_at"]
    engine.advance_clock(DAY)
    engine.record_order("o1", "m1", 1000, redeem_points=100)  # +10, expiring on day 11
    engine.advance_clock(DAY)
    refund = engine.refund("o1", "r1").value
    assert refund.points_restored == 100
    bal = engine.balance("m1")
    assert bal["balance"] == 100
    assert (bal["next_expiring_at"], bal["next_expiring_points"]) == (original_expiry, 100)
    engine.advance_clock(8 * DAY)  # day 10
    assert engine.balance("m1")["balance"] == 0
    assert engine.audit() == []


def test_restored_slices_already_past_expiry_expire_in_the_same_command(make_engine, enroll):
    engine = make_engine(lot_expiry_days=10)
    enroll(engine, "m1", 100)
    engine.record_order("o1", "m1", 99, redeem_points=100)  # earns nothing
    engine.advance_clock(12 * DAY)
    refund = engine.refund("o1", "r1").value
    assert refund.points_restored == 100
    assert engine.balance("m1")["balance"] == 0
    kinds = [(a.kind, a.points) for a in engine.activities("m1")][-2:]
    assert kinds == [("expire", -100), ("restore", 100)]
    assert engine.audit() == []


def test_fresh_restore_expiry_starts_a_new_countdown(make_engine, enroll):
    engine = make_engine(lot_expiry_days=10, restore_expiry="fresh")
    enroll(engine, "m1", 100)
    engine.record_order("o1", "m1", 99, redeem_points=100)
    engine.advance_clock(12 * DAY)
    engine.refund("o1", "r1")
    bal = engine.balance("m1")
    assert bal["balance"] == 100
    assert bal["next_expiring_at"] == engine.now().replace(day=23)
    assert engine.audit() == []
