"""Contract: every Gameball endpoint's real responses validate against Gameball's OpenAPI.

The schemas come from fixtures/vendor/gameball/openapi-facts.json, the facts that
scripts/extract_openapi_facts.py keeps of Gameball's published file (paths, fields, types,
required lists; no prose), so the test runs anywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reference_backend.dialects.gameball.routes import routes as gameball_routes

try:  # the harness and the validator live beside this module
    from .openapi_check import OpenApi
    from .test_gameball import NOW, V40, client, pos  # noqa: F401
except ImportError:
    from openapi_check import OpenApi
    from test_gameball import NOW, V40, client, pos  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "fixtures" / "vendor" / "gameball" / "openapi-facts.json"
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
        seen.append((method, V40 + path, response))
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
    ok("PUT", "/customers/c1/activate", {"isActive": False})
    # and some failures, for the envelope
    call("GET", "/customers/ghost/balance")
    call("POST", "/transactions/hold", {**hold, "pointsToHold": 10**6})
    call("POST", "/orders", content=b"{oops")
    call("GET", "/customers/c1", headers={})
    return seen


def test_every_response_validates_against_the_openapi(pos, spec):
    seen = _exercise(pos)
    problems = []
    for method, path, response in seen:
        body = response.json()
        if response.status_code == 200:
            template = spec.template_for(method, path)
            assert template, f"{method} {path} is not in Gameball's OpenAPI"
            schema = spec.response_schema(method, template)
            problems += [f"{method} {path}: {e}" for e in spec.errors(body, schema)]
        else:
            error_schema = {"$ref": "#/components/schemas/Error"}
            problems += [f"{method} {path}: {e}" for e in spec.errors(body, error_schema)]
            problems += [f"{method} {path}: {e}" for e in spec.errors(body, ENVELOPE)]
    assert problems == []


def test_the_contract_pass_covers_every_route(pos, spec):
    exercised = {(m, spec.template_for(m, p)) for m, p, r in _exercise(pos) if r.status_code == 200}
    mounted = {
        (method, V40 + route.path) for route in gameball_routes.routes for method in route.methods
    }
    assert mounted <= exercised


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
