"""The two-till race over real HTTP, for WLL and Capillary (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from simulator.backends import live
from simulator.backends.server import ServerProcess
from simulator.gateway import LoyaltyGateway
from simulator.protocol import ops
from simulator.protocol.capillary import _Redeem


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as proc:
        yield proc


def _backend(server, dialect: str):
    backend = live(server.url, dialect)
    url = f"{server.url}/_posim/tenants/{backend.control.tenant_id}/rate-limits"
    assert httpx.put(url, json={"enabled": False}).status_code == 200
    return backend


async def _fire(url: str, requests) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await asyncio.gather(
            *(
                client.request(r.method, r.path, headers=r.headers, params=r.params, json=r.json)
                for r in requests
            )
        )


def test_wll_parallel_deductions_go_negative_and_lose_no_posting(server):
    backend = _backend(server, "wll")
    gateway = LoyaltyGateway(backend.codec(), backend.transport)
    gateway.enroll("racer", mobile="+201000000077", email="racer@example.com")
    gateway.earn_points("racer", 1000, "seed-racer")
    gateway.balance("racer")  # the codec holds its admin token from here on
    deduct = ops.TrackEvent("racer", "REDEEMED_POINTS", {"points": 100})
    requests = [gateway.codec.encode(deduct) for _ in range(30)]

    responses = asyncio.run(_fire(server.url, requests))

    assert [r.status_code for r in responses if r.status_code >= 300] == []
    assert gateway.balance("racer").available == 1000 - 30 * 100  # WLL lets it go negative
    assert backend.control.audit() == []


def test_capillary_parallel_redeems_never_exceed_the_balance(server):
    backend = _backend(server, "capillary")
    gateway = LoyaltyGateway(backend.codec(), backend.transport)
    gateway.enroll("racer", mobile="+201000000078", email="racer@example.com")
    gateway.earn_points("racer", 2000, "seed-racer")
    assert gateway.balance("racer").available == 2000
    redeems = []
    for n in range(50):  # each till redeems 100 points on its own bill
        sale = ops.SubmitSale(
            "racer", f"BILL-{n}", (), 10_000, 9_000, ops.Reservation(f"BILL-{n}", 100)
        )
        redeems.append(gateway.codec.encode(_Redeem(sale, 0, False)))

    responses = asyncio.run(_fire(server.url, redeems))

    statuses = [r.json()["response"]["status"]["code"] for r in responses]
    assert statuses.count(200) == 20
    assert gateway.balance("racer").available == 0
    assert backend.control.audit() == []
