"""The Gameball dialect's test harness: a POS on a fresh tenant of a shared in-process app.

Every test gets its own tenant (frozen clock, invariants checked after every command) and
ends with a clean ledger audit. Test modules import the fixtures and helpers from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_backend.app import create_app
from reference_backend.dialects.gameball.routes import routes as gameball_routes
from reference_backend.settings import Settings
from simulator.transports import InProcessClient

V40 = "/api/v4.0/integrations"
V41 = "/api/v4.1/integrations"
NOW = "2026-01-01T00:00:00Z"
SPEC = (
    Path(__file__).resolve().parents[2] / "fixtures" / "vendor" / "gameball" / "openapi-facts.json"
)
# 1 point per 1.00 paid; 10 points are worth 1.00 (redemptionFactor 0.1)
PROGRAM = {"currency": "USD", "redeem_points": 10, "redeem_value_minor": 100}


class Pos:
    """A POS integration talking to one fresh tenant through the Gameball dialect."""

    def __init__(self, client: InProcessClient, config: dict[str, Any] | None = None) -> None:
        self.client = client
        created = client.post("/_posim/tenants", json={"config": {**PROGRAM, **(config or {})}})
        assert created.status_code == 201, created.text
        body = created.json()
        self.tenant_id = body["tenant"]
        self.api_key = body["credentials"]["gameball"]["apiKey"]
        self.secret = body["credentials"]["gameball"]["secretKey"]

    def headers(self, secret: bool = True) -> dict[str, str]:
        keys = {"APIKey": self.api_key}
        return {**keys, "SecretKey": self.secret} if secret else keys

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        secret: bool = True,
        prefix: str = V40,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = self.headers(secret) if headers is None else headers
        if body is not None:
            kwargs["json"] = body
        return self.client.request(method, prefix + path, headers=sent, **kwargs)

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def fail(
        self, method: str, path: str, body: Any, code: int, status: int, **kwargs: Any
    ) -> dict[str, Any]:
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == status, response.text
        error = response.json()
        assert error["code"] == code, error
        assert set(error) >= {"code", "type", "message", "documentationUrl", "requestId"}
        return error

    # -- scenario shortcuts -----------------------------------------------------------
    def customer(self, customer_id: str, **fields: Any) -> dict[str, Any]:
        return self.ok("POST", "/customers", {"customerId": customer_id, **fields})

    def order(self, customer_id: str, order_id: str, paid: float, **fields: Any) -> dict:
        body = {"customerId": customer_id, "orderId": order_id, "orderDate": NOW}
        return self.ok("POST", "/orders", {**body, "totalPaid": paid, **fields})

    def hold(self, customer_id: str, points: int, **fields: Any) -> dict[str, Any]:
        body = {"customerId": customer_id, "transactionTime": NOW, "pointsToHold": points}
        return self.ok("POST", "/transactions/hold", {**body, **fields})

    def refund(self, order_id: str, refund_id: str, customer_id: str = "c1", **fields) -> dict:
        body = {
            "customerId": customer_id,
            "refundTransactionId": refund_id,
            "reverseTransactionId": order_id,
            "transactionTime": NOW,
        }
        return self.ok("POST", "/transactions/refund", {**body, **fields})

    def balance(self, customer_id: str) -> dict[str, Any]:
        return self.ok("GET", f"/customers/{customer_id}/balance")

    def available(self, customer_id: str) -> int:
        return self.balance(customer_id)["availablePointsBalance"]

    def configure(self, **settings: Any) -> None:
        """The tenant's Gameball settings, through the control plane."""
        path = f"/_posim/tenants/{self.tenant_id}/dialects/gameball"
        response = self.client.put(path, json=settings)
        assert response.status_code == 200, response.text

    def advance(self, seconds: float) -> None:
        path = f"/_posim/tenants/{self.tenant_id}/clock/advance"
        assert self.client.post(path, json={"seconds": seconds}).status_code == 200

    def audit(self) -> list[dict[str, Any]]:
        return self.client.get(f"/_posim/tenants/{self.tenant_id}/audit").json()["violations"]

    @property
    def tenant(self):
        return self.client.app.state.registry.get(self.tenant_id)

    def referral_code(self, customer_id: str) -> str:
        self.customer(customer_id)
        return self.ok("GET", f"/customers/{customer_id}")["referralCode"]


@pytest.fixture(scope="module")
def client():
    app = create_app(Settings(running_clock=False, check_invariants=True, demo_tenant=False))
    with InProcessClient(app) as in_process:
        in_process.app = app
        yield in_process


@pytest.fixture
def pos(client):
    """A fresh tenant; the ledger must audit clean once the test is done."""
    terminal = Pos(client)
    yield terminal
    assert terminal.audit() == []


@pytest.fixture
def pos_with(client):
    """Factory for a tenant with program settings of the test's own."""
    made: list[Pos] = []

    def make(**config: Any) -> Pos:
        made.append(Pos(client, config))
        return made[-1]

    yield make
    for terminal in made:
        assert terminal.audit() == []


# -- customers ------------------------------------------------------------------------
def test_upsert_creates_then_updates_the_same_customer(pos):
    attrs = {"displayName": "Mona Ali", "firstName": "Mona", "city": "Cairo"}
    created = pos.customer("c1", email="mona@example.com", customerAttributes=attrs)
    assert created["customerId"] == "c1" and created["email"] == "mona@example.com"
    assert created["name"] == "Mona Ali" and isinstance(created["gameballId"], int)
    again = pos.customer("c1", mobile="+201000000001", customerAttributes={"city": "Giza"})
    assert again["gameballId"] == created["gameballId"]
    details = pos.ok("GET", "/customers/c1/details")
    attributes = details["customerAttributes"]
    assert attributes["city"] == "Giza" and attributes["displayName"] == "Mona Ali"
    assert attributes["email"] == "mona@example.com" and attributes["mobile"] == "+201000000001"


def seed_voucher(pos, code: str, member_id: str | None = "c1", **fields) -> None:
    body = {"code": code, "member_id": member_id, "discount_value": 500, **fields}
    response = pos.client.post(f"/_posim/tenants/{pos.tenant_id}/vouchers", json=body)
    assert response.status_code == 201, response.text


def voucher_of(pos, code: str):
    return pos.tenant.engine.voucher(code)


def mounted_operations() -> set[tuple[str, str]]:
    """(method, path template) of every Gameball route posim serves, under /api/v4.0."""
    return {
        (method, V40 + route.path) for route in gameball_routes.routes for method in route.methods
    }
