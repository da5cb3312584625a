"""Hostile credentials: non-ASCII secrets are compared as bytes, a bearer token's JSON is
bounded like any body; each is a vendor-shaped 4xx, never a 500."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.hostile import capillary, wll


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("secret", ["sécret", "秘密", "\ud800", "x" * 10_000])
def test_oauth_token_with_a_non_ascii_secret_is_401(secret):
    vendor = wll()
    client_id = vendor.tenant.credentials["wll"]["clientId"]
    form = {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    as_json = vendor.client.post("/v1/oauth/token", content=json.dumps(form).encode())
    as_form = vendor.client.post(
        "/v1/oauth/token",
        content=f"client_id={client_id}&client_secret={secret}&grant_type=client_credentials".encode(
            "utf-8", "surrogatepass"
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    for response in (as_json, as_form):
        assert response.status_code in (400, 401), response.text
        assert response.json()["status"] == "fail"


@pytest.mark.parametrize(
    "payload",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"sub":' * 5000 + b"1" + b"}" * 5000,
        b'{"sub": "\\ud800", "exp": 1e400}',
        b'{"exp": NaN}',
    ],
)
def test_a_bearer_token_with_hostile_json_is_401(payload):
    vendor = wll()
    header = _b64(b'{"alg":"HS256","typ":"JWT"}')
    token = f"{header}.{_b64(payload)}.{_b64(b'sig')}"
    headers = {**vendor.headers, "Authorization": f"Bearer {token}"}
    response = vendor.client.get("/v1/users/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["status"] == "fail"
    assert vendor.client.get("/_posim/tenants/demo/traffic").status_code == 200


def test_capillary_basic_with_non_ascii_password_is_401():
    vendor = capillary()
    till = vendor.tenant.credentials["capillary"]["till"]
    for password in ("pässword".encode(), b"\xff\xfe", "秘密".encode()):
        basic = base64.b64encode(till.encode() + b":" + password).decode()
        response = vendor.client.get(
            "/v1.1/customer/get?format=json&mobile=1", headers={"Authorization": f"Basic {basic}"}
        )
        assert response.status_code == 401, response.text
