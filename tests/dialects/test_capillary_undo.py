"""Undoing redemptions on a return: v2 points/reverse and coupon/reactivate, the
customer/redemptions history that names them, and the v2 envelope for request failures."""

from __future__ import annotations

import pytest

from reference_backend.dialects.capillary import basic_header
from tests.support.capillary import MOBILE, OTHER_MOBILE, make_fixtures

cap_server, cap = make_fixtures()


def v2(cap, path: str, body, till: str = "till"):
    return cap.client.post(f"/v2/{path}", json=body, headers=cap.headers(till))


def reverse(cap, rid, points=None, identifier=None):
    body = {"redemptionId": rid, "identifier": identifier or {"type": "mobile", "value": MOBILE}}
    if points is not None:
        body["pointsToBeReversed"] = points
    response = v2(cap, "points/reverse", body)
    assert response.status_code == 200, response.text
    return response.json()


def redemptions(cap, mobile=MOBILE, **params):
    body = cap.body(cap.get("customer/redemptions", mobile=mobile, **params))
    return body["status"], body["customer"]


@pytest.fixture
def redeemed(cap):
    """500 points earned on bill B1, 200 of them redeemed on it: redemption id returned."""
    cap.enroll()
    cap.sale("B1", 500)
    item = cap.redeem(200, transaction_number="B1", external_reference_number="B1:points")
    assert item["item_status"]["code"] == 800
    return item["redemption_id"]


def test_customer_redemptions_lists_points_redemptions_with_their_bill(cap, redeemed):
    status, customer = redemptions(cap, type="POINTS")
    assert status["code"] == 200 and customer["item_status"]["code"] == "1000"
    point = customer["redemptions"]["points"]["point"][0]
    assert point["redemption_id"] == redeemed and point["points_redeemed"] == 200
    assert point["transaction_number"] == "B1"
    assert point["external_reference_number"] == "B1:points"
    assert point["reversals"] == [] and point["redeemed_till"]["code"] == cap.creds["till"]
    assert customer["redemptions"]["coupons"]["coupon"] is None
    assert customer["points_count"] == 1


def test_customer_redemptions_of_an_unknown_customer_is_1012(cap):
    status, customer = redemptions(cap, mobile="919811111111")
    assert status["code"] == 500 and customer["item_status"]["code"] == "1012"
    body = cap.body(cap.get("customer/redemptions"))
    assert body["customer"]["item_status"]["code"] == "400"


def test_reverse_gives_back_part_then_the_rest(cap, redeemed):
    first = reverse(cap, redeemed, 50)
    assert first["errors"] == [] and first["pointsReversed"] == 50
    assert first["redemptionId"] == redeemed and len(first["reversalId"]) == 6
    assert first["identifier"] == {"type": "mobile", "value": MOBILE}
    assert cap.points() == 350
    rest = reverse(cap, redeemed)  # no amount: everything left
    assert rest["pointsReversed"] == 150 and cap.points() == 500
    _, customer = redemptions(cap, type="POINTS")
    reversals = customer["redemptions"]["points"]["point"][0]["reversals"]
    assert [r["points_reversed"] for r in reversals] == [50, 150]
    assert reversals[0]["reversal_id"] == first["reversalId"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"identifier": {"type": "mobile", "value": MOBILE}}, 887),
        ({"redemptionId": "nope12", "identifier": {"type": "mobile", "value": MOBILE}}, 3803),
        ({"redemptionId": "RID", "identifier": {"type": "mobile", "value": "919811111111"}}, 8015),
        ({"redemptionId": "RID", "identifier": {"type": "shoe", "value": MOBILE}}, 887),
        ({"redemptionId": "RID", "identifier": "x"}, 887),
        ({"redemptionId": "RID", "pointsToBeReversed": 201}, 3801),
        ({"redemptionId": "RID", "pointsToBeReversed": -5}, 887),
        ({"redemptionId": "RID", "pointsToBeReversed": "abc"}, 887),
        ({"redemptionId": "RID", "pointsToBeReversed": 1.5}, 887),
        ({"redemptionId": "RID", "pointsToBeReversed": "1.0001"}, 878),
    ],
)
def test_reverse_failures_are_v2_errors_and_change_nothing(cap, redeemed, body, code):
    body = {k: (redeemed if v == "RID" else v) for k, v in body.items()}
    body.setdefault("identifier", {"type": "mobile", "value": MOBILE})
    response = v2(cap, "points/reverse", body)
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert errors[0]["code"] == code and errors[0]["status"] is False
    assert cap.points() == 300


def test_reverse_accepts_every_identifier_type_but_only_the_owners(cap, redeemed):
    cap.enroll(mobile=OTHER_MOBILE, external_id="EXT-2")
    other = reverse(cap, redeemed, 10, {"type": "externalId", "value": "EXT-2"})
    assert other["errors"][0]["code"] == 3803
    user_id = cap.customer(mobile=MOBILE)["user_id"]
    by_id = reverse(cap, redeemed, 10, {"type": "ID", "value": user_id})
    assert by_id["pointsReversed"] == 10 and by_id["customerId"] == int(user_id)
    assert reverse(cap, redeemed, 10, {"type": "PHONE", "value": MOBILE})["errors"] == []
    assert cap.points() == 320


def test_reverse_is_refused_for_a_blocked_customer(cap, redeemed):
    cap.engine.set_member_active(cap.customer(mobile=MOBILE)["user_id"], False)
    assert reverse(cap, redeemed, 10)["errors"][0]["code"] == 904


def _redeem_coupon(cap, code: str, number: str = "B1"):
    item = {"code": code, "customer": {"mobile": MOBILE}, "transaction": {"number": number}}
    body = cap.body(cap.post("coupon/redeem", "coupon", item))
    return body["coupons"]["coupon"]


def test_reactivate_makes_a_redeemed_coupon_usable_again(cap):
    cap.enroll()
    code = cap.coupon(cap.series())
    redeemed = _redeem_coupon(cap, code)
    assert redeemed["item_status"]["code"] == 700
    assert _redeem_coupon(cap, code)["item_status"]["code"] == 711
    _, customer = redemptions(cap, type="COUPONS")
    assert customer["redemptions"]["coupons"]["coupon"][0]["id"] == redeemed["redemptionId"]

    answer = v2(cap, "coupon/reactivate", {"redemptionIds": [int(redeemed["redemptionId"])]})
    assert answer.status_code == 200
    assert answer.json() == {"warnings": [], "errors": [], "success": True}
    assert cap.engine.voucher(code).redeemed == 0
    _, customer = redemptions(cap, type="COUPONS")
    assert customer["redemptions"]["coupons"]["coupon"] is None
    again = v2(cap, "coupon/reactivate", {"redemptionIds": [redeemed["redemptionId"]]}).json()
    assert again["success"] is True and again["warnings"][0]["code"] == 709  # retry-safe
    assert _redeem_coupon(cap, code, "B2")["item_status"]["code"] == 700


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, 400), ({"redemptionIds": []}, 400), ({"redemptionIds": [{}]}, 400)],
)
def test_reactivate_needs_redemption_ids(cap, body, code):
    answer = v2(cap, "coupon/reactivate", body).json()
    assert answer["success"] is False and answer["errors"][0]["code"] == code


def test_reactivate_reports_unknown_ids_one_by_one(cap):
    cap.enroll()
    code = cap.coupon(cap.series())
    known = _redeem_coupon(cap, code)["redemptionId"]
    answer = v2(cap, "coupon/reactivate", {"redemptionIds": f"{known},999"}).json()
    assert answer["success"] is False
    assert [e["code"] for e in answer["errors"]] == [400]
    assert cap.engine.voucher(code).redeemed == 0


def test_v2_request_failures_use_the_v2_envelope(cap):
    denied = cap.client.post(
        "/v2/points/reverse",
        json={},
        headers={"Authorization": basic_header(cap.creds["till"], "wrong")},
    )
    assert denied.status_code == 401
    assert denied.json()["errors"][0]["code"] == 401 and denied.headers["X-Cap-Requestid"]
    bad = cap.client.post("/v2/points/reverse", content=b"{", headers=cap.headers())
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == 400
    assert cap.client.post("/v2/nothing", json={}, headers=cap.headers()).status_code == 404


def test_v2_bodies_that_are_not_objects_never_500(cap, redeemed):
    for body in ([], "x", 3, None, {"redemptionId": {}}, {"redemptionIds": "a,b"}):
        for path in ("points/reverse", "coupon/reactivate"):
            assert v2(cap, path, body).status_code < 500
