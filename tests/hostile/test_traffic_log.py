"""The traffic log keeps a bounded prefix of each body, and no secret or personal value in
clear, whatever the encoding: JSON (whole or cut off), OAuth forms, query, Basic, Bearer;
on read and in the --record file."""

from __future__ import annotations

import json

from reference_backend.front.traffic import BODY_PREFIX_LIMIT
from tests.support.hostile import GAMEBALL, capillary, gameball, wll

EMAIL = "jane.doe@example.com"
PHONE = "+201005550101"


def _traffic(vendor) -> str:
    response = vendor.client.get(f"/_posim/tenants/{vendor.tenant.tenant_id}/traffic")
    assert response.status_code == 200
    return json.dumps(response.json())


def test_only_a_prefix_of_a_large_body_is_kept_and_marked():
    vendor = gameball()
    body = json.dumps({"customerId": "c1", "pad": "x" * 200_000}).encode()
    write = vendor.writes[0]
    assert vendor.send(write, body).status_code == 200
    entry = vendor.tenant.traffic[-1]
    assert sum(len(c) for c in entry.request_chunks) == BODY_PREFIX_LIMIT
    assert entry.request_chunks.size == len(body)
    shown = vendor.client.get("/_posim/tenants/demo/traffic").json()["traffic"][-1]
    assert shown["request_body_truncated"] is True
    assert len(shown["request_body"]) <= BODY_PREFIX_LIMIT
    assert shown["response_body_truncated"] is False


def _oauth(vendor, **kwargs):
    return vendor.client.post("/oauth/token", **kwargs)


def test_oauth_secrets_are_masked_in_every_body_encoding():
    vendor = wll()
    creds = vendor.tenant.credentials["wll"]
    form = {
        "client_id": creds["clientId"],
        "client_secret": creds["clientSecret"],
        "audience": "wlloyalty.net",
        "grant_type": "client_credentials",
    }
    assert _oauth(vendor, data=form).status_code == 200  # the standard OAuth form
    big = {"client_secret": creds["clientSecret"], **form, "pad": "x" * 10_000}
    assert _oauth(vendor, json=big).status_code in (200, 400)  # cut off at 8 KB when stored
    basic = (creds["clientId"], creds["clientSecret"])
    assert _oauth(vendor, data={"grant_type": "client_credentials"}, auth=basic).status_code == 200
    shown = _traffic(vendor)
    assert creds["clientSecret"] not in shown
    assert creds["clientSecret"][:12] not in shown
    assert "client_secret=%2A%2A%2A" in shown or "client_secret=***" in shown
    assert vendor.headers["Authorization"].split()[1] not in shown  # the bearer token


def test_query_secrets_basic_credentials_and_personal_data_are_masked():
    vendor = capillary()
    creds = vendor.tenant.credentials["capillary"]
    item = {"mobile": PHONE[1:], "email": EMAIL, "firstname": "Jane"}
    body = {"root": {"customer": [item]}}
    vendor.client.post(
        "/v1.1/customer/add?format=json&api_key=Q-SECRET-123456",
        json=body,
        headers=vendor.headers,
    )
    vendor.client.get(f"/v1.1/customer/get?format=json&email={EMAIL}", headers=vendor.headers)
    shown = _traffic(vendor)
    assert "Q-SECRET-123456" not in shown
    assert vendor.headers["Authorization"].split()[1] not in shown
    assert creds["password"] not in shown
    assert EMAIL not in shown and "jane.doe" not in shown
    assert PHONE[1:] not in shown
    assert "redacted@example.com" in shown  # the shape stays: posim audit still sees one


def test_the_record_file_is_masked_too(tmp_path):
    record = tmp_path / "traffic.jsonl"
    vendor = gameball(record_path=str(record))
    body = {"customerId": "c1", "email": EMAIL, "mobile": PHONE}
    response = vendor.client.post(f"{GAMEBALL}/customers", json=body, headers=vendor.headers)
    assert response.status_code == 200
    written = record.read_text()
    assert written and EMAIL not in written and PHONE not in written
    assert "+000000000001" in written  # a phone, masked, is still shaped like one
    assert vendor.headers["SecretKey"] not in written
    assert vendor.tenant.credentials["gameball"]["secretKey"][-4:] in written  # masked, not lost
