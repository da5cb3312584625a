"""customer/get, customer/add (upsert), customer/update, customer/transactions, customer/coupons."""

from __future__ import annotations

import pytest

from tests.support.capillary import MOBILE, OTHER_MOBILE, make_fixtures

cap_server, cap = make_fixtures()


def _customers(response):
    return response.json()["response"]["customers"]["customer"]


def test_enrol_returns_a_numeric_user_id_and_normalised_mobile(cap):
    item = cap.enroll(mobile="+91 98000-00001", firstname="Tom", email="Tom@Example.com")
    assert item["user_id"].isdigit()
    assert item["mobile"] == MOBILE
    assert item["email"] == "tom@example.com"
    assert item["item_status"]["message"] == "Customer registration successful"
    assert item["loyalty_points"] == 0 and item["type"] == "LOYALTY"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("mobile", MOBILE),
        ("email", "ann@example.com"),
        ("external_id", "EXT-1"),
        ("card_number", "CARD-9"),
        ("card_external_id", "CARD-9"),
    ],
)
def test_customer_get_finds_by_each_identifier(cap, kind, value):
    cap.enroll(email="ann@example.com", external_id="EXT-1", card_number="CARD-9")
    item = cap.customer(**{kind: value})
    assert item["item_status"] == {
        "success": "true",
        "code": "1000",
        "message": "Customer successfully retrieved",
        "warnings": {"warning": []},
    }
    assert item["mobile"] == MOBILE and item["external_id"] == "EXT-1"


def test_customer_get_by_user_id(cap):
    user_id = cap.enroll()["user_id"]
    assert cap.customer(id=user_id)["mobile"] == MOBILE


def test_unknown_customer_is_item_1012_inside_a_500(cap):
    response = cap.get("customer/get", mobile="919811111111")
    body = cap.body(response)
    assert body["status"] == {
        "success": "false",
        "code": 500,
        "message": "All requests have failed due to errors",
        "total": "1",
        "success_count": "0",
    }
    item = body["customers"]["customer"][0]
    assert item["item_status"]["code"] == "1012" and item["mobile"] == "919811111111"


def test_no_identifier_is_item_400(cap):
    body = cap.body(cap.get("customer/get"))
    assert body["status"]["code"] == 500
    assert body["customers"]["customer"][0]["item_status"]["code"] == "400"


def test_comma_separated_lookup_reports_partial_success_as_201(cap):
    cap.enroll()
    body = cap.body(cap.get("customer/get", mobile=f"{MOBILE},919811111111"))
    assert body["status"]["code"] == 201
    assert body["status"]["total"] == "2" and body["status"]["success_count"] == "1"
    codes = [c["item_status"]["code"] for c in body["customers"]["customer"]]
    assert codes == ["1000", "1012"]


def test_customer_get_shows_balance_bills_and_coupons(cap):
    cap.enroll()
    cap.sale("B1", 120)
    cap.coupon(cap.series())
    item = cap.customer(mobile=MOBILE)
    assert item["loyalty_points"] == 120 and item["lifetime_points"] == 120
    assert item["lifetime_purchases"] == 120
    summary = item["points_summaries"]["points_summary"][0]
    assert summary["loyaltyPoints"] == "120" and summary["lifetimePoints"] == "120"
    assert [t["number"] for t in item["transactions"]["transaction"]] == ["B1"]
    assert len(item["coupons"]["coupon"]) == 1


def test_customer_add_is_an_upsert_on_a_known_identifier(cap):
    first = cap.enroll(firstname="Tom")
    again = cap.enroll(firstname="Thomas", email="t@example.com")
    assert again["user_id"] == first["user_id"]
    assert again["firstname"] == "Thomas" and again["email"] == "t@example.com"
    assert again["item_status"]["message"] == "Customer successfully updated"


def test_existing_identifier_is_not_overwritten_unless_allowed(cap):
    cap.enroll(email="old@example.com")
    kept = cap.enroll(email="new@example.com")
    assert kept["email"] == "old@example.com"
    assert kept["item_status"]["warnings"]["warning"] == ["91006"]
    assert "update is not allowed" in kept["item_status"]["message"]
    cap.configure(allow_identifier_update=True)
    assert cap.enroll(email="new@example.com")["email"] == "new@example.com"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"mobile": "12ab"}, 1001),
        ({"mobile": MOBILE, "email": "not-an-email"}, 1002),
        ({"external_id": "x" * 251}, 1003),
        ({"firstname": "No identifier"}, 1007),
    ],
)
def test_customer_add_validation_codes(cap, fields, code):
    body = cap.body(cap.post("customer/add", "customer", fields))
    assert body["status"]["code"] == 500
    assert body["customers"]["customer"][0]["item_status"]["code"] == str(code)


def test_customer_add_refuses_identifiers_of_two_customers(cap):
    cap.enroll(mobile=MOBILE)
    cap.enroll(mobile=OTHER_MOBILE, email="b@example.com")
    body = cap.body(
        cap.post("customer/add", "customer", {"mobile": MOBILE, "email": "b@example.com"})
    )
    assert body["customers"]["customer"][0]["item_status"]["code"] == "1016"


def test_customer_add_batch_counts_each_item(cap):
    items = [{"mobile": MOBILE}, {"mobile": "bad"}, {"email": "c@example.com"}]
    body = cap.body(cap.post("customer/add", "customer", items))
    assert body["status"]["code"] == 201
    assert body["status"]["total"] == "3" and body["status"]["success_count"] == "2"


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_customer_update_accepts_post_and_put(cap, method):
    user_id = cap.enroll(firstname="Tom")["user_id"]
    payload = {"root": {"customer": {"id": user_id, "lastname": "Sawyer"}}}
    response = cap.client.request(
        method, "/v1.1/customer/update?format=json", json=payload, headers=cap.headers()
    )
    item = _customers(response)[0]
    assert item["item_status"]["message"] == "Customer successfully updated"
    assert item["lastname"] == "Sawyer" and item["firstname"] == "Tom"


def test_customer_update_fills_a_missing_identifier_and_keeps_fields(cap):
    cap.enroll()
    customer = {
        "mobile": MOBILE,
        "external_id": "EXT-7",
        "extended_fields": {"field": [{"name": "city", "value": "Cairo"}]},
    }
    item = _customers(cap.post("customer/update", "customer", customer))[0]
    assert item["external_id"] == "EXT-7"
    assert item["extended_fields"]["field"] == [{"name": "city", "value": "Cairo"}]


@pytest.mark.parametrize(
    ("customer", "code"),
    [
        ({"mobile": "919811111111", "firstname": "X"}, "1012"),
        ({"firstname": "X"}, "400"),
        ({"mobile": MOBILE, "email": "b@example.com"}, "91007"),
        ({"mobile": MOBILE, "type": "NON_LOYALTY"}, "1046"),
    ],
)
def test_customer_update_failures(cap, customer, code):
    cap.enroll()
    cap.enroll(mobile=OTHER_MOBILE, email="b@example.com")
    item = _customers(cap.post("customer/update", "customer", customer))[0]
    assert item["item_status"]["code"] == code


def test_customer_transactions_lists_sales_and_returns_newest_first(cap):
    cap.enroll()
    cap.sale("B1", 100)
    cap.advance(60)
    cap.sale("B2", 50)
    cap.advance(60)
    cap.ret("B1", "AMOUNT", amount="40")
    customer = cap.body(cap.get("customer/transactions", mobile=MOBILE))["customer"]
    assert customer["item_status"]["code"] == "1052"
    rows = customer["transactions"]["transaction"]
    assert [(r["number"], r["type"]) for r in rows] == [
        ("B1", "RETURN"),
        ("B2", "REGULAR"),
        ("B1", "REGULAR"),
    ]
    assert rows[2]["points"]["issued"] == "100" and rows[2]["points"]["returned"] == "40"
    assert customer["count"] == 3


def test_customer_transactions_accepts_identifier_name_and_value(cap):
    cap.enroll()
    cap.sale("B1", 10)
    cap.sale("B2", 10)
    params = {"identifierName": "mobile", "identifierValue": MOBILE, "limit": 1}
    customer = cap.body(cap.get("customer/transactions", **params))["customer"]
    assert customer["rows"] == "1" and customer["count"] == 2
    only = cap.body(cap.get("customer/transactions", mobile=MOBILE, number="B1"))["customer"]
    assert [r["number"] for r in only["transactions"]["transaction"]] == ["B1"]


def test_a_till_sees_only_its_own_stores_bills(cap):
    cap.enroll()
    cap.sale("B1", 10, till="till")
    cap.sale("B2", 20, till="till2")
    store1 = cap.body(cap.get("customer/transactions", mobile=MOBILE))["customer"]
    store2 = cap.body(cap.get("customer/transactions", till="till2", mobile=MOBILE))["customer"]
    assert [r["number"] for r in store1["transactions"]["transaction"]] == ["B1"]
    assert [r["number"] for r in store2["transactions"]["transaction"]] == ["B2"]
    # the customer and the balance are org-level: both tills see 30 points
    assert cap.customer(till="till2", mobile=MOBILE)["loyalty_points"] == 30


def test_customer_transactions_for_unknown_customer(cap):
    customer = cap.body(cap.get("customer/transactions", mobile="919811111111"))["customer"]
    assert customer["item_status"]["code"] == "1012"


def test_customer_coupons_lists_and_filters_by_status(cap):
    cap.enroll()
    series = cap.series()
    used = cap.coupon(series)
    cap.coupon(series)
    redeem = {"code": used, "customer": {"mobile": MOBILE}}
    cap.post("coupon/redeem", "coupon", redeem)
    body = cap.body(cap.get("customer/coupons", mobile=MOBILE))
    assert body["pagination"]["total"] == 2
    entry = body["customers"]["customer"][0]
    assert entry["item_status"]["code"] == 1000
    redeemed = cap.body(cap.get("customer/coupons", mobile=MOBILE, status="redeemed"))
    coupons = redeemed["customers"]["customer"][0]["coupons"]["coupon"]
    assert [c["code"] for c in coupons] == [used]
    assert coupons[0]["redemption_count"] == 1
    assert len(coupons[0]["redemptions"]["redemption"]) == 1


def test_customer_coupons_for_unknown_customer(cap):
    body = cap.body(cap.get("customer/coupons", mobile="919811111111"))
    assert body["status"]["code"] == 500
    assert body["customers"]["customer"][0]["item_status"]["code"] == "1012"
