"""Two-till races over real HTTP: uvicorn on 127.0.0.1, a random port, many concurrent holds."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from simulator.backends import SCENARIO_PROGRAM
from simulator.backends.server import ServerProcess

GB = "/api/v4.0/integrations"


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as proc:
        yield proc


def _tenant(url: str) -> tuple[str, dict]:
    created = httpx.post(f"{url}/_posim/tenants", json={"config": SCENARIO_PROGRAM}).json()
    tenant = created["tenant"]
    off = httpx.put(f"{url}/_posim/tenants/{tenant}/rate-limits", json={"enabled": False})
    assert off.status_code == 200
    return tenant, created["credentials"]


async def _race_holds(url: str, headers: dict, customer: str, n: int, points: int):
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        body = {
            "customerId": customer,
            "pointsToHold": points,
            "transactionTime": "2026-01-01T00:00:00Z",
        }
        tasks = [client.post(f"{GB}/transactions/hold", json=body) for _ in range(n)]
        return await asyncio.gather(*tasks)


def test_fifty_concurrent_holds_never_overspend(server):
    tenant, creds = _tenant(server.url)
    gb = creds["gameball"]
    headers = {"APIKey": gb["apiKey"], "SecretKey": gb["secretKey"]}
    order = {
        "customerId": "racer",
        "orderId": "seed-1",
        "orderDate": "2026-01-01T00:00:00Z",
        "totalPaid": 2000,
        "totalPrice": 2000,
    }
    seeded = httpx.post(f"{server.url}{GB}/orders", json=order, headers=headers)
    assert seeded.status_code == 200, seeded.text
    balance = httpx.get(f"{server.url}{GB}/customers/racer/balance", headers=headers).json()
    assert balance["availablePointsBalance"] == 2000

    responses = asyncio.run(_race_holds(server.url, headers, "racer", 50, 100))

    ok = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(ok) == 20
    assert len(refused) == 30
    assert {r.json()["code"] for r in refused} == {9008}
    assert len({r.json()["holdReference"] for r in ok}) == 20
    balance = httpx.get(f"{server.url}{GB}/customers/racer/balance", headers=headers).json()
    assert balance["availablePointsBalance"] == 0
    audit = httpx.get(f"{server.url}/_posim/tenants/{tenant}/audit").json()
    assert audit == {"violations": []}
