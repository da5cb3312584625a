"""Billing rules of Capillary's POS guide, as configured on a live tenant (tenant clock)."""

from __future__ import annotations

from test_capillary_support import make_fixtures

cap_server, cap = make_fixtures()

DAY = 86400


def _code(item):
    return int(item["item_status"]["code"])


def test_a_scope_change_keeps_every_earlier_bill_unique(cap):
    cap.enroll()
    assert _code(cap.sale("B1", 100, till="till")) == 600  # org scope
    cap.configure(bill_number_unique_scope="till")
    assert _code(cap.sale("B1", 100, till="till")) == 604  # same till: still a duplicate
    assert cap.points() == 100
    assert _code(cap.sale("B1", 100, till="till2")) == 600  # another till may reuse it now


def test_a_scope_change_keeps_not_interested_bills_unique(cap):
    cap.enroll()
    ni = {"type": "not_interested", "number": "N1", "amount": "10"}
    assert _code(cap.transaction(ni)) == 600
    cap.configure(bill_number_unique_scope="store")
    assert _code(cap.transaction(ni)) == 604
    assert _code(cap.sale("N1", 10)) == 604


def test_widening_the_scope_applies_to_bills_posted_under_the_narrow_one(cap):
    cap.enroll()
    cap.configure(bill_number_unique_scope="till")
    assert _code(cap.sale("B1", 10, till="till")) == 600
    assert _code(cap.sale("B1", 10, till="till2")) == 600
    cap.configure(bill_number_unique_scope="org")
    assert _code(cap.sale("B1", 10, till="till")) == 604
    assert cap.points() == 20


def test_unique_in_days_lets_a_number_repeat_once_the_window_has_passed(cap):
    cap.enroll()
    cap.configure(bill_number_unique_in_days=30)
    assert _code(cap.sale("B1", 10)) == 600
    cap.advance(29 * DAY)
    assert _code(cap.sale("B1", 10)) == 604
    cap.advance(2 * DAY)
    assert _code(cap.sale("B1", 10)) == 600  # a new bill, earning on its own
    assert _code(cap.sale("B1", 10)) == 604  # and unique again from now on
    assert cap.points() == 20


def test_the_window_compares_billing_times_not_posting_times(cap):
    cap.enroll()
    cap.configure(bill_number_unique_in_days=30)
    cap.advance(90 * DAY)
    assert _code(cap.sale("B1", 10, billing_time="2026-01-01 10:00:00")) == 600
    now = cap.engine.now().strftime("%Y-%m-%d %H:%M:%S")
    assert _code(cap.sale("B1", 10, billing_time=now)) == 600
    assert _code(cap.sale("B1", 10, billing_time="2026-01-15 10:00:00")) == 604


def test_a_return_finds_the_latest_bill_of_a_repeated_number(cap):
    cap.enroll()
    cap.configure(bill_number_unique_in_days=1)
    cap.sale("B1", 10)
    cap.advance(2 * DAY)
    cap.sale("B1", 30)
    item = cap.ret("B1", "FULL")
    assert _code(item) == 600 and item["points_deducted"] == 30
    assert cap.points() == 10


def test_without_unique_bill_numbers_a_repeat_is_a_new_bill(cap):
    cap.enroll()
    cap.configure(bill_number_unique=False)
    assert _code(cap.sale("B1", 10)) == 600
    assert _code(cap.sale("B1", 10)) == 600
    assert cap.points() == 20
