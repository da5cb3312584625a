"""points/isredeemable, points/validationcode and points/redeem with the redeem rules."""

from __future__ import annotations

import pytest

from tests.support.capillary import MOBILE, make_fixtures

cap_server, cap = make_fixtures()


def _check(cap, points, **params):
    body = cap.body(cap.get("points/isredeemable", points=points, mobile=MOBILE, **params))
    return body["status"], body["points"]["redeemable"]


@pytest.fixture
def member(cap):
    cap.enroll()
    cap.earn(500)
    return cap


def test_isredeemable_answers_800_with_the_value_and_changes_nothing(member):
    status, redeemable = _check(member, 200)
    assert status["code"] == 200
    assert redeemable["is_redeemable"] == "true"
    assert redeemable["item_status"] == {
        "success": "true",
        "code": 800,
        "message": "Points can be redeemed",
    }
    assert redeemable["points_redeem_value"] == 2  # 100 points = 1.00 by default
    assert redeemable["points_currency_ratio"] == "0.01"
    for _ in range(3):
        _check(member, 200)
    assert member.points() == 500


@pytest.mark.parametrize(
    ("points", "code"),
    [("501", 804), ("abc", 801), ("-1", 801), ("2.5", 801), ("1.0001", 878)],
)
def test_isredeemable_failures(member, points, code):
    status, redeemable = _check(member, points)
    assert status["code"] == 500
    assert redeemable["is_redeemable"] == "false"
    assert redeemable["item_status"]["code"] == code


def test_isredeemable_identifies_the_customer(cap):
    body = cap.body(cap.get("points/isredeemable", points=10, mobile="919811111111"))
    assert body["points"]["redeemable"]["item_status"]["code"] == 816
    body = cap.body(cap.get("points/isredeemable", points=10))
    assert body["points"]["redeemable"]["item_status"]["code"] == 802


def test_redeem_rules_minimum_multiple_and_maximum(member):
    member.configure(
        min_points_to_redeem=100, redeem_multiple_of=50, max_points_per_transaction=300
    )
    assert _check(member, 50)[1]["item_status"]["code"] == 821
    assert _check(member, 120)[1]["item_status"]["code"] == 807
    assert _check(member, 350)[1]["item_status"]["code"] == 819
    assert _check(member, 150)[1]["item_status"]["code"] == 800
    assert member.redeem(120)["item_status"]["code"] == 807
    assert member.redeem(350)["item_status"]["code"] == 819
    assert member.points() == 500


def test_currency_input_asks_for_points_worth_an_amount(member):
    _, redeemable = _check(member, "", currency_input="true", currency_value="3")
    assert redeemable["points"] == "300" and redeemable["input_type"] == "currency"


def test_redeem_deducts_and_returns_a_redemption_id(member):
    item = member.redeem(200, transaction_number="SEED-NONE")
    assert item["item_status"] == {"success": "true", "code": 800, "message": "Points Redeemed"}
    assert len(item["redemption_id"]) == 6
    assert item["balance"] == 300 and item["redeemed_value"] == 2
    effect = item["side_effects"]["effect"][0]
    assert effect["num_points"] == 200 and effect["redeemed_on_bill_id"] == -1
    assert member.points() == 300
    summary = member.customer(mobile=MOBILE)["points_summaries"]["points_summary"][0]
    assert summary["redeemed"] == "200"


def test_redeem_more_than_available_is_804_and_changes_nothing(member):
    item = member.redeem(501)
    assert item["item_status"]["code"] == 804 and item["redeemed_value"] == 0
    assert member.points() == 500


def test_redeem_unknown_customer_is_816_in_a_500(cap):
    body = cap.body(
        cap.post(
            "points/redeem",
            "redeem",
            {"points_redeemed": "10", "customer": {"mobile": "919811111111"}},
        )
    )
    assert body["status"]["code"] == 500
    assert body["responses"]["points"]["item_status"]["code"] == 816


def test_duplicate_external_reference_is_744(member):
    assert member.redeem(10, external_reference_number="REF-1")["item_status"]["code"] == 800
    assert member.redeem(10, external_reference_number="REF-1")["item_status"]["code"] == 744
    assert member.points() == 490


def test_redeem_on_a_bill_links_the_bill(member):
    sale = member.sale("B1", 100)
    item = member.redeem(50, transaction_number="B1")
    assert item["side_effects"]["effect"][0]["redeemed_on_bill_id"] == sale["id"]
    rows = member.body(member.get("customer/transactions", mobile=MOBILE, number="B1"))
    assert rows["customer"]["transactions"]["transaction"][0]["points"]["redeemed"] == "50"


def test_redeem_needs_an_existing_bill_when_configured(member):
    member.configure(redeem_requires_transaction=True)
    assert member.redeem(10)["item_status"]["code"] == 811
    assert member.redeem(10, transaction_number="NOPE")["item_status"]["code"] == 811
    member.sale("B1", 10)
    assert member.redeem(10, transaction_number="B1")["item_status"]["code"] == 800


def test_validation_code_flow_when_the_program_requires_it(member):
    member.configure(otp_required=True, otp_validity_minutes=15)
    assert member.redeem(100)["item_status"]["code"] == 824
    assert member.redeem(100, validation_code="WRONG1")["item_status"]["code"] == 808
    issued = member.get("points/validationcode", mobile=MOBILE, points=100)
    body = member.body(issued)
    assert body["validation_code"]["code"]["item_status"]["code"] == 200
    code = issued.headers["X-Posim-Validation-Code"]
    assert len(code) == 6
    again = member.get("points/validationcode", mobile=MOBILE, points=100)
    assert again.headers["X-Posim-Validation-Code"] == code  # same code within validity
    assert member.redeem(100, validation_code=code)["item_status"]["code"] == 800
    assert member.redeem(100, validation_code=code)["item_status"]["code"] == 808  # used up
    assert member.points() == 400


def test_validation_code_expires_on_the_tenant_clock(member):
    member.configure(otp_required=True, otp_validity_minutes=5)
    first = member.get("points/validationcode", mobile=MOBILE, points=10)
    code = first.headers["X-Posim-Validation-Code"]
    member.advance(5 * 60)
    assert member.redeem(10, validation_code=code)["item_status"]["code"] == 808
    fresh = member.get("points/validationcode", mobile=MOBILE, points=10)
    assert fresh.headers["X-Posim-Validation-Code"] != code


def test_isredeemable_can_issue_and_check_the_code(member):
    member.configure(otp_required=True)
    issued = member.get("points/isredeemable", points=10, mobile=MOBILE, issue_otp="true")
    code = issued.headers["X-Posim-Validation-Code"]
    assert _check(member, 10, validation_code=code)[1]["item_status"]["code"] == 800
    assert _check(member, 10, validation_code="NOPE00")[1]["item_status"]["code"] == 808


def test_validation_can_be_skipped_per_request(member):
    member.configure(otp_required=True)
    skip = {"skip_validation": "true"}
    assert member.redeem(10, params=skip)["item_status"]["code"] == 800
    invalid = {"validation_type": "INVALID"}
    assert member.redeem(10, params=invalid)["item_status"]["code"] == 800


def test_validationcode_for_unknown_customer_is_816(cap):
    body = cap.body(cap.get("points/validationcode", mobile="919811111111", points=10))
    assert body["status"]["code"] == 500
    assert body["validation_code"]["code"]["item_status"]["code"] == 816


def test_return_after_redeem_can_leave_the_member_short_without_failing(member):
    member.sale("B1", 100)
    member.redeem(550)
    item = member.ret("B1", "FULL")
    assert item["item_status"]["code"] == 600
    assert member.points() == 0  # clamp policy: the shortfall is not collectable


def test_blocked_customer_cannot_redeem_or_buy(member):
    member.engine.set_member_active(member.customer(mobile=MOBILE)["user_id"], False)
    assert _check(member, 10)[1]["item_status"]["code"] == 809
    assert member.redeem(10)["item_status"]["code"] == 809
    assert member.sale("B1", 10)["item_status"]["code"] == 681
    assert member.customer(mobile=MOBILE)["fraud_details"]["status"] == "CONFIRMED"
