"""XML on v1.1: `format=xml` answers, `<root>` bodies for every POS call, and a hardened
parser that refuses entity bombs and external entities without expanding them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.support.capillary import MOBILE, make_fixtures

cap_server, cap = make_fixtures()

XML = {"Content-Type": "application/xml"}


def _post(cap, api: str, body: str, **params):
    query = {"format": "xml", **params}
    headers = {**cap.headers(), **XML}
    return cap.client.post(f"/v1.1/{api}", params=query, content=body.encode(), headers=headers)


def _get(cap, api: str, **params):
    return cap.client.get(f"/v1.1/{api}", params={"format": "xml", **params}, headers=cap.headers())


def _doc(response, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "response"
    return root


def test_customer_add_update_and_get_speak_xml(cap):
    added = _doc(
        _post(
            cap,
            "customer/add",
            f"<root><customer><mobile>{MOBILE}</mobile>"
            "<firstname>Ada</firstname></customer></root>",
        )
    )
    assert added.findtext("status/code") == "200"
    assert added.findtext("customers/customer/item_status/code") == "1000"
    update = (
        f"<root><customer><mobile>{MOBILE}</mobile><lastname>Lovelace</lastname></customer></root>"
    )
    assert _doc(_post(cap, "customer/update", update)).findtext("status/code") == "200"
    got = _doc(_get(cap, "customer/get", mobile=MOBILE, mlp="true"))
    customer = got.find("customers/customer")
    assert customer.findtext("firstname") == "Ada" and customer.findtext("lastname") == "Lovelace"
    assert customer.find("group_points_summaries/group_points_summary") is not None


def test_a_sale_with_repeated_line_items_and_its_return_in_xml(cap):
    cap.enroll()
    sale = (
        "<root><transaction><type>regular</type><number>B1</number><amount>150</amount>"
        f"<customer><mobile>{MOBILE}</mobile></customer><line_items>"
        "<line_item><item_code>SHOE</item_code><qty>1</qty><amount>100</amount></line_item>"
        "<line_item><item_code>SOCK</item_code><qty>1</qty><amount>50</amount></line_item>"
        "</line_items></transaction></root>"
    )
    added = _doc(_post(cap, "transaction/add", sale))
    assert added.findtext("transactions/transaction/item_status/code") == "600"
    assert added.findtext("transactions/transaction/side_effects/effect/awarded_points") == "150"
    back = (
        "<root><transaction><type>RETURN</type><return_type>LINE_ITEM</return_type>"
        f"<number>B1</number><customer><mobile>{MOBILE}</mobile></customer><line_items>"
        "<line_item><item_code>SOCK</item_code><qty>1</qty></line_item></line_items>"
        "</transaction></root>"
    )
    returned = _doc(_post(cap, "transaction/add", back))
    assert returned.findtext("transactions/transaction/points_deducted") == "50"
    assert cap.points() == 100


def test_points_check_and_redeem_in_xml(cap):
    cap.enroll()
    cap.earn(300)
    check = _doc(_get(cap, "points/isredeemable", mobile=MOBILE, points="100"))
    assert check.findtext("points/redeemable/is_redeemable") == "true"
    redeem = (
        f"<root><redeem><points_redeemed>100</points_redeemed><customer><mobile>{MOBILE}</mobile>"
        "</customer><transaction_number>B9</transaction_number></redeem></root>"
    )
    done = _doc(_post(cap, "points/redeem", redeem))
    assert done.findtext("responses/points/item_status/code") == "800"
    assert cap.points() == 200


def test_coupon_check_and_redeem_in_xml(cap):
    cap.enroll()
    code = cap.coupon(cap.series())
    cap.sale("B1", 100)
    check = _doc(_get(cap, "coupon/isredeemable", mobile=MOBILE, code=code, details="true"))
    assert check.findtext("coupons/redeemable/item_status/code") == "700"
    assert check.find("coupons/redeemable/series_info/productInfo") is None  # an empty list
    redeem = (
        f"<root><coupon><code>{code}</code><customer><mobile>{MOBILE}</mobile></customer>"
        "<transaction><number>B1</number><amount>100</amount></transaction></coupon></root>"
    )
    done = _doc(_post(cap, "coupon/redeem", redeem))
    assert done.findtext("coupons/coupon/item_status/code") == "700"
    again = _doc(_get(cap, "coupon/isredeemable", mobile=MOBILE, code=code))
    assert again.findtext("coupons/redeemable/is_redeemable") == "false"


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    "<root><customer><mobile>919800000009</mobile><firstname>&c;</firstname></customer></root>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    "<root><customer><mobile>919800000009</mobile><firstname>&x;</firstname></customer></root>"
)


def test_entity_bombs_and_external_entities_are_refused_unexpanded(cap):
    for body in (BOMB, EXTERNAL):
        refused = _doc(_post(cap, "customer/add", body), 400)
        assert refused.findtext("status/code") == "400"
        assert "DTD" in refused.findtext("status/message")
        assert "aaaa" not in refused.findtext("status/message")
    missing = _doc(_get(cap, "customer/get", mobile="919800000009"))
    assert missing.findtext("customers/customer/item_status/code") == "1012"  # nothing stored


def test_malformed_xml_is_a_400_in_the_envelope(cap):
    refused = _doc(_post(cap, "transaction/add", "<root><transaction><number>B1</root>"), 400)
    assert "not valid XML" in refused.findtext("status/message")


def test_format_decides_and_accept_alone_asks_for_xml(cap):
    headers = {**cap.headers(), "Accept": "application/xml"}
    as_json = cap.client.get("/v1.1/store/get", params={"format": "json"}, headers=headers)
    assert as_json.json()["response"]["status"]["code"] == 200
    as_xml = cap.client.get("/v1.1/store/get", headers=headers)
    assert _doc(as_xml).findtext("stores/store/code") == "store1"


def test_unknown_routes_and_bad_credentials_answer_in_xml_when_asked(cap):
    response = cap.client.get("/v1.1/customer/get", params={"format": "xml", "mobile": MOBILE})
    assert _doc(response, 401).findtext("status/code") == "401"


def test_retro_conversion_in_xml(cap):
    cap.configure(retro_transaction_enable=True)
    cap.enroll()
    ni = cap.transaction({"type": "not_interested", "number": "N1", "amount": "40"})
    body = (
        f"<root><transaction><id>{ni['id']}</id><old_type>NOT_INTERESTED</old_type>"
        f"<new_type>REGULAR</new_type><customer><mobile>{MOBILE}</mobile></customer>"
        "</transaction></root>"
    )
    headers = {**cap.headers(), **XML, "X-CAP-CLIENT-SIGNATURE": "till"}
    response = cap.client.post(
        "/v1.1/transaction/update", params={"format": "xml"}, content=body.encode(), headers=headers
    )
    converted = _doc(response).find("transactions/transaction")
    assert converted.findtext("item_status/code") == "1630"
    assert converted.findtext("old_id") == str(ni["id"]) and cap.points() == 40
