"""Refund allocation "cash_first": a refund covers the money paid first (revoking earned
points in proportion), then the money value of the redeemed points (restoring them in
proportion). Cumulative floor arithmetic, so any sequence of partials settles exactly;
every command is audited (I9, I10) by the engine fixture.
"""

from __future__ import annotations

import pytest

ONE_TO_ONE = {"redeem_points": 1, "redeem_value_minor": 100}  # 1 point is worth 1.00


def _mixed(engine, enroll, paid: int = 6000, points: int = 40):
    """Price 100.00 = `paid` in cash + `points` redeemed; 1 point per 1.00 paid."""
    enroll(engine, "m1", points)
    fields = dict(paid_amount=paid, redeem_points=points, refund_allocation="cash_first")
    return engine.record_order("o1", "m1", 10000, **fields).value


def test_refund_80_of_60_cash_and_40_points_revokes_60_and_restores_20(make_engine, enroll):
    engine = make_engine(**ONE_TO_ONE)
    order = _mixed(engine, enroll)
    assert (order.points_earned, order.redeemed_value, order.refund_left) == (60, 4000, 10000)
    first = engine.refund("o1", "r1", amount=8000).value
    assert (first.amount, first.points_value) == (6000, 2000)
    assert (first.points_revoked, first.points_restored) == (60, 20)
    assert order.state == "partially_refunded" and order.refund_left == 2000
    last = engine.refund("o1", "r2").value
    assert (last.amount, last.points_value, last.points_restored) == (0, 2000, 20)
    assert order.state == "refunded" and engine.balance("m1")["balance"] == 40


def test_odd_partials_settle_exactly(make_engine, enroll):
    engine = make_engine(redeem_points=3, redeem_value_minor=100)  # 40 points = 13.33
    order = _mixed(engine, enroll, paid=1001)
    assert order.redeemed_value == 1333
    for refund_id in ("r1", "r2", "r3"):
        engine.refund("o1", refund_id, amount=777)
    engine.refund("o1", "r4")
    assert (order.points_revoked, order.points_restored) == (order.points_earned, 40)
    assert engine.audit() == []


def test_an_order_paid_only_with_points_can_be_refunded_in_parts(make_engine, enroll):
    engine = make_engine(**ONE_TO_ONE)
    _mixed(engine, enroll, paid=0, points=100)
    assert engine.refund("o1", "r1", amount=2000).value.points_restored == 20
    assert engine.refund("o1", "r2", amount=8000).value.points_restored == 80


def test_more_than_is_left_is_refused(make_engine, enroll, fails):
    engine = make_engine(**ONE_TO_ONE)
    _mixed(engine, enroll)
    fails("refund_exceeds_paid", engine.refund, "o1", "r1", amount=10001)


def test_line_refunds_scale_to_cash_and_points_value(make_engine, enroll):
    engine = make_engine(**ONE_TO_ONE)
    enroll(engine, "m1", 40)
    lines = [{"sku": "A", "quantity": 2, "unit_price": 5000}]
    fields = dict(paid_amount=6000, redeem_points=40, lines=lines, refund_allocation="cash_first")
    engine.record_order("o1", "m1", 10000, **fields)
    one = engine.refund("o1", "r1", lines=[{"sku": "A", "quantity": 1}]).value
    assert (one.amount, one.points_value, one.points_revoked) == (5000, 0, 50)
    two = engine.refund("o1", "r2", lines=[{"sku": "A", "quantity": 1}]).value
    assert (two.amount, two.points_value, two.points_restored) == (1000, 4000, 40)


def test_an_unknown_allocation_is_refused(engine, enroll, fails):
    enroll(engine, "m1")
    error = fails("invalid_request", engine.record_order, "o1", "m1", 100, refund_allocation="x")
    assert "refund allocation" in error.message


@pytest.mark.parametrize("allocation", ["proportional", "cash_first"])
def test_a_cash_only_order_refunds_alike_either_way(make_engine, enroll, allocation):
    engine = make_engine()
    enroll(engine, "m1")
    engine.record_order("o1", "m1", 10000, refund_allocation=allocation)
    assert engine.refund("o1", "r1", amount=2500).value.points_revoked == 25
