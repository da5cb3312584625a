"""transaction/get, coupon/get, customer/search, store/get, and the fields clients count:
series_info restrictions and group_points_summaries (mlp=true)."""

from __future__ import annotations

from tests.support.capillary import MOBILE, OTHER_MOBILE, make_fixtures

cap_server, cap = make_fixtures()


def _code(item):
    return int(item["item_status"]["code"])


def test_transaction_get_by_number_and_by_id(cap):
    cap.enroll(firstname="Ada")
    sale = cap.sale("B1", 120, line_items={"line_item": [{"item_code": "SHOE", "amount": "120"}]})
    body = cap.body(cap.get("transaction/get", number="B1"))
    assert body["status"]["code"] == 200 and body["transactions"]["count"] == 1
    found = body["transactions"]["transaction"][0]
    assert _code(found) == 600 and found["id"] == str(sale["id"]) and found["type"] == "REGULAR"
    assert found["amount"] == "120" and found["customer"]["mobile"] == MOBILE
    assert found["customer"]["first_name"] == "Ada"
    assert found["line_items"]["line_item"][0]["item_code"] == "SHOE"
    by_id = cap.body(cap.get("transaction/get", id=str(sale["id"])))["transactions"]
    assert by_id["transaction"][0]["number"] == "B1"


def test_transaction_get_finds_not_interested_bills_and_reports_missing_ones(cap):
    cap.transaction({"type": "not_interested", "number": "N1", "amount": "9"})
    body = cap.body(cap.get("transaction/get", number="N1,NOPE"))
    assert body["status"]["code"] == 201
    ni, missing = body["transactions"]["transaction"]
    assert ni["type"] == "NOT_INTERESTED" and ni["amount"] == "9"
    assert _code(missing) == 688 and missing["number"] == "NOPE"


def test_transaction_get_hides_another_stores_bills(cap):
    cap.enroll()
    cap.configure(bill_number_unique_scope="store")
    cap.sale("B1", 10, till="till2")
    body = cap.body(cap.get("transaction/get", number="B1"))
    assert body["status"]["code"] == 500
    assert cap.body(cap.get("transaction/get", "till2", number="B1"))["status"]["code"] == 200


def test_coupon_get_lists_each_code_with_its_owner(cap):
    cap.enroll(firstname="Ada", lastname="Lovelace")
    code = cap.coupon(cap.series(), code="ab12")
    body = cap.body(cap.get("coupon/get", code=f"{code},ZZZ", coupon_code_case="LOWER"))
    found, missing = body["coupons"]["coupon"]
    assert _code(found) == 700 and found["code"] == "ab12" and found["value"] == 5
    assert found["customer"]["name"] == "Ada Lovelace" and found["customer"]["mobile"] == MOBILE
    assert _code(missing) == 702 and missing["id"] == -1
    owner = found["customer"]["id"]
    other = cap.body(cap.get("coupon/get", code=code, issuedToIds="999"))["coupons"]["coupon"][0]
    assert _code(other) == 703
    mine = cap.body(cap.get("coupon/get", code=code, issuedToIds=owner))["coupons"]["coupon"][0]
    assert _code(mine) == 700


def test_customer_search_applies_every_condition(cap):
    cap.enroll(firstname="Tom", lastname="Sawyer")
    cap.enroll(OTHER_MOBILE, firstname="Tom", lastname="Thumb")
    cap.sale("B1", 50)
    body = cap.body(cap.get("customer/search", q="(firstname:EQUALS:tom)"))
    assert body["customer"]["count"] == "2"
    body = cap.body(
        cap.get("customer/search", q="(firstname:EQUALS:Tom|loyalty_points:GREATER:10)")
    )
    items = body["customer"]["results"]["item"]
    assert [i["mobile"] for i in items] == [MOBILE] and items[0]["last_trans_value"] == "50"
    page = cap.body(cap.get("customer/search", q="(lastname:LIKE:a)", rows="1", start="0"))
    assert page["customer"]["count"] == "1" and page["customer"]["rows"] == "1"


def test_customer_search_refuses_an_unreadable_query(cap):
    body = cap.body(cap.get("customer/search", q="(shoe_size:EQUALS:9)"))
    assert body["status"]["code"] == 400 and "shoe_size" in body["status"]["message"]


def test_store_get_shows_the_tills_store_or_the_one_asked_for(cap):
    mine = cap.body(cap.get("store/get"))["stores"]["store"]
    assert mine["code"] == "store1" and _code(mine) == 900
    other = cap.body(cap.get("store/get", external_id="store2"))["stores"]["store"]
    assert other["code"] == "store2"
    assert cap.body(cap.get("store/get", id=other["id"]))["stores"]["store"]["code"] == "store2"
    assert cap.body(cap.get("store/get", id="1"))["status"]["code"] == 500


def test_series_info_lists_the_products_categories_and_brands_a_coupon_applies_to(cap):
    cap.enroll()
    limits = {"products": ["SKU1", "SKU2"], "categories": ["Shoes"], "brands": ["Acme"]}
    restricted = cap.series(attributes=limits)
    code = cap.coupon(restricted)
    redeemable = cap.body(cap.get("coupon/isredeemable", mobile=MOBILE, code=code, details="true"))
    info = redeemable["coupons"]["redeemable"]["series_info"]
    assert len(info["productInfo"]) == 4
    assert [p["sku"] for p in info["products"]["product"]] == ["SKU1", "SKU2"]
    assert info["categories"]["category"][0]["name"] == "Shoes"
    assert info["brands"]["brand"] == ["Acme"]
    plain = cap.coupon(cap.series())
    query = {"mobile": MOBILE, "code": plain, "details": "extended"}
    info = cap.body(cap.get("coupon/isredeemable", **query))["coupons"]["redeemable"]["series_info"]
    assert info["productInfo"] == [] and info["products"] is None


def test_mlp_adds_group_points_summaries_that_match_the_program(cap):
    cap.enroll()
    cap.sale("B1", 75)
    plain = cap.customer(mobile=MOBILE)
    assert "group_points_summaries" not in plain
    customer = cap.customer(mobile=MOBILE, mlp="true", user_id="true")
    group = customer["group_points_summaries"]["group_points_summary"][0]
    program = customer["points_summaries"]["points_summary"][0]
    assert group["loyalty_points"] == "75" and group["lifetime_points"] == "75"
    assert group["group_program_id"] == program["programId"]
    assert "Default program" in program["program_description"]


def test_coupon_series_shows_one_series_with_its_counts_and_restrictions(cap):
    cap.enroll()
    limits = {"products": ["SKU1", "SKU2"], "categories": ["Shoes"]}
    series_id = cap.series(attributes=limits)
    code = cap.coupon(series_id)
    cap.coupon(series_id)
    cap.sale("B1", 100)
    coupon = {"code": code, "customer": {"mobile": MOBILE}, "transaction": {"number": "B1"}}
    cap.post("coupon/redeem", "coupon", coupon)
    body = cap.body(cap.get("coupon/series", id=series_id))
    item = body["series"]["items"]["item"]
    assert _code(item) == 700 and item["id"] == series_id and item["discount_type"] == "ABS"
    assert item["coupons"] == {"issued": "2", "redeemed": "1"}
    assert item["products"] == "SKU1,SKU2" and item["categories"] == "Shoes"
    missing = cap.body(cap.get("coupon/series", id="nope"))
    assert missing["status"]["code"] == 500 and _code(missing["series"]["items"]["item"]) == 400


def test_coupon_series_lists_active_or_expired_series(cap):
    old = cap.series(valid_until=cap.engine.now())
    live = cap.series()
    every = cap.body(cap.get("coupon/series"))["series"]["items"]["item"]
    assert {i["id"] for i in every} == {old, live}
    expired = cap.body(cap.get("coupon/series", expired="true"))["series"]["items"]["item"]
    active = cap.body(cap.get("coupon/series", expired="false"))["series"]["items"]["item"]
    assert expired["id"] == old and active["id"] == live


def test_transaction_get_shows_returns_with_type_all_or_return(cap):
    cap.enroll()
    cap.sale("B1", 100)
    cap.ret("B1", "AMOUNT", amount="30", parent_bill_number="R1")
    rows = cap.body(cap.get("transaction/get", number="B1", type="ALL"))["transactions"]
    assert [r["type"] for r in rows["transaction"]] == ["REGULAR", "RETURN"] and rows["count"] == 2
    assert rows["transaction"][1]["parent_bill_number"] == "R1"
    only = cap.body(cap.get("transaction/get", number="B1", type="RETURN"))["transactions"]
    assert [r["amount"] for r in only["transaction"]] == ["30"]
    plain = cap.body(cap.get("transaction/get", number="B1"))["transactions"]
    assert [r["type"] for r in plain["transaction"]] == ["REGULAR"]
