"""coupon/isredeemable (no burn) and coupon/redeem (burned once) with the coupon rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.capillary import MOBILE, OTHER_MOBILE, make_fixtures

cap_server, cap = make_fixtures()


def _check(cap, code, mobile=MOBILE, **params):
    body = cap.body(cap.get("coupon/isredeemable", mobile=mobile, code=code, **params))
    return body["status"], body["coupons"]["redeemable"]


def _redeem(cap, code, mobile=MOBILE, number="B1", amount="100"):
    item = {"code": code, "customer": {"mobile": mobile}}
    item["transaction"] = [{"number": number, "amount": amount}]
    body = cap.body(cap.post("coupon/redeem", "coupon", item))
    return body["status"], body["coupons"]["coupon"]


@pytest.fixture
def coupon(cap):
    cap.enroll()
    cap.enroll(mobile=OTHER_MOBILE)
    return cap.coupon(cap.series(attributes={"min_bill_amount": 5000}))


def test_isredeemable_answers_700_with_series_info_and_does_not_burn(cap, coupon):
    status, item = _check(cap, coupon, details="true")
    assert status["code"] == 200
    assert item["is_redeemable"] == "true" and item["code"] == coupon
    assert item["item_status"]["code"] == 700 and item["item_status"]["status"] == "true"
    assert item["coupon_value"] == "5" and item["redemptions_left"] == 1
    assert item["series_info"]["discount_type"] == "ABS"
    assert item["series_info"]["min_bill_amount"] == "50"
    _check(cap, coupon)
    assert cap.engine.voucher(coupon).redeemed == 0


def test_redeem_burns_once_then_711(cap, coupon):
    status, item = _redeem(cap, coupon)
    assert status["code"] == 200
    assert item["item_status"] == {
        "success": "true",
        "code": 700,
        "message": "Coupon processing successful",
    }
    assert item["transaction"] == {"amount": "100", "number": "B1"}
    assert item["is_absolute"] == "true" and item["redemptionId"].isdigit()
    status, again = _redeem(cap, coupon, number="B2")
    assert status["code"] == 500 and again["item_status"]["code"] == 711
    _, checked = _check(cap, coupon)
    assert checked["is_redeemable"] == "false" and checked["item_status"]["code"] == 711
    assert cap.engine.voucher(coupon).redeemed == 1


def test_coupon_codes_are_matched_case_insensitively(cap):
    cap.enroll()
    code = cap.coupon(cap.series(), code="SAVE10")
    _, item = _check(cap, "save10")
    assert item["item_status"]["code"] == 700
    _, item = _check(cap, "save10", coupon_code_case="UPPER")
    assert item["code"] == "SAVE10"
    assert _redeem(cap, "save10")[1]["code"] == code


@pytest.mark.parametrize(
    ("code", "mobile", "expected"),
    [("NOPE1234", MOBILE, 702), (None, OTHER_MOBILE, 703), (None, "919811111111", 701)],
)
def test_coupon_rejections(cap, coupon, code, mobile, expected):
    status, item = _check(cap, code or coupon, mobile=mobile)
    assert item["is_redeemable"] == "false"
    assert item["item_status"]["code"] == expected
    assert _redeem(cap, code or coupon, mobile=mobile)[1]["item_status"]["code"] == expected
    assert cap.engine.voucher(coupon).redeemed == 0


def test_expired_coupon_is_713(cap):
    cap.enroll()
    until = cap.engine.now() + timedelta(days=1)
    code = cap.coupon(cap.series(valid_until=until))
    cap.advance(2 * 86400)
    assert _check(cap, code)[1]["item_status"]["code"] == 713
    assert _redeem(cap, code)[1]["item_status"]["code"] == 713


def test_multi_use_coupon_once_per_customer_then_limit(cap):
    cap.enroll()
    cap.enroll(mobile=OTHER_MOBILE)
    third = "919800000003"
    cap.enroll(mobile=third)
    code = cap.coupon(cap.series(uses_per_code=2), mobile=None)
    assert _redeem(cap, code)[1]["item_status"]["code"] == 700
    assert _redeem(cap, code, number="B2")[1]["item_status"]["code"] == 716
    assert _redeem(cap, code, mobile=OTHER_MOBILE)[1]["item_status"]["code"] == 700
    assert _redeem(cap, code, mobile=third)[1]["item_status"]["code"] == 696
    _, item = _check(cap, code, mobile=third)
    assert item["redemptions_left"] == 0


def test_same_user_may_repeat_when_the_series_allows(cap):
    cap.enroll()
    series = cap.series(uses_per_code=3, attributes={"same_user_multiple_redeem": True})
    code = cap.coupon(series)
    assert _redeem(cap, code)[1]["item_status"]["code"] == 700
    assert _redeem(cap, code, number="B2")[1]["item_status"]["code"] == 700
    _, item = _check(cap, code)
    assert item["no_of_redemptions_by_user"] == 2 and item["redemptions_left"] == 1


def test_minimum_bill_amount_is_733(cap, coupon):
    assert _redeem(cap, coupon, amount="49.99")[1]["item_status"]["code"] == 733
    assert _redeem(cap, coupon, amount="50")[1]["item_status"]["code"] == 700


def test_redeem_needs_the_bill_when_configured(cap, coupon):
    cap.configure(redeem_requires_transaction=True)
    item = {"code": coupon, "customer": {"mobile": MOBILE}}
    body = cap.body(cap.post("coupon/redeem", "coupon", item))
    assert body["coupons"]["coupon"]["item_status"]["code"] == 718
    assert _redeem(cap, coupon, number="B9")[1]["item_status"]["code"] == 719
    cap.sale("B9", 100)
    assert _redeem(cap, coupon, number="B9")[1]["item_status"]["code"] == 700


def test_several_codes_in_one_check(cap, coupon):
    status, items = _check(cap, f"{coupon},NOPE1234")
    assert status["code"] == 200
    assert [i["item_status"]["code"] for i in items] == [700, 702]


def test_coupon_can_be_named_by_id(cap, coupon):
    coupons = cap.customer(mobile=MOBILE)["coupons"]["coupon"]
    item = {"id": coupons[0]["id"], "customer": {"mobile": MOBILE}}
    item["transaction"] = {"number": "B1", "amount": "60"}
    body = cap.body(cap.post("coupon/redeem", "coupon", item))
    assert body["coupons"]["coupon"]["code"] == coupon


def test_voided_not_yet_valid_and_blocked_customer(cap):
    cap.enroll()
    voided = cap.coupon(cap.series())
    cap.engine.void_voucher(voided)
    assert _check(cap, voided)[1]["item_status"]["code"] == 709
    later = cap.engine.now() + timedelta(days=3)
    early = cap.coupon(cap.series(valid_from=later))
    assert _redeem(cap, early)[1]["item_status"]["code"] == 729
    fine = cap.coupon(cap.series())
    cap.engine.set_member_active(cap.customer(mobile=MOBILE)["user_id"], False)
    assert _redeem(cap, fine)[1]["item_status"]["code"] == 742
