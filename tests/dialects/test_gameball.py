"""Gameball dialect: the test harness, and customer-facing endpoints.

Every test gets its own tenant on a shared in-process app (frozen clock, invariants checked
after every command) and ends with a clean ledger audit. Other test_gameball_* modules
import the harness from here.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.transports import InProcessClient

V40 = "/api/v4.0/integrations"
V41 = "/api/v4.1/integrations"
NOW = "2026-01-01T00:00:00Z"
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


def test_public_profile_hides_pii_and_details_needs_the_secret(pos):
    pos.customer("c1", email="a@example.com", customerAttributes={"gender": "F"})
    public = pos.ok("GET", "/customers/c1", secret=False)
    assert public["customerAttributes"]["gender"] == "F"
    assert "email" not in public["customerAttributes"]
    assert public["referralCode"] and public["isReferred"] is False
    pos.fail("GET", "/customers/c1/details", None, 1001, 401, secret=False)
    pos.fail("GET", "/customers/nobody", None, 7000, 404)
    pos.fail("GET", "/customers/nobody/details", None, 7000, 404)


def test_customer_id_may_be_a_number(pos):
    assert pos.customer(1848877205)["customerId"] == "1848877205"
    assert pos.ok("GET", "/customers/1848877205")["customerId"] == "1848877205"


def test_email_of_another_customer_is_3008(pos):
    pos.customer("c1", email="same@example.com")
    pos.fail("POST", "/customers", {"customerId": "c2", "email": "same@example.com"}, 3008, 422)


def test_balance_is_7000_for_unknown_and_tracks_orders(pos):
    pos.fail("GET", "/customers/ghost/balance", None, 7000, 404)
    pos.customer("c1")
    assert pos.balance("c1")["totalPointsBalance"] == 0
    pos.order("c1", "o1", 120.5)
    balance = pos.balance("c1")
    assert balance["availablePointsBalance"] == 120 and balance["totalPointsBalance"] == 120
    assert balance["availablePointsValue"] == 12.0 and balance["currency"] == "USD"
    assert balance["totalEarnedPoints"] == 120


def test_return_window_keeps_points_pending_until_the_clock_passes_it(pos):
    pos.order("c1", "o1", 50, cashbackConfigurations={"returnWindow": 7})
    balance = pos.balance("c1")
    assert balance["pendingPoints"] == 50 and balance["availablePointsBalance"] == 0
    assert balance["totalPointsBalance"] == 50 and balance["pendingPointsValue"] == 5.0
    pos.advance(7 * 86400)
    balance = pos.balance("c1")
    assert balance["pendingPoints"] == 0 and balance["availablePointsBalance"] == 50


def test_next_expiring_points_come_from_the_earliest_lot(pos_with):
    pos = pos_with(lot_expiry_days=30)
    pos.order("c1", "o1", 40)
    balance = pos.balance("c1")
    assert balance["nextExpiringPointsAmount"] == 40
    assert balance["nextExpiringPointsDate"].startswith("2026-01-31T00:00:00")
    pos.advance(30 * 86400)
    assert pos.available("c1") == 0


def test_activate_and_deactivate(pos):
    pos.order("c1", "o1", 100)
    off = pos.ok("PUT", "/customers/c1/activate", {"isActive": False})
    assert off == {"customerId": "c1", "isActive": False, "stateChanged": True}
    again = pos.ok("PUT", "/customers/c1/activate", {"isActive": False})
    assert again["stateChanged"] is False
    hold = {"customerId": "c1", "transactionTime": NOW, "pointsToHold": 10}
    pos.fail("POST", "/transactions/hold", hold, 3009, 422)
    order = {"customerId": "c1", "orderId": "o2", "orderDate": NOW, "totalPaid": 10}
    pos.fail("POST", "/orders", order, 3009, 422)
    pos.ok("PUT", "/customers/c1/activate", {"isActive": True})
    assert pos.hold("c1", 10)["holdEquivalentPoints"] == 10
    pos.fail("PUT", "/customers/ghost/activate", {"isActive": True}, 7000, 404)
    pos.fail("PUT", "/customers/c1/activate", {}, 3000, 400)
    pos.fail("PUT", "/customers/c1/activate", {"isActive": "perhaps"}, 3003, 422)


# -- referrals ------------------------------------------------------------------------
def test_referral_at_signup_pays_both_sides_on_the_first_order(pos):
    code = pos.referral_code("ref")
    pos.customer("friend", referrerCode=code, email="friend@example.com")
    assert pos.ok("GET", "/customers/friend")["isReferred"] is True
    listed = pos.ok("GET", "/customers/ref/referrals")
    assert listed["count"] == 1 and listed["referredFriends"][0]["status"] == "Pending"
    pos.order("friend", "o1", 10)
    assert pos.available("ref") == 100 and pos.available("friend") == 60
    friend = pos.ok("GET", "/customers/ref/referrals")["referredFriends"][0]
    assert friend == {**friend, "customerId": "friend", "status": "Active"}


def test_referrer_code_on_the_order_and_invalid_codes_are_ignored(pos):
    code = pos.referral_code("ref")
    pos.customer("stranger", referrerCode="NO-SUCH-CODE")
    assert pos.ok("GET", "/customers/stranger")["isReferred"] is False
    first = pos.order("newbie", "o1", 20, referrerCode=code)
    assert pos.available("ref") == 100 and pos.available("newbie") == 70
    again = {"customerId": "newbie", "orderId": "o1", "orderDate": NOW, "totalPaid": 20}
    pos.fail("POST", "/orders", {**again, "referrerCode": code}, 9004, 422)  # a re-send
    assert first["rewardedPoints"] == 20 and pos.available("ref") == 100
    pos.order("newbie", "o2", 20, referrerCode=code)  # only the first purchase counts
    assert pos.available("ref") == 100


def test_validate_referrer_code(pos):
    code = pos.referral_code("ref")
    path = "/referrals/validate"
    assert pos.ok("GET", path, params={"referrerCode": code})["isValid"] is True
    assert pos.ok("GET", path, params={"referrerCode": "NOPE"})["isValid"] is False
    own = {"referrerCode": code, "forCustomerId": "ref"}
    assert pos.ok("GET", path, params=own)["isValid"] is False
    pos.fail("GET", path, None, 3000, 400)


# -- prefixes -------------------------------------------------------------------------
def test_v41_demands_the_secret_everywhere_and_v4_is_an_alias(pos):
    body = {"customerId": "c1"}
    pos.fail("POST", "/customers", body, 1001, 401, secret=False, prefix=V41)
    assert pos.ok("POST", "/customers", body, prefix=V41)["customerId"] == "c1"
    assert pos.ok("POST", "/customers", body, secret=False)["customerId"] == "c1"
    assert pos.ok("GET", "/customers/c1/balance", prefix="/api/v4/integrations")
