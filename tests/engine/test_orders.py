"""Orders: one earn per (merchant, order id), hold capture, one-phase spend, atomicity."""

from __future__ import annotations

import pytest

LINES = [
    {"sku": "A", "quantity": 2, "unit_price": 300, "name": "Tea", "category": "drinks"},
    {"sku": "B", "quantity": 1, "unit_price": 400},
]


def test_order_earns_on_the_amount_paid(engine, enroll):
    enroll(engine, "m1")
    outcome = engine.record_order("o1", "m1", 1000, paid_amount=899, lines=LINES)
    order = outcome.value
    assert outcome.replayed is False
    assert order.points_earned == 8  # floor(899 / 100)
    assert (order.total_amount, order.paid_amount, order.state) == (1000, 899, "created")
    assert [(x.sku, x.quantity, x.unit_price) for x in order.lines] == [
        ("A", 2, 300),
        ("B", 1, 400),
    ]
    assert order.lines[0].category == "drinks"
    assert engine.state.lots[order.lot_id].amount == 8
    assert engine.balance("m1")["balance"] == 8
    assert engine.order("o1") is order
    assert engine.audit() == []


def test_paid_defaults_to_total_and_earn_points_overrides(engine, enroll):
    enroll(engine, "m1")
    assert engine.record_order("o1", "m1", 1234).value.points_earned == 12
    assert engine.record_order("o2", "m1", 1234, earn_points=50).value.points_earned == 50
    assert engine.balance("m1")["balance"] == 62
    assert engine.audit() == []


def test_small_order_earns_nothing_and_creates_no_lot(engine, enroll):
    enroll(engine, "m1")
    order = engine.record_order("o1", "m1", 99).value
    assert order.points_earned == 0 and order.lot_id is None
    assert engine.state.lots == {}
    assert engine.audit() == []


def test_quote_points_has_no_side_effect(make_engine, enroll, fails):
    engine = make_engine(earn_points=3, earn_per_minor=250)
    enroll(engine, "m1")
    assert engine.quote_points(1000) == 12
    assert engine.quote_points(83) == 0  # 249 / 250
    fails("invalid_request", engine.quote_points, -1)
    assert engine.state.ledger.postings == []
    assert engine.record_order("o1", "m1", 1000).value.points_earned == 12


def test_identical_order_replays_without_earning_twice(engine, enroll):
    enroll(engine, "m1")
    first = engine.record_order("o1", "m1", 5000, lines=LINES).value
    again = engine.record_order("o1", "m1", 5000, lines=LINES)
    assert again.replayed is True and again.value is first
    assert engine.balance("m1")["balance"] == 50
    assert len(engine.member_orders("m1")) == 1
    assert engine.audit() == []


@pytest.mark.parametrize(
    "changed",
    [
        {"total_amount": 5001},
        {"paid_amount": 4000},
        {"lines": [{"sku": "A", "quantity": 1, "unit_price": 5000}]},
        {"earn_points": 1},
    ],
)
def test_same_order_id_with_other_content_conflicts(engine, enroll, fails, changed):
    enroll(engine, "m1")
    engine.record_order("o1", "m1", 5000)
    args = {"total_amount": 5000, **changed}
    fails("order_conflict", engine.record_order, "o1", "m1", **args)
    assert engine.balance("m1")["balance"] == 50


def test_order_ids_are_scoped_by_merchant(engine, enroll, fails):
    enroll(engine, "m1")
    a = engine.record_order("o1", "m1", 1000, merchant_id="shop-a").value
    b = engine.record_order("o1", "m1", 2000, merchant_id="shop-b").value
    assert a is not b
    assert engine.order("o1", "shop-a").paid_amount == 1000
    assert engine.order("o1", "shop-b").paid_amount == 2000
    fails("order_not_found", engine.order, "o1")
    assert engine.balance("m1")["balance"] == 30
    assert engine.audit() == []


def test_order_captures_its_hold(engine, enroll):
    enroll(engine, "m1", 500)
    hold = engine.create_hold("m1", points=200).value
    order = engine.record_order("o1", "m1", 10000, paid_amount=8000, hold_id=hold.hold_id).value
    assert (hold.state, hold.captured, hold.order_id) == ("captured", 200, "o1")
    assert order.points_redeemed == 200 and order.hold_id == hold.hold_id
    bal = engine.balance("m1")
    assert (bal["balance"], bal["held"]) == (500 - 200 + 80, 0)
    assert engine.audit() == []


def test_order_captures_part_of_its_hold(engine, enroll, fails):
    enroll(engine, "m1", 500)
    hold = engine.create_hold("m1", points=200).value
    fails(
        "capture_exceeds_hold",
        engine.record_order,
        "o1",
        "m1",
        1000,
        hold_id=hold.hold_id,
        redeem_points=201,
    )
    order = engine.record_order("o1", "m1", 1000, hold_id=hold.hold_id, redeem_points=150).value
    assert order.points_redeemed == 150 and hold.captured == 150
    assert engine.balance("m1")["balance"] == 500 - 150 + 10
    assert engine.audit() == []


def test_order_cannot_use_another_members_hold(engine, enroll, fails):
    enroll(engine, "m1", 500)
    enroll(engine, "m2")
    hold = engine.create_hold("m1", points=100).value
    fails("hold_member_mismatch", engine.record_order, "o1", "m2", 1000, hold_id=hold.hold_id)
    assert hold.state == "pending"
    fails("order_not_found", engine.order, "o1")


def test_order_with_an_expired_hold_fails(engine, enroll, fails):
    enroll(engine, "m1", 500)
    hold = engine.create_hold("m1", points=100, ttl_s=60).value
    engine.advance_clock(60)
    fails("hold_expired", engine.record_order, "o1", "m1", 1000, hold_id=hold.hold_id)
    assert engine.balance("m1")["balance"] == 500
    fails("order_not_found", engine.order, "o1")


def test_order_pays_with_points_in_one_phase(engine, enroll, fails):
    enroll(engine, "m1", 300)
    fails("insufficient_points", engine.record_order, "o0", "m1", 1000, redeem_points=301)
    fails("order_not_found", engine.order, "o0")
    order = engine.record_order("o1", "m1", 1000, paid_amount=700, redeem_points=300).value
    assert order.points_redeemed == 300 and order.points_earned == 7
    assert engine.balance("m1")["balance"] == 7
    assert engine.audit() == []


def test_a_failing_step_rolls_the_whole_order_back(engine, enroll, fails):
    enroll(engine, "m1", 500)
    engine.create_series("once", series_id="S1")
    engine.issue_voucher("S1", code="USED")
    engine.burn_voucher("USED")
    hold = engine.create_hold("m1", points=100).value
    before = engine.balance("m1")
    fails(
        "voucher_already_burned",
        engine.record_order,
        "o1",
        "m1",
        1000,
        hold_id=hold.hold_id,
        voucher_codes=["USED"],
    )
    assert hold.state == "pending" and hold.captured == 0
    assert engine.balance("m1") == before
    assert engine.member_orders("m1") == []
    fails("order_not_found", engine.order, "o1")
    assert engine.audit() == []


def test_order_burns_vouchers(engine, enroll):
    enroll(engine, "m1")
    engine.create_series("ten off", series_id="S1", discount_value=1000)
    engine.issue_voucher("S1", code="V1", member_id="m1")
    order = engine.record_order("o1", "m1", 5000, paid_amount=4000, voucher_codes=["V1"]).value
    assert order.vouchers == ["V1"]
    assert engine.voucher("V1").redeemed == 1
    assert engine.audit() == []


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("", "m1", 100), {}),
        (("o1", "m1", -1), {}),
        (("o1", "m1", 100), {"paid_amount": -5}),
        (("o1", "m1", 100), {"paid_amount": 1.5}),
        (("o1", "m1", 100), {"lines": [{"quantity": 1, "unit_price": 100}]}),
        (("o1", "m1", 100), {"lines": [{"sku": "A", "quantity": 0}]}),
        (("o1", "m1", 100), {"redeem_points": 0}),
        (("o1", "m1", 100), {"voucher_codes": ["V", "V"]}),
        (("o1", "m1", 100), {"return_window_days": -1}),
    ],
)
def test_malformed_orders_are_invalid(engine, enroll, fails, args, kwargs):
    enroll(engine, "m1", 100)
    fails("invalid_request", engine.record_order, *args, **kwargs)
    assert engine.member_orders("m1") == []


def test_unknown_references_are_not_found(engine, enroll, fails):
    enroll(engine, "m1")
    fails("member_not_found", engine.record_order, "o1", "ghost", 100)
    fails("hold_not_found", engine.record_order, "o1", "m1", 100, hold_id="nope")
    fails("voucher_not_found", engine.record_order, "o1", "m1", 100, voucher_codes=["NOPE"])
    fails("referral_code_not_found", engine.record_order, "o1", "m1", 100, referral_code="NOPE")
    fails("order_not_found", engine.order, "o1")


def test_return_window_keeps_the_earn_pending(engine, enroll, fails):
    enroll(engine, "m1", 20)
    order = engine.record_order("o1", "m1", 10000, return_window_days=7).value
    lot = engine.state.lots[order.lot_id]
    assert lot.state == "pending"
    assert lot.activates_at == order.created_at.replace(day=8)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["pending"]) == (20, 20, 100)
    fails("insufficient_points", engine.redeem_points, "m1", 21)
    assert engine.audit() == []
