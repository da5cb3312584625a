"""Request-level behaviour: auth, rate limits, the envelope, and bad input (never a 500)."""

from __future__ import annotations

import base64

import pytest

from reference_backend.dialects.capillary import basic_header
from tests.support.capillary import MOBILE, make_fixtures

cap_server, cap = make_fixtures()


def _status(response):
    return response.json()["response"]["status"]


def test_valid_till_credentials_are_accepted_and_tagged_with_a_request_id(cap):
    response = cap.get("customer/get", mobile=MOBILE)
    assert response.status_code == 200
    assert response.headers["X-Cap-Requestid"]
    assert _status(response)["code"] == 500  # unknown customer, but authenticated


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer abc",
        "Basic not-base64!!",
        basic_header("demo.store1.till1", "wrong-password"),
        basic_header("no-such-till", "x"),
    ],
)
def test_bad_credentials_are_a_request_level_401(cap, header):
    headers = {"Authorization": header} if header else {}
    response = cap.client.get("/v1.1/customer/get?mobile=1", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    status = _status(response)
    assert status["code"] == 401 and status["success"] == "false"


def test_plain_password_instead_of_its_md5_is_refused(cap):
    raw = f"{cap.creds['till']}:{cap.creds['password']}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    assert cap.client.get("/v1.1/customer/get?mobile=1", headers=headers).status_code == 401


def test_second_till_of_the_tenant_authenticates_too(cap):
    assert cap.get("customer/get", till="till2", mobile=MOBILE).status_code == 200


def test_rate_limit_refuses_with_429_retry_after_and_code_517(cap):
    cap.configure(rate_limits={"customer/get": 2})
    assert cap.get("customer/get", mobile=MOBILE).status_code == 200
    assert cap.get("customer/get", mobile=MOBILE).status_code == 200
    refused = cap.get("customer/get", mobile=MOBILE)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert _status(refused)["code"] == 517
    # buckets are per till and per API
    assert cap.get("customer/get", till="till2", mobile=MOBILE).status_code == 200
    assert cap.get("customer/coupons", mobile=MOBILE).status_code == 200


def test_unknown_route_under_v11_is_a_404_envelope(cap):
    response = cap.client.get("/v1.1/customer/nothing", headers=cap.headers())
    assert response.status_code == 404
    assert _status(response)["code"] == 404


def test_wrong_method_is_a_405_envelope(cap):
    response = cap.client.get("/v1.1/transaction/add", headers=cap.headers())
    assert response.status_code == 405
    assert _status(response)["code"] == 405


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"[]",
        b'"text"',
        b'{"root": {}}',
        b'{"root": {"transaction": []}}',
        b'{"root": {"transaction": "text"}}',
    ],
)
def test_unreadable_bodies_are_a_400_envelope(cap, content):
    response = cap.client.post(
        "/v1.1/transaction/add?format=json", content=content, headers=cap.headers()
    )
    assert response.status_code == 400
    assert _status(response)["code"] == 400


@pytest.mark.parametrize(
    "item",
    [
        ["just a string"],
        {"type": "regular", "number": {"nested": 1}, "amount": "1"},
        {"type": "regular", "number": "B1", "amount": [1, 2]},
        {"type": "regular", "number": "B1", "amount": "10", "customer": "919800000001"},
        {"type": "regular", "number": "B1", "amount": "10", "line_items": {"line_item": [7]}},
    ],
)
def test_wrong_types_fail_the_item_not_the_server(cap, item):
    response = cap.post("transaction/add", "transaction", item)
    assert response.status_code == 200
    body = response.json()["response"]
    assert body["status"]["code"] == 500
    assert body["transactions"]["transaction"][0]["item_status"]["success"] == "false"


def test_missing_root_wrapper_is_tolerated(cap):
    cap.enroll()
    body = {"transaction": {"number": "B1", "amount": "10", "customer": {"mobile": MOBILE}}}
    response = cap.client.post("/v1.1/transaction/add", json=body, headers=cap.headers())
    item = response.json()["response"]["transactions"]["transaction"][0]
    assert item["item_status"]["code"] == 600


def test_batch_over_the_limit_is_refused_with_1060(cap):
    cap.configure(max_batch_size=2)
    items = [{"number": f"B{i}", "amount": "1", "type": "not_interested"} for i in range(3)]
    response = cap.post("transaction/add", "transaction", items)
    assert response.status_code == 400
    assert _status(response)["code"] == 1060


def test_typing_style_can_switch_to_json_booleans_and_int_codes(cap):
    cap.configure(success_style="bool", item_code_style="int")
    item = cap.customer(mobile=MOBILE)
    assert item["item_status"] == {
        "success": False,
        "code": 1012,
        "message": item["item_status"]["message"],
        "warnings": {"warning": []},
    }


def test_control_plane_shows_capillary_credentials(cap):
    created = cap.client.post("/_posim/tenants", json={"tenant": "shard-7"}).json()
    creds = created["credentials"]["capillary"]
    assert creds["till"] == "shard-7.store1.till1"
    headers = {"Authorization": basic_header(creds["till"], creds["password"])}
    assert cap.client.get("/v1.1/customer/get?mobile=1", headers=headers).status_code == 200
    # tenants never see each other's tills
    other = {"Authorization": basic_header(creds["till"], cap.creds["password"])}
    assert cap.client.get("/v1.1/customer/get?mobile=1", headers=other).status_code == 401


def test_injected_faults_render_in_the_v11_envelope(cap):
    faults = f"/_posim/tenants/{cap.tenant.tenant_id}/faults"
    rule = {"kind": "error", "dialect": "capillary", "route": "points/redeem", "count": 1}
    assert cap.client.post(faults, json=rule).status_code == 201
    item = {"points_redeemed": "1", "customer": {"mobile": MOBILE}}
    outage = cap.post("points/redeem", "redeem", item)
    assert outage.status_code == 503 and _status(outage)["code"] == 503
    burst = {"kind": "rate_limit", "dialect": "capillary", "count": 1}
    assert cap.client.post(faults, json=burst).status_code == 201
    limited = cap.get("customer/get", mobile=MOBILE)
    assert limited.status_code == 429 and _status(limited)["code"] == 517
    assert limited.headers["Retry-After"] == "1"
    assert cap.get("customer/get", mobile=MOBILE).status_code == 200


def test_rate_limits_can_be_switched_off_from_the_control_plane(cap):
    cap.configure(rate_limits={"customer/get": 1})
    path = f"/_posim/tenants/{cap.tenant.tenant_id}/rate-limits"
    assert cap.client.put(path, json={"enabled": False}).status_code == 200
    for _ in range(3):
        assert cap.get("customer/get", mobile=MOBILE).status_code == 200
