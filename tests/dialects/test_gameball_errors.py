"""Gameball dialect: credentials, the error envelope, bad input and rate limits."""

from __future__ import annotations

import pytest

from reference_backend.dialects.gameball import customers
from reference_backend.dialects.gameball.errors import ENGINE_CODES, GameballError
from reference_backend.dialects.ratelimit import TokenBucket
from reference_backend.engine import EngineCode, EngineError
from tests.support.gameball import NOW, V40


# -- credentials ----------------------------------------------------------------------
def test_api_key_missing_or_wrong_is_1000(pos):
    pos.fail("GET", "/customers/c1", None, 1000, 401, headers={})
    pos.fail("GET", "/customers/c1", None, 1000, 401, headers={"APIKey": "not-a-key"})


def test_secret_missing_is_1001_and_wrong_is_1000(pos):
    pos.customer("c1")
    pos.fail("GET", "/customers/c1/balance", None, 1001, 401, secret=False)
    wrong = {"APIKey": pos.api_key, "SecretKey": "sk_wrong"}
    pos.fail("GET", "/customers/c1/balance", None, 1000, 401, headers=wrong)
    pos.fail("GET", "/customers/c1", None, 1000, 401, headers=wrong)  # checked when sent


def test_header_names_are_case_insensitive(pos):
    pos.customer("c1")
    for names in (("apikey", "secretkey"), ("APIKEY", "secretKey"), ("ApiKey", "SECRETKEY")):
        headers = {names[0]: pos.api_key, names[1]: pos.secret}
        assert pos.ok("GET", "/customers/c1/balance", headers=headers)["pendingPoints"] == 0


def test_keys_of_one_tenant_never_reach_another(client, pos):
    other = type(pos)(client)
    other.customer("c1")
    pos.fail("GET", "/customers/c1", None, 7000, 404)
    mixed = {"APIKey": pos.api_key, "SecretKey": other.secret}
    pos.fail("GET", "/customers/c1/balance", None, 1000, 401, headers=mixed)


def test_auth_is_checked_before_the_body(pos):
    response = pos.call("POST", "/orders", headers={}, content=b"{not json")
    assert response.status_code == 401 and response.json()["code"] == 1000


# -- envelope and bad input -----------------------------------------------------------
def test_envelope_carries_the_request_id(pos):
    response = pos.call("GET", "/customers/ghost/balance")
    error = response.json()
    assert error["requestId"] == response.headers["x-request-id"]
    assert error["type"] == "Customer Error" and error["message"]
    assert error["documentationUrl"].startswith("https://docs.gameball.co/")


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[1, 2]", b"", b"null", b'"text"', b"\xff\xfe", b"[" * 10**5 + b"]" * 10**5],
    ids=lambda raw: repr(raw[:12]),
)
def test_malformed_or_non_object_bodies_are_3016(pos, raw):
    response = pos.call("POST", "/transactions/hold", content=raw)
    assert response.status_code == 400 and response.json()["code"] == 3016


def test_unknown_routes_and_methods_under_the_prefix(pos):
    pos.fail("GET", "/no/such/route", None, 4004, 404)
    pos.fail("GET", "/customers/c1/balance/extra", None, 4004, 404, prefix=V40)
    pos.fail("PATCH", "/customers", {"customerId": "c1"}, 4004, 405)


@pytest.mark.parametrize(
    "path", ["/api/v5.0/integrations/customers", "/api/v3/player", "/api/v4.0/other", "/api"]
)
def test_unknown_paths_and_versions_under_api_get_gameball_s_envelope(pos, path):
    error = pos.fail("GET", path, None, 4004, 404, prefix="")
    assert error["message"] == f"No route matches GET {path}" and error["error"] == 4004


def test_wrong_types_never_crash(pos):
    pos.order("c1", "o1", 10)
    bodies = [
        ("/customers", {"customerId": {"a": 1}}),
        ("/customers", {"customerId": "c1", "customerAttributes": "x"}),
        ("/transactions/hold", {"customerId": True, "transactionTime": NOW, "pointsToHold": 1}),
        ("/orders", {"customerId": "c1", "orderId": [], "orderDate": NOW, "totalPaid": 1}),
        ("/transactions/refund", {"customerId": "c1", "refundTransactionId": 1.5}),
        ("/transactions/redeem", {"customerId": "c1", "transactionId": "t", "points": 1}),
        ("/events", {"customerId": "c1", "events": []}),
        ("/orders/reward-preview", {"totalPaid": "NaN"}),
    ]
    for path, body in bodies:
        response = pos.call("POST", path, body)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert response.json()["code"] in (3000, 3001, 3003), (path, response.text)


ODD = [None, 5, -1, 1.5, True, "", [], [1], {}, {"a": 1}, 10**30, 1e308]
NEW_CALLS = [
    ("POST", "/coupons/validate", ("customerId", "coupons", "lock", "lockDuration")),
    ("POST", "/coupons/X/validate", ("customerId", "lock", "lockReference")),
    ("POST", "/coupons/burn", ("customerId", "coupons", "lockReference", "transactionId")),
    ("POST", "/transactions/manual", ("transactionId", "username", "points", "amount")),
    ("POST", "/customers/c1/tags", ("tags",)),
    ("DELETE", "/customers/c1/tags", ("tags",)),
    ("POST", "/events/reward-preview", ("customerId", "events")),
]


@pytest.mark.parametrize(("method", "path", "fields"), NEW_CALLS, ids=lambda x: str(x)[:30])
def test_odd_values_on_the_newer_calls_are_4xx(pos, method, path, fields):
    pos.customer("c1")
    base = {"customerId": "c1", "coupons": ["X"], "transactionId": "t1", "username": "u"}
    base |= {"reason": "r", "points": 1, "tags": "a", "events": {"e": {}}}
    for field in fields:
        for value in ODD:
            response = pos.call(method, path, {**base, field: value})
            assert response.status_code < 500, (field, value, response.text)
    assert pos.audit() == []


def test_null_on_an_optional_field_means_not_sent(pos):
    body = {"customerId": "c1", "orderId": "o1", "orderDate": NOW, "totalPaid": 5}
    nulls = {"totalPrice": None, "lineItems": None, "guest": None, "redemption": None}
    assert pos.ok("POST", "/orders", {**body, **nulls})["rewardedPoints"] == 5
    pos.fail("POST", "/orders", {**body, "orderId": None}, 3001, 422)


def test_an_unexpected_crash_is_a_5000_envelope(pos, monkeypatch):
    def boom(engine, customer_id):
        raise RuntimeError("bug")

    monkeypatch.setattr(customers, "balance", boom)
    pos.fail("GET", "/customers/c1/balance", None, 5000, 500)


def test_engine_errors_escaping_a_route_keep_the_envelope(pos, monkeypatch):
    def busy(engine, customer_id):
        raise EngineError("version_conflict", "someone else wrote first")

    monkeypatch.setattr(customers, "balance", busy)
    error = pos.fail("GET", "/customers/c1/balance", None, 2001, 422)
    assert error["message"] == "someone else wrote first"


def test_every_engine_error_maps_to_a_documented_code():
    for code in EngineCode:
        mapped = GameballError.from_engine(EngineError(code))
        assert 400 <= mapped.status < 600 and mapped.code >= 1000
    assert set(ENGINE_CODES) <= set(EngineCode)


# -- rate limits ----------------------------------------------------------------------
def _frozen_buckets(pos, bucket: str, per_second: int, per_30s: int) -> list[float]:
    """Swap the tenant's buckets for ones on a hand-moved clock (no sleeping)."""
    now = [0.0]
    key = ("gameball", pos.api_key, bucket)
    limiters = pos.tenant.limiters
    limiters[(*key, "1s")] = TokenBucket(per_second, per_second, now=lambda: now[0])
    limiters[(*key, "30s")] = TokenBucket(per_30s / 30, per_30s, now=lambda: now[0])
    return now


def test_rate_limit_is_429_in_gameball_shape_with_retry_after(pos):
    now = _frozen_buckets(pos, "transactions", 30, 360)
    for _ in range(30):
        assert pos.call("GET", "/transactions/hold/h1").status_code == 404
    response = pos.call("GET", "/transactions/hold/h1")
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert response.json()["code"] == 3011
    assert pos.call("GET", "/customers/c1").status_code == 404  # another bucket
    now[0] += 1.0
    assert pos.call("GET", "/transactions/hold/h1").status_code == 404


def test_the_thirty_second_quota_also_limits(pos):
    now = _frozen_buckets(pos, "orders_calc", 1000, 3)
    body = {"totalPaid": 1}
    for _ in range(3):
        assert pos.call("POST", "/orders/cashback", body).status_code == 200
    response = pos.call("POST", "/orders/cashback", body)
    assert response.status_code == 429 and response.headers["Retry-After"] == "10"
    now[0] += 10
    assert pos.call("POST", "/orders/cashback", body).status_code == 200


def test_documented_bucket_sizes_are_used(pos):
    pos.call("POST", "/events", {"customerId": "c1", "events": {}})
    key = ("gameball", pos.api_key, "events")
    per_second = pos.tenant.limiters[(*key, "1s")]
    per_30s = pos.tenant.limiters[(*key, "30s")]
    assert (per_second.rate, per_second.burst) == (100, 100)
    assert (per_30s.rate, per_30s.burst) == (40, 1200)


# -- injected faults ------------------------------------------------------------------
def _fault(pos, **rule) -> None:
    path = f"/_posim/tenants/{pos.tenant_id}/faults"
    assert pos.client.post(path, json=rule).status_code in (200, 201)


def test_an_injected_429_is_3011_with_retry_after(pos):
    pos.customer("c1")
    _fault(pos, kind="rate_limit", count=1, retry_after_s=2)
    error = pos.fail("GET", "/customers/c1", None, 3011, 429)
    assert error["type"] == "Payload Error" and error["error"] == 3011
    assert pos.call("GET", "/customers/c1").status_code == 200
    _fault(pos, kind="rate_limit", count=1, retry_after_s=2)
    assert pos.call("GET", "/customers/c1").headers["Retry-After"] == "2"


@pytest.mark.parametrize(("status", "code"), [(503, 5003), (500, 5000), (502, 5000)])
def test_an_injected_outage_keeps_its_status(pos, status, code):
    _fault(pos, kind="error", status=status, count=1)
    error = pos.fail("GET", "/customers/c1/balance", None, code, status)
    assert error["type"] == "Server Error"
    pos.fail("GET", "/customers/c1/balance", None, 7000, 404)  # the fault fired once
