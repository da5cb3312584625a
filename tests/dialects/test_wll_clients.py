"""Real WLL clients, rebuilt here from how they build their requests, against the dialect; and
a small till written only from WLL's OpenAPI (plain httpx) running a checkout over real HTTP.

1. WLL's generated Rewards SDK (white-label-loyalty/wll-sdk, TypeScript templates): it calls
   the spec's paths verbatim (trailing slashes included, `{name}` placeholders filled in),
   always sends `x-api-key`, `Content-Type`, `Accept` and `Authorization: Bearer`, never
   actually sends query parameters, reads the whole JSON answer, and on a non-2xx rejects with
   the parsed JSON body. Its admin auth provider POSTs JSON `{client_id, client_secret,
   grant_type, audience: "wlloyalty.net"}` to `/oauth/token` and reads `access_token` and
   `expires_in`.
2. WLL's microsite example passes a user as `selector.authIdentifier` plus a `profile` of
   `emailAddress`, `givenName`, `familyName`, `gender`, `birthdate`, `telephoneNumber`,
   `country`, `region`, `city`, `postcode`, `streetAddress`, `pictureUrl`, and reads
   `status`, `data` and `message`. A back office registers the same profile with
   `POST /users/`.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

import httpx
import pytest

from simulator.backends.server import ServerProcess
from tests.support.wll import Wll, make_fixture

wll = make_fixture()
BASE = "/v1"


class SdkRejected(Exception):
    def __init__(self, body: Any) -> None:
        super().__init__(body)
        self.body = body


class GeneratedSdk:
    """The request building of WLL's generated Rewards SDK, over any httpx-style client."""

    def __init__(self, http, api_key: str, client_id: str, client_secret: str) -> None:
        self.http, self.api_key = http, api_key
        self.client_id, self.client_secret = client_id, client_secret
        self.token: str | None = None
        self.token_reads = 0

    def _token(self) -> str:
        if self.token is None:  # cached until it expires (the tests never reach expiry)
            body = {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "grant_type": "client_credentials",
                "audience": "wlloyalty.net",
            }
            answer = self.http.request(
                "POST", "/oauth/token", json=body, headers={"content-type": "application/json"}
            ).json()
            assert isinstance(answer["expires_in"], int) and answer["expires_in"] > 0
            self.token, self.token_reads = answer["access_token"], self.token_reads + 1
        return self.token

    def invoke(self, method: str, endpoint: str, parameters=None, body=None) -> Any:
        for key, value in (parameters or {}).items():
            endpoint = endpoint.replace("{" + key + "}", value)
        headers = {
            "x-api-key": self.api_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {self._token()}",
        }
        response = self.http.request(method, BASE + endpoint, json=body, headers=headers)
        if not 200 <= response.status_code < 300:
            raise SdkRejected(response.json())
        return response.json()


def sdk_for(wll: Wll) -> GeneratedSdk:
    c = wll.creds
    return GeneratedSdk(wll.client, c["apiKey"], c["clientId"], c["clientSecret"])


def test_generated_sdk_runs_the_back_office_and_till_calls(wll: Wll):
    sdk = sdk_for(wll)
    profile = {"givenName": "Ann", "familyName": "Lee", "emailAddress": "ann@example.com"}
    user = sdk.invoke("POST", "/users/", body={"profile": profile, "authIdentifier": "crm-7"})
    assert user["status"] == "success"
    user_id = user["data"]["id"]
    event = {"type": "TRANSACTION", "subject": user_id, "payload": {"amount": 300}}
    assert sdk.invoke("POST", "/events/", body=event)["data"]["id"]
    wallet = sdk.invoke("GET", "/users/{userId}/wallet", {"userId": user_id})["data"]
    assert wallet["points"] == 300
    reward = {
        "type": "VOUCHER",
        "name": "Free coffee",
        "price": 100,
        "availability": {"start": "2025-01-01"},
        "purchasable": True,
        "details": {},
        "discounts": [{"type": "ABSOLUTE", "value": 250}],
    }
    reward_id = sdk.invoke("POST", "/rewards/", body=reward)["data"]["id"]
    listed = sdk.invoke("GET", "/rewards/")["data"]
    assert [r["id"] for r in listed] == [reward_id] and listed[0]["price"] == 100
    bought = sdk.invoke(
        "POST", "/commands/purchase_reward", body={"rewardId": reward_id, "beneficiaryId": user_id}
    )["data"]
    redeemed = sdk.invoke("POST", "/commands/redeem_benefit", body={"benefitId": bought["id"]})
    code = redeemed["data"]["code"]["value"]
    validated = sdk.invoke("POST", "/commands/validate_voucher", body={"code": code})["data"]
    assert validated["burnedAt"] and validated["discounts"][0]["value"] == "250"
    point_value = sdk.invoke("GET", "/settings/{name}", {"name": "pointsCurrencyValue"})
    assert Decimal(point_value["data"]["value"]) == Decimal("0.01")
    assert sdk.invoke("GET", "/users/{id}", {"id": user_id})["data"]["id"] == user_id
    assert sdk.token_reads == 1  # one token for the whole session
    # a refusal reaches the SDK as parsed JSON it can show
    with pytest.raises(SdkRejected) as refused:
        sdk.invoke("POST", "/commands/validate_voucher", body={"code": code})
    assert refused.value.body["status"] == "fail" and refused.value.body["message"]
    with pytest.raises(SdkRejected) as missing:
        sdk.invoke("GET", "/users/{id}", {"id": "no-such-user"})
    assert missing.value.body["status"] == "fail"


def test_microsite_profile_registers_and_reads_back(wll: Wll):
    sdk = sdk_for(wll)
    profile = {
        "emailAddress": "jane.doe@example.com",
        "givenName": "Jane",
        "familyName": "Doe",
        "gender": "FEMALE",
        "birthdate": "1991-02-03",
        "pictureUrl": "https://example.com/jane.png",
        "telephoneNumber": "+447700900001",
        "country": "GB",
        "region": "Kent",
        "city": "Canterbury",
        "postcode": "CT1 1AA",
        "streetAddress": "1 High Street",
    }
    answer = sdk.invoke(
        "POST", "/users/", body={"authIdentifier": "site-uid-1", "profile": profile}
    )
    assert answer["status"] == "success"
    read = sdk.invoke("GET", "/users/{id}", {"id": "site-uid-1"})["data"]
    assert {k: read["profile"][k] for k in profile} == profile


# -- a till written only from the spec ----------------------------------------------------
class SpecTill:
    """A POS from WLL's OpenAPI alone: admin token, find or register, points, voucher, sale."""

    def __init__(self, http: httpx.Client, creds: dict[str, str]) -> None:
        self.http = http
        self.api_key = creds["apiKey"]
        token = http.post(
            "/oauth/token",
            json={
                "client_id": creds["clientId"],
                "client_secret": creds["clientSecret"],
                "grant_type": "client_credentials",
                "audience": "wlloyalty.net",
            },
        )
        token.raise_for_status()
        self.headers = {
            "X-Api-Key": self.api_key,
            "Authorization": f"Bearer {token.json()['access_token']}",
        }

    def call(self, method: str, path: str, body: Any = None, ok: int = 200) -> Any:
        response = self.http.request(method, BASE + path, json=body, headers=self.headers)
        assert response.status_code == ok, (method, path, response.text)
        envelope = response.json()
        assert envelope["status"] == "success"
        return envelope["data"]

    def customer(self, auth_id: str, profile: dict[str, str]) -> str:
        response = self.http.get(f"{BASE}/users/{auth_id}", headers=self.headers)
        if response.status_code == 404:
            body = {"authIdentifier": auth_id, "profile": profile}
            return self.call("POST", "/users/", body)["id"]
        return response.json()["data"]["id"]

    def points(self, user_id: str) -> int:
        return self.call("GET", f"/users/{user_id}/wallet")["points"]

    def point_value(self) -> Decimal:
        return Decimal(self.call("GET", "/settings/pointsCurrencyValue")["value"])

    def checkout(self, user_id: str, total: Decimal, points: int, code: str | None) -> Decimal:
        """Returns what the customer pays after points and the voucher."""
        due = total
        if code:
            voucher = self.call("POST", "/commands/validate_voucher", {"code": code})
            discount = voucher["discounts"][0]
            assert discount["type"] == "ABSOLUTE"
            due -= Decimal(discount["value"]) / 100  # lowest denomination
        if points:
            spend = {
                "points": -points,
                "actorId": user_id,
                "impactType": "SPEND",
                "liabilityHandlingPolicy": "REJECT_EVENT",
            }
            self.call("POST", "/commands/adjust_points", spend)
            due -= (points * self.point_value()).quantize(Decimal("0.01"), ROUND_FLOOR)
        sale = {
            "type": "TRANSACTION",
            "subject": user_id,
            "payload": {"amount": float(due)},
            "occurredAt": "2026-01-01T12:00:00.000Z",
        }
        self.call("POST", "/events/", sale)
        return due


def test_a_till_written_from_the_spec_runs_a_checkout_over_http():
    with ServerProcess() as server, httpx.Client(base_url=server.url, timeout=10) as http:
        made = http.post("/_posim/tenants", json={})
        assert made.status_code == 201, made.text
        till = SpecTill(http, made.json()["credentials"]["wll"])
        profile = {"givenName": "Sam", "familyName": "Poe", "emailAddress": "sam@example.com"}
        user_id = till.customer("till|sam", profile)
        assert till.customer("till|sam", profile) == user_id  # found, not registered twice
        till.call(
            "POST",
            "/events/",
            {"type": "TRANSACTION", "subject": user_id, "payload": {"amount": 500}},
        )
        reward = {
            "type": "VOUCHER",
            "name": "3 off",
            "price": 50,
            "availability": {"start": "2020-01-01"},
            "purchasable": True,
            "details": {},
            "discounts": [{"type": "ABSOLUTE", "value": 300}],
        }
        reward_id = till.call("POST", "/rewards/", reward)["id"]
        benefit = till.call(
            "POST", "/commands/purchase_reward", {"rewardId": reward_id, "beneficiaryId": user_id}
        )
        code = till.call("POST", "/commands/redeem_benefit", {"benefitId": benefit["id"]})
        assert till.points(user_id) == 450
        paid = till.checkout(user_id, Decimal("120.00"), 200, code["code"]["value"])
        assert paid == Decimal("115.00")
        assert till.points(user_id) == 450 - 200 + 115
        # more points than the wallet holds: refused, nothing moves
        refused = http.post(
            f"{BASE}/commands/adjust_points",
            json={"points": -10_000, "actorId": user_id, "liabilityHandlingPolicy": "REJECT_EVENT"},
            headers=till.headers,
        )
        assert refused.status_code == 400 and refused.json()["status"] == "fail"
        assert till.points(user_id) == 365
