"""Vouchers: series and pools, issue/purchase, reserve -> burn, limits, validity, reinstatement."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def shop(engine, enroll):
    """Members a and b, a single-use series S1 and a three-use series S3."""
    enroll(engine, "a", 1000)
    enroll(engine, "b", 1000)
    engine.create_series("ten off", series_id="S1", discount_kind="fixed", discount_value=1000)
    engine.create_series("multi", series_id="S3", discount_kind="percent", uses_per_code=3)
    return engine


def test_issue_takes_the_pool_in_order_then_generates_codes(engine, enroll, fails):
    enroll(engine, "a")
    series = engine.create_series("pool", series_id="P", codes=["P1", "P2"])
    assert series.pool == ["P1", "P2"]
    first = engine.issue_voucher("P", member_id="a")
    second = engine.issue_voucher("P")
    generated = engine.issue_voucher("P")
    assert (first.code, first.owner_id, second.code, second.owner_id) == ("P1", "a", "P2", None)
    assert generated.code not in ("P1", "P2") and len(generated.code) == 8
    assert engine.series("P").pool == []
    assert [v.code for v in engine.member_vouchers("a")] == ["P1"]

    named = engine.issue_voucher("P", code="NAMED")
    assert named.limit == 1 and engine.voucher("NAMED") is named
    fails("invalid_request", engine.issue_voucher, "P", code="NAMED")
    fails("invalid_request", engine.add_codes, "P", ["P1"])
    engine.add_codes("P", ["P3"])
    assert engine.issue_voucher("P").code == "P3"
    fails("voucher_not_found", engine.issue_voucher, "nope")
    fails("member_not_found", engine.issue_voucher, "P", member_id="ghost")
    assert engine.audit() == []


@pytest.mark.parametrize(
    "fields", [{"discount_kind": "bogus"}, {"uses_per_code": 0}, {"uses_per_code": "2"}]
)
def test_bad_series_is_invalid(engine, fails, fields):
    fails("invalid_request", engine.create_series, "bad", series_id="X", **fields)
    fails("voucher_not_found", engine.series, "X")


def test_purchase_spends_the_points_cost(engine, enroll, fails):
    enroll(engine, "a", 250)
    engine.create_series("shop", series_id="S", points_cost=100)
    voucher = engine.purchase_voucher("S", "a")
    assert voucher.owner_id == "a"
    assert engine.balance("a")["balance"] == 150
    engine.purchase_voucher("S", "a")
    fails("insufficient_points", engine.purchase_voucher, "S", "a")
    assert engine.balance("a")["balance"] == 50
    assert len(engine.member_vouchers("a")) == 2

    engine.create_series("pool only", series_id="PO", attributes={"pool_only": True})
    fails("voucher_pool_empty", engine.purchase_voucher, "PO", "a")
    engine.add_codes("PO", ["PO1"])
    assert engine.purchase_voucher("PO", "a").code == "PO1"
    assert engine.audit() == []


def test_single_use_voucher_is_burned_once(shop, fails):
    shop.issue_voucher("S1", code="ONE")
    burned = shop.burn_voucher("ONE", "a", order_id="o1")
    assert (burned.redeemed, burned.burns, burned.burned_orders) == (1, 1, ["o1"])
    fails("voucher_already_burned", shop.burn_voucher, "ONE", "a")
    fails("voucher_already_burned", shop.validate_voucher, "ONE")
    fails("voucher_already_burned", shop.reserve_voucher, "ONE", "b")
    assert shop.voucher("ONE").burns == 1
    assert shop.audit() == []


def test_multi_use_voucher_stops_at_its_limit(shop, fails):
    shop.issue_voucher("S3", code="MULTI")
    for n in range(1, 4):
        assert shop.burn_voucher("MULTI", "a" if n % 2 else "b").redeemed == n
    fails("voucher_quantity_exceeded", shop.burn_voucher, "MULTI")
    fails("voucher_quantity_exceeded", shop.reserve_voucher, "MULTI", "a")
    assert shop.voucher("MULTI").redeemed == 3
    assert shop.audit() == []


def test_reservations_count_against_a_multi_use_limit(shop, fails):
    shop.issue_voucher("S3", code="MULTI")
    shop.burn_voucher("MULTI")
    shop.reserve_voucher("MULTI", "a", reservation_id="co-1")
    shop.reserve_voucher("MULTI", "b", reservation_id="co-2")
    assert shop.voucher("MULTI").reserved == 2
    fails("voucher_quantity_exceeded", shop.burn_voucher, "MULTI")
    shop.burn_voucher("MULTI", "a", reservation_id="co-1")  # its own slot
    shop.release_voucher("MULTI", "co-2")
    voucher = shop.burn_voucher("MULTI")
    assert (voucher.redeemed, voucher.reserved) == (3, 0)
    assert shop.audit() == []


def test_reservation_by_another_checkout_blocks_a_single_use_code(shop, fails):
    shop.issue_voucher("S1", code="ONE")
    res = shop.reserve_voucher("ONE", "a", reservation_id="co-1")
    assert (res.state, res.member_id) == ("live", "a")
    assert shop.reserve_voucher("ONE", "a", reservation_id="co-1") is res  # same checkout
    fails("voucher_reserved", shop.reserve_voucher, "ONE", "b", reservation_id="co-2")
    fails("voucher_reserved", shop.burn_voucher, "ONE", "b")
    fails("voucher_reserved", shop.validate_voucher, "ONE")
    fails("voucher_not_reserved", shop.burn_voucher, "ONE", "b", reservation_id="co-2")

    voucher = shop.burn_voucher("ONE", "a", order_id="o1", reservation_id="co-1")
    assert (voucher.redeemed, voucher.reserved, res.state) == (1, 0, "burned")
    fails("voucher_not_reserved", shop.burn_voucher, "ONE", "a", reservation_id="co-1")
    assert shop.audit() == []


def test_reservation_expiry_frees_the_slot_at_exactly_its_ttl(shop, fails):
    shop.issue_voucher("S1", code="ONE")
    res = shop.reserve_voucher("ONE", "a", reservation_id="co-1", ttl_s=300)
    assert res.expires_at == shop.now() + timedelta(seconds=300)
    shop.advance_clock(299)
    fails("voucher_reserved", shop.reserve_voucher, "ONE", "b")
    shop.advance_clock(1)
    assert res.state == "expired" and shop.voucher("ONE").reserved == 0
    fails("voucher_not_reserved", shop.burn_voucher, "ONE", "a", reservation_id="co-1")
    fails("voucher_not_reserved", shop.release_voucher, "ONE", "co-1")
    other = shop.reserve_voucher("ONE", "b", reservation_id="co-2")
    shop.burn_voucher("ONE", "b", reservation_id="co-2")
    assert other.state == "burned"
    assert shop.audit() == []


def test_default_reservation_ttl_comes_from_the_program(shop):
    shop.issue_voucher("S1", code="ONE")
    res = shop.reserve_voucher("ONE", "a")
    assert res.reservation_id
    assert res.expires_at - shop.now() == timedelta(seconds=shop.config.voucher_reservation_ttl_s)


def test_release_gives_the_slot_back(shop, fails):
    shop.issue_voucher("S1", code="ONE")
    shop.reserve_voucher("ONE", "a", reservation_id="co-1")
    released = shop.release_voucher("ONE", "co-1")
    assert released.state == "released"
    fails("voucher_not_reserved", shop.release_voucher, "ONE", "co-1")
    fails("voucher_not_reserved", shop.release_voucher, "ONE", "never")
    assert shop.validate_voucher("ONE").code == "ONE"
    assert shop.burn_voucher("ONE", "b").redeemed == 1
    assert shop.audit() == []


def test_validate_is_a_dry_run_of_burn(shop, fails):
    shop.issue_voucher("S1", code="MINE", member_id="a")
    assert shop.validate_voucher("MINE", "a").redeemed == 0
    assert shop.validate_voucher("MINE", "a").redeemed == 0
    fails("voucher_owner_mismatch", shop.validate_voucher, "MINE", "b")
    fails("voucher_owner_mismatch", shop.burn_voucher, "MINE", "b")
    fails("voucher_owner_mismatch", shop.reserve_voucher, "MINE", "b")
    fails("voucher_not_found", shop.validate_voucher, "NOPE")
    shop.burn_voucher("MINE", "a")
    assert shop.voucher("MINE").redeemed == 1


def test_validity_window_is_inclusive_at_start_and_exclusive_at_end(engine, fails):
    start = engine.now() + timedelta(days=1)
    engine.create_series("week", series_id="W", valid_from=start, valid_until=start + timedelta(7))
    engine.issue_voucher("W", code="W1", member_id=None)
    engine.issue_voucher("W", code="W2")
    fails("voucher_not_active", engine.validate_voucher, "W1")
    fails("voucher_not_active", engine.burn_voucher, "W1")
    engine.advance_clock(86_400)
    assert engine.burn_voucher("W1").redeemed == 1
    engine.advance_clock(7 * 86_400 - 1)
    assert engine.validate_voucher("W2").code == "W2"
    engine.advance_clock(1)
    fails("voucher_expired", engine.validate_voucher, "W2")
    fails("voucher_expired", engine.reserve_voucher, "W2", None)
    assert engine.voucher("W2").redeemed == 0
    assert engine.audit() == []


def test_voided_voucher_cannot_be_used(shop, fails):
    shop.issue_voucher("S3", code="V")
    assert shop.void_voucher("V").voided is True
    fails("voucher_voided", shop.validate_voucher, "V")
    fails("voucher_voided", shop.burn_voucher, "V")
    fails("voucher_voided", shop.reserve_voucher, "V", "a")
    fails("voucher_not_found", shop.void_voucher, "NOPE")


def test_reinstated_only_on_full_refund(shop):
    shop.issue_voucher("S1", code="ONE", member_id="a")
    order = shop.record_order("o1", "a", 5000, voucher_codes=["ONE"]).value
    partial = shop.refund("o1", "r1", amount=4999).value
    assert partial.vouchers_reinstated == []
    assert shop.voucher("ONE").redeemed == 1
    full = shop.refund("o1", "r2").value
    assert full.vouchers_reinstated == ["ONE"] and order.state == "refunded"
    voucher = shop.voucher("ONE")
    assert (voucher.redeemed, voucher.reinstated, voucher.burned_orders) == (0, 1, [])

    shop.record_order("o2", "a", 5000, voucher_codes=["ONE"])  # usable again
    assert (voucher.redeemed, voucher.burns) == (1, 2)
    assert shop.audit() == []


def test_reinstatement_can_be_switched_off(make_engine, enroll, fails):
    engine = make_engine(voucher_reinstate_on_full_refund=False)
    enroll(engine, "a")
    engine.create_series("once", series_id="S1")
    engine.issue_voucher("S1", code="ONE")
    engine.record_order("o1", "a", 5000, voucher_codes=["ONE"])
    assert engine.refund("o1", "r1").value.vouchers_reinstated == []
    fails("voucher_already_burned", engine.validate_voucher, "ONE")
    assert engine.audit() == []


def test_only_the_order_that_burned_it_reinstates(shop):
    shop.issue_voucher("S1", code="ONE")
    shop.burn_voucher("ONE", "a", order_id="elsewhere")
    shop.record_order("o1", "a", 5000)
    assert shop.refund("o1", "r1").value.vouchers_reinstated == []
    assert shop.voucher("ONE").redeemed == 1
    assert shop.audit() == []


def test_an_order_burns_the_checkouts_own_reservation(shop, fails):
    shop.issue_voucher("S1", code="ONE")
    shop.earn("a", 100)
    shop.reserve_voucher("ONE", "a", reservation_id="co-1")
    fails("voucher_reserved", shop.record_order, "o1", "a", 1000, voucher_codes=["ONE"])
    fails(
        "voucher_not_reserved",
        shop.record_order,
        "o1",
        "a",
        1000,
        voucher_codes=["ONE"],
        voucher_reservations={"ONE": "co-9"},
    )
    fails(
        "invalid_request", shop.record_order, "o1", "a", 1000, voucher_reservations={"ONE": "co-1"}
    )
    order = shop.record_order(
        "o1", "a", 1000, voucher_codes=["ONE"], voucher_reservations={"ONE": "co-1"}
    ).value
    voucher = shop.voucher("ONE")
    assert (order.vouchers, voucher.redeemed, voucher.reserved) == (["ONE"], 1, 0)
    assert voucher.reservations["co-1"].state == "burned"
    assert shop.audit() == []
