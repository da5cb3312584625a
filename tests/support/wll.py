"""WLL test harness shared by the tests/dialects/test_wll_* modules.

Every test gets a fresh app with a frozen tenant clock and the engine audit after each
command; `Wll.close()` also asserts the ledger audit is clean.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reference_backend.app import create_app
from reference_backend.dialects.wll import mint_user_token
from reference_backend.settings import Settings
from simulator.transports import InProcessClient

ADMIN = "admin"  # token selector meaning "a freshly minted admin token"


class Wll:
    def __init__(self) -> None:
        self.app = create_app(Settings(running_clock=False, check_invariants=True))
        self.client = InProcessClient(self.app)
        self.tenant = self.app.state.registry.get("demo")
        self.creds = self.tenant.credentials["wll"]
        self._admin: str | None = None

    # -- credentials ------------------------------------------------------------------
    def admin_token(self) -> str:
        if self._admin is None:
            body = {
                "client_id": self.creds["clientId"],
                "client_secret": self.creds["clientSecret"],
                "audience": "wlloyalty.net",
                "grant_type": "client_credentials",
            }
            response = self.client.post("/oauth/token", json=body)
            assert response.status_code == 200, response.text
            self._admin = response.json()["access_token"]
        return self._admin

    def user_token(self, sub: str, ttl_s: int = 3600) -> str:
        return mint_user_token(self.tenant, sub, ttl_s)

    def headers(self, token: str | None = ADMIN) -> dict[str, str]:
        headers = {"X-Api-Key": self.creds["apiKey"]}
        if token == ADMIN:
            token = self.admin_token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    # -- HTTP -------------------------------------------------------------------------
    def get(self, path: str, token: str | None = ADMIN, **kw: Any) -> httpx.Response:
        return self.client.get(f"/v1{path}", headers=self.headers(token), **kw)

    def post(self, path: str, json: Any = None, token: str | None = ADMIN, **kw: Any):
        return self.client.post(f"/v1{path}", json=json, headers=self.headers(token), **kw)

    def ok(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        body = response.json()
        assert body["status"] == "success"
        return body["data"]

    def failed(self, response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body = response.json()
        assert body["status"] == "fail" and isinstance(body["message"], str)
        return body

    # -- seeding ----------------------------------------------------------------------
    def create_user(self, auth_id: str = "auth0|ann", email: str | None = None) -> dict:
        body = {"email": email or f"{auth_id.split('|')[-1]}@example.com", "givenName": "Ann"}
        body["authIdentifier"] = auth_id
        return self.ok(self.post("/users", body))

    def event(self, subject: Any, type_: str, payload: dict, token: str | None = ADMIN):
        return self.post("/events", {"type": type_, "subject": subject, "payload": payload}, token)

    def earn(self, user: dict, amount: float) -> None:
        self.ok(self.event({"id": user["id"]}, "TRANSACTION", {"amount": amount}))

    def points(self, user: dict) -> int:
        return self.ok(self.get(f"/users/{user['id']}/wallet"))["points"]

    def create_reward(self, **fields: Any) -> dict:
        body = {"name": "Free coffee", "price": 50, "value": 300, **fields}
        body.setdefault("discounts", [{"type": "ABSOLUTE", "value": 300, "sku": None}])
        return self.ok(self.post("/rewards", body))

    def purchase(self, user: dict, reward: dict) -> httpx.Response:
        return self.post(
            "/commands/purchase_reward", {"rewardId": reward["id"], "beneficiaryId": user["id"]}
        )

    def redeemed_code(self, user: dict, reward: dict) -> str:
        benefit = self.ok(self.purchase(user, reward))
        redeemed = self.ok(self.post("/commands/redeem_benefit", {"benefitId": benefit["id"]}))
        return redeemed["code"]["value"]

    # -- control plane ----------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        response = self.client.post("/_posim/tenants/demo/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text

    def close(self) -> None:
        try:
            violations = self.client.get("/_posim/tenants/demo/audit").json()["violations"]
            assert violations == []
        finally:
            self.client.close()


def make_fixture():
    """The per-module `wll` fixture (each module calls this; no shared conftest)."""

    @pytest.fixture
    def wll():
        harness = Wll()
        try:
            yield harness
        finally:
            harness.close()

    return wll
