"""WLL framework edges: unknown routes and methods, settings, traffic attribution."""

from __future__ import annotations

import json
import random

from reference_backend.dialects.ratelimit import TokenBucket
from tests.support.wll import Wll, make_fixture

wll = make_fixture()


def test_unknown_route_and_wrong_method_are_jsend(wll: Wll):
    wll.failed(wll.client.get("/v1/no/such/thing"), 404)
    wll.failed(wll.client.get("/oauth/authorize"), 404)
    body = wll.failed(wll.client.delete("/v1/events", headers=wll.headers()), 405)
    assert body["message"] == "Method Not Allowed"
    wll.failed(wll.get("/users/me/wallet/predictions", token=wll.user_token("x")), 404)


def test_capillary_paths_are_not_claimed(wll: Wll):
    # "/v1.1/..." belongs to Capillary (or nobody): never rendered in WLL's JSend shape
    for path in ("/v1.1/customer/get", "/v1.1/no/such/thing"):
        response = wll.client.get(path)
        assert response.status_code in (401, 404)
        assert response.json().get("status") not in ("fail", "error")


def test_settings_are_records_and_expose_the_points_value(wll: Wll):
    records = wll.ok(wll.get("/settings/", token=None))
    assert [(r["name"], r["value"]) for r in records] == [("pointsCurrencyValue", "0.01")]
    one = wll.ok(wll.get("/settings/pointsCurrencyValue", token=None))
    assert one["name"] == "pointsCurrencyValue" and one["value"] == "0.01"
    wll.failed(wll.get("/settings/noSuchSetting", token=None), 404)
    # an admin stores its own records and changes them; readers see the change
    wll.failed(wll.post("/settings/", {"name": "brand.colour", "value": "red"}, token=None), 401)
    created = wll.ok(wll.post("/settings/", {"name": "brand.colour", "value": "red"}), 201)
    assert created["name"] == "brand.colour" and created["value"] == "red"
    wll.failed(wll.post("/settings/", {"name": "brand.colour", "value": "blue"}), 409)
    wll.failed(wll.post("/settings/", {"name": "bad name!", "value": "x"}), 400)
    patch = [{"name": "pointsCurrencyValue", "value": "0.05"}]
    changed = wll.ok(wll.client.patch("/v1/settings/", json=patch, headers=wll.headers()))
    assert changed[0]["value"] == "0.05"
    assert wll.ok(wll.get("/settings/pointsCurrencyValue", token=None))["value"] == "0.05"
    unknown = [{"name": "pointsCurrencyValue", "value": "1"}, {"name": "noSuch", "value": "1"}]
    wll.failed(wll.client.patch("/v1/settings", json=unknown, headers=wll.headers()), 404)
    assert wll.ok(wll.get("/settings/pointsCurrencyValue", token=None))["value"] == "0.05"


def test_traffic_is_recorded_for_the_tenant(wll: Wll):
    wll.ok(wll.get("/rewards", token=None))
    traffic = wll.client.get("/_posim/tenants/demo/traffic?limit=5").json()["traffic"]
    last = traffic[-1]
    assert last["dialect"] == "wll" and last["path"] == "/v1/rewards"
    assert last["request_headers"]["x-api-key"].startswith("***")


def test_seeded_garbage_never_gets_a_500(wll: Wll):
    """Random bodies, tokens and ids on every route: always a JSend 4xx/2xx, ledger clean."""
    wll.tenant.limiters[("wll", wll.creds["apiKey"])] = TokenBucket(1e9, 1e9)  # no throttle
    user = wll.create_user("auth0|ann")
    wll.earn(user, 1000)
    reward = wll.create_reward(price=10)
    benefit = wll.ok(wll.purchase(user, reward))
    rng = random.Random(7)
    atoms = [
        None,
        True,
        0,
        -1,
        1e308,
        10**40,
        "",
        "x",
        "1234567",
        user["id"],
        user["accountNumber"],
        "auth0|ann",
        [],
        {},
        [1],
        2.5,
        benefit["id"],
        reward["id"],
    ]
    keys = [
        "type",
        "subject",
        "payload",
        "id",
        "email",
        "authIdentifier",
        "rewardId",
        "userId",
        "code",
        "allowFutureValidation",
        "name",
        "price",
        "discounts",
        "codes",
        "codeType",
        "availability",
        "purchaseExpiration",
        "schema",
        "profile",
        "amount",
        "points",
        "beneficiaryId",
        "actorId",
        "benefitId",
        "emailAddress",
        "telephoneNumber",
        "isPrivate",
        "isActive",
        "occurredAt",
        "liabilityHandlingPolicy",
        "value",
        "totalSpend",
        "submitter",
        "items",
    ]

    def value(depth: int = 0):
        roll = rng.random()
        if depth < 2 and roll < 0.2:
            return {rng.choice(keys): value(depth + 1) for _ in range(rng.randint(0, 4))}
        if depth < 2 and roll < 0.3:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return rng.choice(atoms)

    posts = [
        "/events",
        "/users",
        "/rewards",
        "/commands/purchase_reward",
        "/event_types",
        "/commands/redeem_benefit",
        "/commands/validate_voucher",
        "/commands/adjust_points",
        "/events/test_reaction",
        "/settings/",
        "receipts",
        f"/rewards/{reward['id']}/discounts",
    ]
    first_discount = reward["discounts"][0]["id"]
    patches = [
        f"/users/{user['id']}",
        f"/rewards/{reward['id']}",
        "/settings/",
        f"/rewards/{reward['id']}/discounts/{first_discount}",
    ]
    gets = [
        "/users/%s",
        "/users/%s/wallet",
        "/benefits/%s",
        "/benefits?redeemable=%s",
        "/users/?filter=%s",
        "/events/?limit=%s",
        "/rewards/?skip=%s",
        "/settings/%s",
        "/events/%s",
        "/event_types/%s/secret",
        "/vouchers/%s",
        "/tiers/%s",
    ]
    tokens = ["admin", None, wll.user_token("auth0|ann"), wll.creds["eventTypeSecret"], "a.b.c"]
    for _ in range(400):
        token = rng.choice(tokens)
        if rng.random() < 0.7:
            body = {k: value() for k in rng.sample(keys, rng.randint(0, 6))}
            if rng.random() < 0.5:
                body["type"] = rng.choice(["TRANSACTION", "REDEEMED_POINTS", "POINTS_REFUND"])
                body["subject"] = {"id": user["id"]}
                body["payload"] = {"amount": value(), "points": value()}
            path = rng.choice(posts + patches)
            headers = wll.headers(token)
            if path in patches:
                response = wll.client.patch("/v1" + path, json=body, headers=headers)
            elif path == "receipts":
                response = wll.client.post("/receipts/v1/orders", json=body, headers=headers)
            else:
                response = wll.post(path, body, token=token)
        else:
            response = wll.get(rng.choice(gets) % json.dumps(value()), token=token)
        assert response.status_code < 500, response.text
        assert response.json()["status"] in ("success", "fail")


def _fault(wll: Wll, **rule) -> None:
    response = wll.client.post("/_posim/tenants/demo/faults", json={"count": 1, **rule})
    assert response.status_code in (200, 201), response.text


def test_injected_faults_are_rendered_in_jsend(wll: Wll):
    wll.admin_token()
    _fault(wll, kind="rate_limit", retry_after_s=3)
    response = wll.get("/rewards")
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert response.json() == {"status": "fail", "message": "Too Many Requests", "data": None}
    _fault(wll, kind="error", status=503)
    response = wll.get("/rewards")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "message": "Service Unavailable", "code": 503}
    _fault(wll, kind="error", status=502)
    assert wll.get("/rewards").json()["message"] == "Bad Gateway"
    assert wll.get("/rewards").status_code == 200  # each rule fired once
