"""Billing rules of Capillary's POS guide, as configured on a live tenant (tenant clock)."""

from __future__ import annotations

import pytest

from tests.support.capillary import MOBILE, make_fixtures

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


def test_numbers_are_unique_for_30_days_unless_configured(cap):
    cap.enroll()
    assert _code(cap.sale("B1", 10)) == 600
    cap.advance(30 * DAY)
    assert _code(cap.sale("B1", 10)) == 604  # InTouch's fallback window: 30 days
    cap.advance(2 * DAY)
    cap.configure(bill_number_unique_in_days=None)  # forever
    assert _code(cap.sale("B1", 10)) == 604
    cap.configure()
    assert _code(cap.sale("B1", 10)) == 600


def test_the_window_counts_whole_days_back_from_the_new_bills_day(cap):
    cap.enroll()
    cap.configure(bill_number_unique_in_days=1)
    cap.advance(10 * DAY)
    assert _code(cap.sale("B1", 10, billing_time="2026-01-05 01:00:00")) == 600
    # 46 hours later, but the earlier bill is on or after the day before: still unique
    assert _code(cap.sale("B1", 10, billing_time="2026-01-06 23:00:00")) == 604
    assert _code(cap.sale("B1", 10, billing_time="2026-01-07 00:30:00")) == 600


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


# -- retro: transaction/update turns a not-interested bill into a loyalty bill ----------

SIGNED = {"X-CAP-CLIENT-SIGNATURE": "pos-suite"}


def _ni(cap, number="N1", amount="80"):
    item = cap.transaction({"type": "not_interested", "number": number, "amount": amount})
    assert _code(item) == 600
    return item["id"]


def _retro(cap, bill_id, headers=SIGNED, **extra):
    tx = {"id": str(bill_id), "old_type": "NOT_INTERESTED", "new_type": "REGULAR"}
    tx["customer"] = {"mobile": MOBILE}
    body = {"root": {"transaction": {**tx, **extra}}}
    response = cap.client.post(
        "/v1.1/transaction/update",
        params={"format": "json"},
        json=body,
        headers={**cap.headers(), **headers},
    )
    return cap.body(response)["transactions"]["transaction"][0]


def test_retro_converts_a_not_interested_bill_and_earns_once(cap):
    cap.enroll()
    cap.configure(retro_transaction_enable=True)
    bill_id = _ni(cap)
    item = _retro(cap, bill_id)
    assert (
        _code(item) == 1630 and item["old_id"] == bill_id and item["old_type"] == "NOT_INTERESTED"
    )
    assert item["type"] == "REGULAR" and item["number"] == "N1"
    assert item["side_effects"]["effect"][0]["awarded_points"] == 80
    assert cap.points() == 80
    assert _code(_retro(cap, bill_id)) == 1627  # converted once
    assert _code(cap.sale("N1", 10)) == 604  # the number is still taken
    assert cap.ret("N1", "FULL")["points_deducted"] == 80  # now a loyalty bill to return
    assert cap.points() == 0


def test_retro_is_refused_when_not_enabled(cap):
    cap.enroll()
    bill_id = _ni(cap)
    assert _code(_retro(cap, bill_id)) == 1631
    assert cap.points() == 0


def test_retro_needs_the_client_signature(cap):
    cap.enroll()
    cap.configure(retro_transaction_enable=True)
    assert _code(_retro(cap, _ni(cap), headers={})) == 1629
    assert cap.points() == 0


def test_retro_respects_the_maximum_age_on_the_tenant_clock(cap):
    cap.enroll()
    cap.configure(retro_transaction_enable=True, retro_max_allowed_age_days=7)
    old = _ni(cap, "N1")
    cap.advance(6 * DAY)
    fresh = _ni(cap, "N2")
    cap.advance(2 * DAY)
    assert _code(_retro(cap, old)) == 1632
    assert _code(_retro(cap, fresh)) == 1630
    assert cap.points() == 80


def test_retro_of_an_unknown_bill_is_an_item_error(cap):
    cap.enroll()
    cap.configure(retro_transaction_enable=True)
    assert _code(_retro(cap, 12345)) == 688


def test_transaction_update_without_types_updates_the_notes_of_a_loyalty_bill(cap):
    cap.enroll()
    cap.sale("B1", 10)
    body = {"root": {"transaction": [{"number": "B1", "notes": "gift wrap"}]}}
    response = cap.client.post("/v1.1/transaction/update", json=body, headers=cap.headers())
    item = cap.body(response)["transactions"]["transaction"][0]
    assert _code(item) == 600 and item["notes"] == "gift wrap"
    got = cap.body(cap.get("customer/transactions", mobile=MOBILE))
    assert got["customer"]["transactions"]["transaction"][0]["notes"] == "gift wrap"


# -- exchange (MIXED) bills -------------------------------------------------------------

SHOES = {
    "line_item": [
        {"item_code": "SHOE", "qty": "1", "rate": "100", "value": "100", "amount": "100"},
        {"item_code": "SOCK", "qty": "2", "rate": "10", "value": "20", "amount": "20"},
    ]
}


def _exchange(cap, number="X1", original="B1", sku="SHOE", **extra):
    lines = [
        {"type": "regular", "item_code": "BOOT", "qty": "1", "rate": "150", "amount": "150"},
        {
            "type": "return",
            "return_type": "LINE_ITEM",
            "transaction_number": original,
            "item_code": sku,
            "qty": "1",
            "amount": "100",
        },
    ]
    tx = {"type": "mixed", "number": number, "amount": "50", "customer": {"mobile": MOBILE}}
    return cap.transaction({**tx, "line_items": {"line_item": lines}, **extra})


def test_an_exchange_returns_the_old_lines_and_earns_on_the_new_ones(cap):
    cap.enroll()
    assert _code(cap.sale("B1", 120, line_items=SHOES)) == 600
    item = _exchange(cap)
    assert _code(item) == 600 and item["type"] == "MIXED" and item["number"] == "X1"
    assert item["points_deducted"] == 100  # the shoe's share of the 120 earned
    assert item["side_effects"]["effect"][0]["awarded_points"] == 150
    assert cap.points() == 120 - 100 + 150
    assert _code(_exchange(cap)) == 604  # the exchange bill is a bill like any other
    assert cap.points() == 170


def test_an_exchange_against_an_unknown_bill_books_nothing(cap):
    cap.enroll()
    cap.sale("B1", 120, line_items=SHOES)
    assert _code(_exchange(cap, original="NOPE")) == 625
    assert cap.points() == 120
    assert _code(cap.sale("X1", 10)) == 600  # the refused exchange did not take its number


def test_a_refused_sale_half_leaves_the_returned_bill_untouched(cap):
    cap.enroll()
    cap.sale("B1", 120, line_items=SHOES)
    cap.sale("X1", 5)
    assert _code(_exchange(cap)) == 604
    assert cap.ret("B1", "FULL")["points_deducted"] == 120


def test_bill_records_survive_a_snapshot_and_restore(cap):
    cap.enroll()
    cap.configure(retro_transaction_enable=True)
    cap.sale("B1", 10)
    bill_id = _ni(cap, "N1")
    base = f"/_posim/tenants/{cap.tenant.tenant_id}"
    snapshot = cap.client.get(f"{base}/snapshot").json()
    assert cap.client.post(f"{base}/reset").status_code == 200
    assert cap.client.post(f"{base}/restore", json=snapshot).status_code == 200
    cap.configure(bill_number_unique_scope="till", retro_transaction_enable=True)
    assert _code(cap.sale("B1", 10)) == 604
    assert _code(_retro(cap, bill_id)) == 1630
    assert cap.points() == 90


def test_an_exchange_returning_more_than_was_bought_books_nothing(cap):
    cap.enroll()
    cap.sale("B1", 120, line_items=SHOES)
    cap.sale("B2", 120, line_items=SHOES)
    lines = [
        {"type": "regular", "item_code": "BOOT", "qty": "1", "amount": "150"},
        {"type": "return", "transaction_number": "B1", "item_code": "SHOE", "qty": "1"},
        {"type": "return", "transaction_number": "B2", "item_code": "SOCK", "qty": "3"},
    ]
    tx = {"type": "mixed", "number": "X1", "amount": "50", "customer": {"mobile": MOBILE}}
    refused = cap.transaction({**tx, "line_items": {"line_item": lines}})
    assert _code(refused) == 626
    assert cap.points() == 240  # neither return half was booked
    assert cap.ret("B1", "FULL")["points_deducted"] == 120


def test_an_exchange_counts_what_earlier_returns_took_back(cap):
    cap.enroll()
    cap.sale("B1", 120, line_items=SHOES)
    cap.sale("B2", 120, line_items=SHOES)
    socks = {"line_item": [{"item_code": "SOCK", "qty": "2"}]}
    assert _code(cap.ret("B2", "LINE_ITEM", line_items=socks)) == 600
    lines = [
        {"type": "regular", "item_code": "BOOT", "qty": "1", "amount": "150"},
        {"type": "return", "transaction_number": "B1", "item_code": "SHOE", "qty": "1"},
        {"type": "return", "transaction_number": "B2", "item_code": "SOCK", "qty": "1"},
    ]
    tx = {"type": "mixed", "number": "X1", "amount": "50", "customer": {"mobile": MOBILE}}
    assert _code(cap.transaction({**tx, "line_items": {"line_item": lines}})) == 626
    assert cap.points() == 240 - 20  # only the earlier sock return
    assert cap.ret("B1", "FULL")["points_deducted"] == 120  # B1 untouched


def test_bills_before_the_minimum_billing_date_are_refused(cap):
    cap.enroll()
    cap.configure(min_billing_date="2025-06-01")
    old = cap.sale("B1", 10, billing_time="2025-05-31 23:59:59")
    assert (
        _code(old) == 644 and old["item_status"]["message"] == "Transaction date too behind in past"
    )
    assert _code(cap.sale("B1", 10, billing_time="2025-06-01 00:00:00")) == 600
    assert cap.points() == 10


def test_bills_dated_ahead_of_the_tenant_clock_are_643(cap):
    cap.enroll()
    ahead = cap.sale("B1", 10, billing_time="2026-01-03 00:00:00")
    assert _code(ahead) == 643
    cap.advance(2 * DAY)
    assert _code(cap.sale("B1", 10, billing_time="2026-01-03 00:00:00")) == 600


@pytest.mark.parametrize(
    ("sold", "extra", "code"),
    [
        ({"type": "regular", "item_code": "BOOT", "amount": "-5"}, {}, 631),
        ({"type": "regular", "item_code": "BOOT", "amount": "5", "discount": "-1"}, {}, 601),
        (
            {"type": "regular", "item_code": "BOOT", "amount": "5"},
            {"redemptions": {"points_redemptions": {"id": ["nope"]}}},
            642,
        ),
    ],
)
def test_an_exchange_whose_new_lines_are_refused_returns_nothing(cap, sold, extra, code):
    cap.enroll()
    cap.sale("B1", 120, line_items=SHOES)
    lines = [sold, {"type": "return", "transaction_number": "B1", "item_code": "SHOE", "qty": "1"}]
    tx = {"type": "mixed", "number": "X1", "amount": "5", "customer": {"mobile": MOBILE}}
    assert _code(cap.transaction({**tx, **extra, "line_items": {"line_item": lines}})) == code
    assert cap.points() == 120


def test_retro_needs_the_customer_registered_soon_enough_after_the_bill(cap):
    cap.configure(retro_transaction_enable=True, retro_delay_since_registration_hours=2)
    bill_id = _ni(cap, "N1")
    cap.advance(3 * 3600)
    assert _code(_retro(cap, bill_id)) == 1633  # would register the customer now: too late
    assert cap.body(cap.get("customer/get", mobile=MOBILE))["status"]["code"] == 500  # no one
    early = _ni(cap, "N2")
    cap.advance(3600)
    assert _code(_retro(cap, early)) == 1630  # registered an hour after this bill
    assert _code(_retro(cap, bill_id)) == 1633  # and four hours after the first one
    assert cap.points() == 80
