"""WLL auth: API key tenant selection, user JWTs, admin tokens, secrets, rate limit."""

from __future__ import annotations

import base64

from reference_backend.dialects.ratelimit import TokenBucket
from reference_backend.dialects.wll import jwt
from tests.support.wll import Wll, make_fixture

wll = make_fixture()


def test_missing_or_unknown_api_key_is_403_jsend(wll: Wll):
    for headers in ({}, {"X-Api-Key": "wll_nope"}):
        response = wll.client.get("/v1/rewards", headers=headers)
        wll.failed(response, 403)


def test_anonymous_may_browse_rewards_but_not_users(wll: Wll):
    wll.ok(wll.get("/rewards", token=None))
    user = wll.create_user()
    wll.failed(wll.get(f"/users/{user['id']}", token=None), 401)
    wll.failed(wll.post("/events", {"type": "TRANSACTION"}, token=None), 401)


def test_oauth_token_is_auth0_shaped_and_lasts_24h_of_tenant_time(wll: Wll):
    body = {
        "client_id": wll.creds["clientId"],
        "client_secret": wll.creds["clientSecret"],
        "audience": "wlloyalty.net",
        "grant_type": "client_credentials",
    }
    token = wll.client.post("/oauth/token", json=body).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 86400
    access = token["access_token"]
    wll.ok(wll.get("/benefits", token=access))
    wll.advance(86400 - 1)
    wll.ok(wll.get("/benefits", token=access))
    wll.advance(1)
    assert wll.failed(wll.get("/benefits", token=access), 401)["message"] == "Token expired"


def test_oauth_accepts_form_encoding_and_basic_auth(wll: Wll):
    form = (
        f"grant_type=client_credentials&client_id={wll.creds['clientId']}"
        f"&client_secret={wll.creds['clientSecret']}"
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert wll.client.post("/oauth/token", content=form, headers=headers).status_code == 200
    basic = base64.b64encode(f"{wll.creds['clientId']}:{wll.creds['clientSecret']}".encode())
    response = wll.client.post(
        "/v1/oauth/token",
        json={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic.decode()}"},
    )
    assert response.status_code == 200


def test_oauth_failures(wll: Wll):
    good = {"client_id": wll.creds["clientId"], "client_secret": wll.creds["clientSecret"]}
    cases = [
        ({**good, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ({**good, "client_secret": "wrong", "grant_type": "client_credentials"}, 401, None),
        ({"grant_type": "client_credentials"}, 401, "access_denied"),
        ({**good, "client_id": 5, "grant_type": "client_credentials"}, 400, "invalid_request"),
    ]
    for body, status, error in cases:
        response = wll.client.post("/oauth/token", json=body)
        assert response.status_code == status
        payload = response.json()
        assert payload["status"] == "fail"
        assert error is None or payload["error"] == error
    response = wll.client.post("/oauth/token", content=b"{not json")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_user_token_expires_by_the_tenant_clock(wll: Wll):
    wll.create_user("auth0|ann")
    token = wll.user_token("auth0|ann", ttl_s=600)
    wll.ok(wll.get("/users/me/wallet", token=token))
    wll.advance(600)
    body = wll.failed(wll.get("/users/me/wallet", token=token), 401)
    assert body["message"] == "Token expired"


def test_bad_user_tokens_are_401(wll: Wll):
    wll.create_user("auth0|ann")
    now = int(wll.tenant.engine.now().timestamp())
    claims = {"sub": "auth0|ann", "iss": wll.creds["jwtIssuer"], "iat": now, "exp": now + 60}
    rs256_head = base64.urlsafe_b64encode(b'{"alg":"RS256","typ":"JWT"}').decode().rstrip("=")
    bad = [
        jwt.encode(claims, "not-the-tenant-secret" * 2),
        jwt.encode({**claims, "iss": "https://evil.example"}, wll.creds["jwtSecret"]),
        jwt.encode({k: v for k, v in claims.items() if k != "iat"}, wll.creds["jwtSecret"]),
        jwt.encode({k: v for k, v in claims.items() if k != "sub"}, wll.creds["jwtSecret"]),
        # signed with the HS256 secret but claiming RS256 (and no JWKS is set)
        f"{rs256_head}.{jwt.encode(claims, wll.creds['jwtSecret']).partition('.')[2]}",
        "not-a-jwt-and-not-a-secret",
    ]
    for token in bad:
        wll.failed(wll.get("/users/me/wallet", token=token), 401)
    response = wll.client.get(
        "/v1/users/me/wallet", headers={**wll.headers(None), "Authorization": "Token abc"}
    )
    wll.failed(response, 401)


def test_user_token_reaches_only_its_own_user(wll: Wll):
    ann = wll.create_user("auth0|ann")
    bob = wll.create_user("auth0|bob")
    token = wll.user_token("auth0|ann")
    assert wll.ok(wll.get("/users/me", token=token))["id"] == ann["id"]
    wll.ok(wll.get(f"/users/{ann['accountNumber']}/wallet", token=token))
    wll.failed(wll.get(f"/users/{bob['id']}", token=token), 403)
    wll.failed(wll.get(f"/users/{bob['id']}/wallet", token=token), 403)


def test_user_token_cannot_do_admin_work(wll: Wll):
    wll.create_user("auth0|ann")
    token = wll.user_token("auth0|ann")
    wll.failed(wll.post("/rewards", {"name": "x"}, token=token), 403)
    wll.failed(wll.get("/event_types", token=token), 403)
    # TRANSACTION is a private (back-office) type: a user cannot award themselves points
    wll.failed(wll.event(None, "TRANSACTION", {"amount": 10}, token=token), 403)


def test_admin_token_of_another_tenant_is_refused(wll: Wll):
    other = wll.client.post("/_posim/tenants", json={"tenant": "other"}).json()
    creds = other["credentials"]["wll"]
    body = {
        "client_id": creds["clientId"],
        "client_secret": creds["clientSecret"],
        "grant_type": "client_credentials",
    }
    foreign = wll.client.post("/oauth/token", json=body).json()["access_token"]
    wll.failed(wll.get("/benefits", token=foreign), 401)  # demo's API key, other's token
    headers = {"X-Api-Key": creds["apiKey"], "Authorization": f"Bearer {foreign}"}
    assert wll.client.get("/v1/benefits", headers=headers).status_code == 200


def test_rate_limit_429_after_the_burst_of_400(wll: Wll):
    # a bucket with a frozen time source: no refill, so exactly the burst gets through
    key = ("wll", wll.creds["apiKey"])
    wll.tenant.limiters[key] = TokenBucket(100, 400, now=lambda: 0.0)
    headers = wll.headers(None)
    statuses = [wll.client.get("/v1/settings", headers=headers).status_code for _ in range(400)]
    assert statuses == [200] * 400
    response = wll.client.get("/v1/settings", headers=headers)
    body = wll.failed(response, 429)
    assert body["message"] == "Too Many Requests"
    assert response.headers["Retry-After"] == "1"
    # the limit is per API key: another tenant is unaffected
    other = wll.client.post("/_posim/tenants", json={"tenant": "other"}).json()
    other_key = {"X-Api-Key": other["credentials"]["wll"]["apiKey"]}
    assert wll.client.get("/v1/settings", headers=other_key).status_code == 200
