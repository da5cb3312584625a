"""Capillary test harness shared by the tests/dialects/test_capillary_* modules.

Each module shares one app (frozen clocks, engine audit after every command); every test
gets a fresh tenant of its own, and `Capillary.close()` asserts its ledger audit is clean.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reference_backend.app import create_app
from reference_backend.dialects.capillary import CapillaryConfig, basic_header
from reference_backend.settings import Settings
from simulator.transports import InProcessClient

MOBILE = "919800000001"
OTHER_MOBILE = "919800000002"


class Server:
    """One app and in-process client per test module (building routes is the slow part)."""

    def __init__(self) -> None:
        self.app = create_app(Settings(running_clock=False, check_invariants=True))
        self.client = InProcessClient(self.app)


class Capillary:
    def __init__(self, server: Server) -> None:
        self.app = server.app
        self.client = server.client
        self.tenant = self.app.state.registry.create()
        self.engine = self.tenant.engine
        self.creds = self.tenant.credentials["capillary"]

    def configure(self, **knobs: Any) -> None:
        self.tenant.dialect_data("capillary")["config"] = CapillaryConfig(**knobs)

    def headers(self, till: str = "till") -> dict[str, str]:
        return {"Authorization": basic_header(self.creds[till], self.creds["password"])}

    # -- HTTP -------------------------------------------------------------------------
    def get(self, api: str, till: str = "till", **params: Any) -> httpx.Response:
        query = {"format": "json", **params}
        return self.client.get(f"/v1.1/{api}", params=query, headers=self.headers(till))

    def post(self, api: str, entity: str, items: Any, till: str = "till", **params: Any):
        body = {"root": {entity: items}}
        query = {"format": "json", **params}
        return self.client.post(f"/v1.1/{api}", params=query, json=body, headers=self.headers(till))

    @staticmethod
    def body(response: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        return response.json()["response"]

    @staticmethod
    def code_of(item: dict[str, Any]) -> int:
        return int(item["item_status"]["code"])

    # -- seeding ----------------------------------------------------------------------
    def enroll(self, mobile: str = MOBILE, **fields: Any) -> dict[str, Any]:
        body = self.body(self.post("customer/add", "customer", {"mobile": mobile, **fields}))
        item = body["customers"]["customer"][0]
        assert self.code_of(item) == 1000, item
        return item

    def sale(self, number: str, amount: Any, mobile: str = MOBILE, till: str = "till", **extra):
        tx = {"type": "regular", "number": number, "amount": str(amount)}
        tx["customer"] = {"mobile": mobile}
        tx.update(extra)
        return self.transaction(tx, till)

    def transaction(self, tx: dict[str, Any], till: str = "till") -> dict[str, Any]:
        body = self.body(self.post("transaction/add", "transaction", tx, till))
        return body["transactions"]["transaction"][0]

    def ret(self, number: str, return_type: str, mobile: str = MOBILE, **extra: Any):
        tx = {"type": "RETURN", "return_type": return_type, "number": number}
        tx["customer"] = {"mobile": mobile}
        tx.update(extra)
        return self.transaction(tx)

    def customer(self, till: str = "till", **ident: str) -> dict[str, Any]:
        body = self.body(self.get("customer/get", till, **ident))
        return body["customers"]["customer"][0]

    def points(self, mobile: str = MOBILE) -> int:
        item = self.customer(mobile=mobile)
        assert self.code_of(item) == 1000, item
        return item["loyalty_points"]

    def earn(self, points: int, mobile: str = MOBILE) -> None:
        """Seed a balance: with the default program 1 point per 1.00 paid."""
        number = f"SEED-{mobile}-{self.engine.now().timestamp()}-{points}"
        assert self.code_of(self.sale(number, points, mobile)) == 600

    def redeem(self, points: Any, mobile: str = MOBILE, params=None, **extra: Any):
        item = {"points_redeemed": str(points), "customer": {"mobile": mobile}, **extra}
        body = self.body(self.post("points/redeem", "redeem", item, **(params or {})))
        return body["responses"]["points"]

    def series(self, **fields: Any) -> str:
        fields.setdefault("discount_kind", "fixed")
        fields.setdefault("discount_value", 500)
        return self.engine.create_series("Ten off", **fields).series_id

    def coupon(self, series_id: str, mobile: str | None = MOBILE, code: str | None = None) -> str:
        member_id = None
        if mobile is not None:
            member_id = self.customer(mobile=mobile)["user_id"]
        return self.engine.issue_voucher(series_id, member_id, code).code

    # -- control plane ----------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        path = f"/_posim/tenants/{self.tenant.tenant_id}/clock/advance"
        response = self.client.post(path, json={"seconds": seconds})
        assert response.status_code == 200, response.text

    def close(self) -> None:
        try:
            path = f"/_posim/tenants/{self.tenant.tenant_id}/audit"
            assert self.client.get(path).json()["violations"] == []
        finally:
            self.app.state.registry.delete(self.tenant.tenant_id)


def make_fixtures():
    """The module's `cap_server` and per-test `cap` fixtures (no shared conftest)."""

    @pytest.fixture(scope="module")
    def cap_server():
        server = Server()
        try:
            yield server
        finally:
            server.client.close()

    @pytest.fixture
    def cap(cap_server):
        harness = Capillary(cap_server)
        try:
            yield harness
        finally:
            harness.close()

    return cap_server, cap
