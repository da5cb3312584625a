"""reference_backend.mock(): httpx calls to the vendors' real hosts answered in-process."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

import reference_backend

GB = "https://api.gameball.co/api/v4.0/integrations"


def _headers(creds: dict) -> dict:
    return {"APIKey": creds["apiKey"], "SecretKey": creds["secretKey"]}


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def test_sync_client_earns_and_reads_balance_without_a_socket(no_network):
    with reference_backend.mock(dialect="gameball") as loyalty:
        client = httpx.Client(base_url=GB, headers=_headers(loyalty.credentials))
        order = {
            "customerId": "c1",
            "orderId": "o1",
            "orderDate": "2026-01-01T00:00:00Z",
            "totalPaid": 120.0,
        }
        assert client.post("/orders", json=order).status_code == 200
        balance = client.get("/customers/c1/balance").json()
        assert balance["availablePointsBalance"] == 120
        assert loyalty.engine.balance("c1")["balance"] == 120
        assert loyalty.audit() == []


def test_async_client_and_decorator(no_network):
    @reference_backend.mock(dialect="gameball")
    async def scenario(loyalty):
        async with httpx.AsyncClient(base_url=GB, headers=_headers(loyalty.credentials)) as c:
            missing = await c.get("/customers/nobody/balance")
            return missing.status_code, missing.json()["code"]

    assert asyncio.run(scenario()) == (404, 7000)


def test_clock_and_faults_are_driven_from_the_test():
    with reference_backend.mock(dialect="gameball") as loyalty:
        client = httpx.Client(base_url=GB, headers=_headers(loyalty.credentials))
        loyalty.engine.upsert_member("c1")
        loyalty.engine.earn("c1", 500)
        hold = client.post(
            "/transactions/hold",
            json={
                "customerId": "c1",
                "pointsToHold": 200,
                "transactionTime": "2026-01-01T00:00:00Z",
            },
        )
        assert hold.status_code == 200
        loyalty.advance(600)
        assert client.get("/customers/c1/balance").json()["availablePointsBalance"] == 500
        loyalty.add_fault(kind="error", status=503, count=1)
        assert client.get("/customers/c1/balance").status_code == 503
        assert client.get("/customers/c1/balance").status_code == 200


def test_unmocked_hosts_are_refused_and_unknown_dialects_rejected():
    with reference_backend.mock(dialect="gameball"), pytest.raises(Exception, match="not mocked"):
        httpx.get("https://example.invalid/x")
    with pytest.raises(ValueError):
        reference_backend.mock(dialect="nope")


def test_pytest_plugin_fixtures_drive_a_checkout(pos, gateway):
    gateway.enroll("m1", mobile="+201000000009")
    gateway.earn_points("m1", 1000, "seed-m1")
    checkout = pos.new_checkout()
    checkout.identify("m1")
    checkout.scan("SKU-1", 5000)
    checkout.apply_points(1000)
    checkout.tender()
    receipt = checkout.complete()
    assert (receipt.paid, receipt.points_redeemed, receipt.points_earned) == (4000, 1000, 40)
    assert gateway.balance("m1").available == 40
