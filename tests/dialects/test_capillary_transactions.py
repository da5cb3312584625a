"""transaction/add: sales, not-interested bills, duplicates, and every return type."""

from __future__ import annotations

import pytest

from tests.support.capillary import MOBILE, OTHER_MOBILE, make_fixtures

cap_server, cap = make_fixtures()

LINES = {
    "line_item": [
        {"serial": "1", "item_code": "SHOE", "qty": "2", "rate": "100", "value": "200"},
        {"serial": "2", "item_code": "SOCK", "qty": "1", "rate": "50", "value": "50"},
    ]
}


def _code(item):
    return item["item_status"]["code"]


def test_regular_sale_earns_points_and_reports_them(cap):
    cap.enroll()
    item = cap.sale("B1", "250.75", line_items=LINES)
    assert _code(item) == 600
    assert item["item_status"]["message"] == "Transaction added successfully"
    assert item["type"] == "REGULAR" and isinstance(item["id"], int)
    assert item["side_effects"]["effect"] == [
        {"type": "points", "awarded_points": 250, "total_points": 250}
    ]
    assert item["customer"]["loyalty_points"] == "250"
    assert cap.points() == 250


def test_a_new_identifier_on_a_bill_enrols_the_customer(cap):
    item = cap.sale("B1", 30, mobile=OTHER_MOBILE, customer={"mobile": OTHER_MOBILE})
    assert _code(item) == 600
    assert item["customer"]["user_id"].isdigit()
    assert cap.points(OTHER_MOBILE) == 30


def test_duplicate_bill_number_is_604_and_earns_nothing(cap):
    cap.enroll()
    cap.sale("B1", 100)
    duplicate = cap.sale("B1", 100)
    assert _code(duplicate) == 604 and duplicate["item_status"]["success"] == "false"
    assert cap.points() == 100


def test_bill_numbers_are_unique_per_store_when_configured(cap):
    cap.enroll()
    cap.sale("B1", 10, till="till")
    assert _code(cap.sale("B1", 10, till="till2")) == 604  # org-wide by default
    cap.configure(bill_number_unique_scope="store")
    assert _code(cap.sale("B1", 10, till="till2")) == 600
    assert _code(cap.sale("B1", 10, till="till2")) == 604


def test_not_interested_bill_has_no_customer_and_no_points(cap):
    cap.enroll()
    item = cap.transaction({"type": "not_interested", "number": "N1", "amount": "99"})
    assert _code(item) == 600 and item["type"] == "NOT_INTERESTED"
    duplicate = cap.transaction({"type": "NOT_INTERESTED", "number": "N1", "amount": "99"})
    assert _code(duplicate) == 604
    assert _code(cap.sale("N1", 10)) == 604  # one number space for all bills
    assert cap.points() == 0


@pytest.mark.parametrize(
    ("tx", "code"),
    [
        ({"type": "layaway", "number": "B1", "amount": "10"}, 605),
        ({"type": "mixed", "number": "B1", "amount": "10"}, 605),
        ({"type": "regular", "number": "B1", "amount": "10"}, 606),
        ({"number": "B1", "amount": "10", "customer": {"id": "424242"}}, 611),
        ({"type": "regular", "amount": "10", "customer": {"mobile": MOBILE}}, 602),
        ({"number": "B" * 51, "amount": "10", "customer": {"mobile": MOBILE}}, 602),
        ({"number": "B1", "amount": "ten", "customer": {"mobile": MOBILE}}, 601),
        ({"number": "B1", "customer": {"mobile": MOBILE}}, 601),
        ({"number": "B1", "amount": "-5", "customer": {"mobile": MOBILE}}, 631),
        ({"number": "B1", "amount": "5", "discount": "-1", "customer": {"mobile": MOBILE}}, 601),
        ({"number": "B1", "amount": "5", "customer": {"mobile": "12x"}}, 649),
        (
            {"number": "B1", "amount": "5", "billing_time": "2027-01-01 00:00:00"}
            | {"customer": {"mobile": MOBILE}},
            643,
        ),
        (
            {"number": "B1", "amount": "5", "billing_time": "soon"}
            | {"customer": {"mobile": MOBILE}},
            621,
        ),
        (
            {"number": "B1", "amount": "5", "customer": {"mobile": MOBILE}}
            | {"line_items": {"line_item": {"item_code": "X", "qty": "-1"}}},
            601,
        ),
    ],
)
def test_sale_validation_codes(cap, tx, code):
    item = cap.transaction(tx)
    assert _code(item) == code, item


def test_bill_rules_from_config(cap):
    cap.configure(
        bill_number_regex=r"POS-\d+",
        min_bill_amount="5",
        max_bill_amount="1000",
        allow_zero_amount=False,
    )
    cap.enroll()
    assert _code(cap.sale("B1", 10)) == 602
    assert _code(cap.sale("POS-1", 4)) == 601
    assert _code(cap.sale("POS-1", 1001)) == 601
    assert _code(cap.sale("POS-1", 10)) == 600


def test_bill_number_optional_when_config_allows(cap):
    cap.configure(bill_number_required=False)
    cap.enroll()
    first = cap.transaction({"amount": "5", "customer": {"mobile": MOBILE}})
    second = cap.transaction({"amount": "5", "customer": {"mobile": MOBILE}})
    assert _code(first) == _code(second) == 600
    assert first["number"] != second["number"]


def test_batch_with_one_failure_is_201(cap):
    cap.enroll()
    items = [
        {"number": "B1", "amount": "10", "customer": {"mobile": MOBILE}},
        {"number": "B1", "amount": "10", "customer": {"mobile": MOBILE}},
    ]
    body = cap.body(cap.post("transaction/add", "transaction", items))
    assert body["status"]["code"] == 201
    assert [_code(t) for t in body["transactions"]["transaction"]] == [600, 604]


def test_linked_points_redemption_ids_are_checked(cap):
    cap.enroll()
    cap.earn(200)
    redemption = cap.redeem(50)["redemption_id"]
    linked = {"points_redemptions": {"id": [redemption]}}
    assert _code(cap.sale("B2", 100, redemptions=linked)) == 600
    unknown = {"points_redemptions": {"id": ["nope00"]}}
    assert _code(cap.sale("B3", 100, redemptions=unknown)) == 642


# -- returns ---------------------------------------------------------------------------


def _return_of(cap, number="B1", amount="250", lines=LINES):
    cap.enroll()
    cap.sale(number, amount, line_items=lines)
    return cap


def test_full_return_revokes_every_earned_point(cap):
    _return_of(cap)
    item = cap.ret("B1", "FULL")
    assert _code(item) == 600 and item["type"] == "RETURN"
    assert item["points_deducted"] == 250 and item["points_balance"] == 0
    assert cap.points() == 0
    assert _code(cap.ret("B1", "FULL")) == 633


def test_amount_returns_revoke_proportionally_and_settle_exactly(cap):
    _return_of(cap, amount="250.50")
    first = cap.ret("B1", "AMOUNT", amount="100")
    assert first["points_deducted"] == 99  # floor(250 * 100 / 250.5)
    second = cap.ret("B1", "AMOUNT", amount="150.50")
    assert second["points_deducted"] == 151  # the rest: cumulative, never over-revoked
    assert cap.points() == 0
    assert _code(cap.ret("B1", "AMOUNT", amount="1")) == 633


def test_amount_return_cannot_exceed_the_bill(cap):
    _return_of(cap)
    assert _code(cap.ret("B1", "AMOUNT", amount="251")) == 630
    assert _code(cap.ret("B1", "AMOUNT", amount="0")) == 601
    assert cap.points() == 250


def test_line_item_return_revokes_in_proportion_to_line_amounts(cap):
    _return_of(cap)
    lines = {"line_item": {"item_code": "SHOE", "qty": "1"}}
    item = cap.ret("B1", "LINE_ITEM", line_items=lines)
    assert item["points_deducted"] == 100  # one shoe: 100 of 250
    assert cap.points() == 150
    too_many = {"line_item": [{"item_code": "SHOE", "qty": "2"}]}
    assert _code(cap.ret("B1", "LINE_ITEM", line_items=too_many)) == 626
    rest = {"line_item": [{"item_code": "SHOE", "qty": "1"}, {"item_code": "SOCK", "qty": "1"}]}
    assert cap.ret("B1", "LINE_ITEM", line_items=rest)["points_deducted"] == 150
    assert cap.points() == 0


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"line_items": {"line_item": {"item_code": "HAT", "qty": "1"}}}, 687),
        ({"line_items": {"line_item": {"item_code": "SHOE", "qty": "0"}}}, 627),
        ({}, 679),
    ],
)
def test_line_item_return_failures(cap, extra, code):
    _return_of(cap)
    tx = {"type": "return", "return_type": "LINE_ITEM", "number": "B1"}
    tx |= {"customer": {"mobile": MOBILE}, **extra}
    assert _code(cap.transaction(tx)) == code


def test_full_after_partial_and_mixed_return_types_are_refused(cap):
    _return_of(cap)
    cap.ret("B1", "AMOUNT", amount="10")
    assert _code(cap.ret("B1", "FULL")) == 639
    lines = {"line_item": {"item_code": "SHOE", "qty": "1"}}
    assert _code(cap.ret("B1", "LINE_ITEM", line_items=lines)) == 632


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"number": "NOPE"}, 625),
        ({"return_type": "HALF"}, 628),
        ({"number": None}, 602),
        ({"customer": {}}, 606),
        ({"customer": {"mobile": "919811111111"}}, 611),
        ({"customer": {"mobile": OTHER_MOBILE}}, 625),
        ({"billing_time": "2025-12-31 23:00:00"}, 624),
    ],
)
def test_return_validation_codes(cap, extra, code):
    _return_of(cap)
    cap.enroll(mobile=OTHER_MOBILE)
    tx = {"type": "return", "return_type": "FULL", "number": "B1"}
    tx |= {"customer": {"mobile": MOBILE}}
    tx |= extra
    assert _code(cap.transaction(tx)) == code
    assert cap.points() == 250


def test_unknown_bill_return_becomes_a_warning_when_allowed(cap):
    cap.configure(allow_not_existing_bill_return=True, return_bill_number_required=True)
    cap.enroll()
    item = cap.ret("OLD-1", "AMOUNT", amount="5")
    assert _code(item) == 600
    assert item["item_status"]["warnings"]["warning"] == ["625"]
    tx = {"type": "return", "customer": {"mobile": MOBILE}}
    assert _code(cap.transaction(tx)) == 677


def test_return_receipt_number_is_unique(cap):
    _return_of(cap)
    first = cap.ret("B1", "AMOUNT", amount="10", parent_bill_number="R-1")
    assert _code(first) == 600 and first["parent_bill_number"] == "R-1"
    assert _code(cap.ret("B1", "AMOUNT", amount="10", parent_bill_number="R-1")) == 604
    assert cap.points() == 240


def test_return_may_name_the_original_bill_by_id(cap):
    cap.enroll()
    bill_id = cap.sale("B1", 80)["id"]
    item = cap.ret("ignored", "FULL", id=str(bill_id))
    assert _code(item) == 600 and item["number"] == "B1"
    assert cap.points() == 0


def test_not_interested_return_is_bounded_by_the_bill(cap):
    cap.transaction({"type": "not_interested", "number": "N1", "amount": "50"})
    ni_return = {"type": "not_interested_return", "number": "N1", "amount": "30"}
    assert _code(cap.transaction(ni_return)) == 600
    assert _code(cap.transaction(ni_return)) == 630
    missing = {"type": "not_interested_return", "number": "N9", "amount": "1"}
    assert _code(cap.transaction(missing)) == 625
