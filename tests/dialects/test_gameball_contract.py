"""Contract: every Gameball endpoint's real responses validate against Gameball's OpenAPI.

The schemas come from fixtures/vendor/gameball/openapi-facts.json, the facts that
scripts/extract_openapi_facts.py keeps of Gameball's published file (paths, fields, types,
required lists; no prose), so the test runs anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.gameball import NOW, SPEC, V40, mounted_operations, seed_voucher
from tests.support.openapi_check import OpenApi

# served beside the spec: the POST alias of customer deletion that Gameball's SFCC
# cartridge calls (the OAS documents only the DELETE)
ALIASES = {("POST", V40 + "/customers/{customerId}/delete")}

ROOT = Path(__file__).resolve().parents[2]
ENVELOPE = {
    "type": "object",
    "required": ["code", "type", "message", "documentationUrl", "requestId"],
    "properties": {
        "code": {"type": "integer"},
        "type": {"type": "string"},
        "message": {"type": "string"},
        "documentationUrl": {"type": "string"},
        "requestId": {"type": "string"},
    },
}


@pytest.fixture(scope="module")
def spec() -> OpenApi:
    return OpenApi(SPEC)


def _exercise(pos) -> list:
    """One pass over every implemented endpoint; returns every response."""
    seen = []

    def call(method, path, body=None, **kwargs):
        response = pos.call(method, path, body, **kwargs)
        seen.append((method, V40 + path, response, body))
        return response

    def ok(method, path, body=None, **kwargs):
        response = call(method, path, body, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    ok("POST", "/customers", {"customerId": "ref", "customerAttributes": {"city": "Cairo"}})
    code = ok("GET", "/customers/ref")["referralCode"]
    attrs = {"displayName": "Friend", "channel": "pos", "paymentMethods": ["cash", 5]}
    ok(
        "POST",
        "/customers",
        {"customerId": "c1", "email": "f@x.io", "referrerCode": code, "customerAttributes": attrs},
    )
    ok("GET", "/customers/c1/details")
    order = {
        "customerId": "c1",
        "orderId": "o1",
        "orderDate": NOW,
        "totalPaid": 300,
        "lineItems": [{"productId": "P1", "quantity": 1.5, "price": 200}],
        "merchant": {"uniqueId": "M1", "branch": {"uniqueId": "B1"}},
        "channel": "pos",
    }
    ok("POST", "/orders", order)
    pos.advance(1)
    hold = {"customerId": "c1", "transactionTime": NOW, "pointsToHold": 50}
    ref = ok("POST", "/transactions/hold", hold)["holdReference"]
    ok("GET", f"/transactions/hold/{ref}")
    ok(
        "POST",
        "/orders",
        {
            "customerId": "c1",
            "orderId": "o2",
            "orderDate": NOW,
            "totalPaid": 20,
            "redemption": {"pointsHoldReference": ref},
        },
    )
    ref2 = ok("POST", "/transactions/hold", hold)["holdReference"]
    ok("DELETE", f"/transactions/hold/{ref2}")
    refund = {
        "customerId": "c1",
        "refundTransactionId": "r1",
        "reverseTransactionId": "o2",
        "transactionTime": NOW,
        "refundAmount": 5,
    }
    ok("POST", "/transactions/refund", refund)
    ok("GET", "/orders/o2/transactions")
    ok("GET", "/customers/c1/balance")
    ok("GET", "/customers/c1/activities", params={"limit": 2})
    ok("GET", "/customers/ref/referrals")
    ok("GET", "/referrals/validate", params={"referrerCode": code, "forCustomerId": "c1"})
    qr = ok("GET", "/customers/c1/hash")["hash"]
    redeem = {"customerId": "c1" + qr, "transactionId": "t1", "transactionTime": NOW, "points": 10}
    ok("POST", "/transactions/redeem", redeem)
    cashback = {
        "customerId": "c1",
        "transactionId": "cb1",
        "transactionTime": NOW,
        "amount": 12.5,
        "configurations": {"returnWindow": 1},
    }
    ok("POST", "/transactions/cashback", cashback)
    ok("POST", "/events", {"customerId": "c1", "events": {"visit": {"where": "mall"}}})
    quote = {
        "customerId": "c1",
        "totalPaid": 80,
        "totalDiscount": 0,
        "totalShipping": 0,
        "lineItems": [{"productId": "P1", "price": 80}],
    }
    ok("POST", "/orders/cashback", quote)
    ok("POST", "/orders/reward-preview", quote)
    ok("POST", "/orders/reward-preview", {**quote, "customerId": "stranger"})
    for path in ("redemption", "cashback", "rewards/redemption", "rewards/cashback"):
        ok("GET", f"/configurations/{path}")
    _exercise_more(pos, ok)
    ok("PUT", "/customers/c1/activate", {"isActive": False})
    # and some failures, for the envelope
    call("GET", "/customers/ghost/balance")
    call("POST", "/transactions/hold", {**hold, "pointsToHold": 10**6})
    call("POST", "/orders", content=b"{oops")
    call("GET", "/customers/c1", headers={})
    return seen


def _exercise_more(pos, ok) -> None:
    """The coupon API, manual transactions, activation, deletion and counts."""
    seed_voucher(pos, "SAVE5")
    seed_voucher(pos, "LOCKME")
    seed_voucher(pos, "PCT", discount_kind="percent", discount_value=10, valid_days=3)
    ok("POST", "/coupons/validate", {"customerId": "c1", "coupons": ["SAVE5", "PCT"]})
    ok("POST", "/coupons/SAVE5/validate", {"customerId": "c1", "totalPurchaseAmount": 50})
    locked = ok("POST", "/coupons/LOCKME/validate", {"customerId": "c1", "lock": True})
    ok("DELETE", f"/coupons/{locked['lockReference']}")
    body = {"customerId": "c1", "coupons": ["LOCKME"], "lock": True, "lockDuration": 5}
    ref = ok("POST", "/coupons/validate", body)["lockReference"]
    ok(
        "POST",
        "/orders",
        {
            "customerId": "c1",
            "orderId": "o3",
            "orderDate": NOW,
            "totalPaid": 10,
            "redemption": {"couponsLockReference": ref},
        },
    )
    burn = {"customerId": "c1", "transactionId": "b1", "transactionTime": NOW, "coupons": ["SAVE5"]}
    ok("POST", "/coupons/burn", burn)
    ok("GET", "/customers/c1/coupons")
    manual = {"customerId": "c1", "transactionId": "m1", "username": "admin", "reason": "bonus"}
    ok("POST", "/transactions/manual", {**manual, "points": 25, "transactionTime": NOW})
    ok("POST", "/transactions/manual", {**manual, "transactionId": "m2", "amount": -3})
    cashback = {"customerId": "c1", "transactionId": "late", "transactionTime": NOW, "amount": 9}
    ok("POST", "/transactions/cashback", {**cashback, "configurations": {"returnWindow": 9}})
    ok("PUT", "/transactions/late/activate")
    ok("GET", "/customers/c1/activities/count")
    ok("GET", "/customers/ref/referrals/count")
    ok("POST", "/customers", {"customerId": "leaver", "email": "bye@x.io"})
    ok("DELETE", "/customers/leaver")
    ok("POST", "/customers", {"customerId": "leaver2"})
    ok("POST", "/customers/leaver2/delete", {})
    ok("GET", "/transactions", params={"limit": 3})
    ok("GET", "/transactions/customer-view", params={"customerId": "c1"})
    ok("GET", "/transactions/count", params={"direction": "debit"})
    ok("GET", "/configurations/tiers")
    ok("GET", "/customers/c1/tier-progress")
    ok("GET", "/configurations/referrals")
    ok("POST", "/customers/c1/tags", {"tags": "vip, gamer"})
    ok("DELETE", "/customers/c1/tags", {"tags": "gamer"})
    ok("DELETE", "/customers/c1/tags/vip")
    preview = {"customerId": "c1", "events": {"visit": {"where": "mall"}, "other": None}}
    ok("POST", "/events/reward-preview", preview)


def test_every_response_validates_against_the_openapi(pos, spec):
    seen = _exercise(pos)
    problems = []
    for method, path, response, _ in seen:
        body = response.json()
        if response.status_code == 200:
            template = spec.template_for(method, path)
            if template is None and _alias(method, path):
                continue
            assert template, f"{method} {path} is not in Gameball's OpenAPI"
            schema = _schema(spec.operation(method, template)["responses"]["200"])
            if schema is not None:  # some operations document no response body
                problems += [f"{method} {path}: {e}" for e in spec.errors(body, schema)]
        else:
            error_schema = {"$ref": "#/components/schemas/Error"}
            problems += [f"{method} {path}: {e}" for e in spec.errors(body, error_schema)]
            problems += [f"{method} {path}: {e}" for e in spec.errors(body, ENVELOPE)]
    assert problems == []


def _alias(method: str, path: str) -> bool:
    return any(
        method == m and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", a), path) for m, a in ALIASES
    )


def test_the_contract_pass_covers_every_route(pos, spec):
    seen = _exercise(pos)
    exercised = {(m, spec.template_for(m, p) or p) for m, p, r, _ in seen if r.status_code == 200}
    exercised |= {(m, a) for m, a in ALIASES if any(m == x and _alias(x, p) for x, p, *_ in seen)}
    assert mounted_operations() <= exercised


def _schema(node: dict) -> dict | None:
    """The JSON schema of a response or request body (None: the OAS documents none)."""
    return node.get("content", {}).get("application/json", {}).get("schema")


def test_every_request_the_pass_sends_is_shaped_as_the_openapi_says(pos, spec):
    """posim's own exercise speaks the spec's request shapes, so what it proves holds for
    a client written from the OAS."""
    problems = []
    for method, path, response, sent in _exercise(pos):
        template = spec.template_for(method, path)
        if template is None or sent is None or response.status_code != 200:
            continue
        schema = _schema(spec.operation(method, template).get("requestBody", {}))
        if schema is not None:
            problems += [f"{method} {path}: {e}" for e in spec.errors(sent, schema)]
    assert problems == []


def test_the_validator_catches_mismatches(spec):
    schema = spec.response_schema("GET", "/api/v4.0/integrations/customers/{customerId}/balance")
    assert spec.errors({"totalPointsBalance": "many"}, schema)
    assert spec.errors({"currency": None}, schema)
    assert not spec.errors({"totalPointsBalance": 1, "currency": "USD"}, schema)
    preview = spec.response_schema("POST", "/api/v4.0/integrations/orders/reward-preview")
    assert spec.errors({"eventRewards": 5}, preview)
    assert spec.errors(
        {"activities": [{"activityId": "x"}]},
        {"$ref": "#/components/schemas/CustomerActivitiesResponse"},
    )
