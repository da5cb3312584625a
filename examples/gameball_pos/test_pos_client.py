"""The example client's tests: no server, no network; posim's mock answers for Gameball."""

from __future__ import annotations

import pytest
from pos_client import GameballError, GameballPOS

import reference_backend


@pytest.fixture
def loyalty():
    with reference_backend.mock(dialect="gameball") as mock:
        yield mock


@pytest.fixture
def pos(loyalty):
    keys = loyalty.credentials
    return GameballPOS(keys["apiKey"], keys["secretKey"])


def test_redeem_then_void_gives_every_point_back(pos, loyalty):
    pos.register("cust-1")
    pos.complete_order("cust-1", "ORD-1", 300.0)
    hold = pos.hold("cust-1", 200)
    assert pos.balance("cust-1") == 100
    pos.release(hold)
    assert pos.balance("cust-1") == 300
    assert loyalty.audit() == []


def test_a_hold_expires_after_ten_minutes(pos, loyalty):
    pos.complete_order("cust-1", "ORD-1", 300.0)
    hold = pos.hold("cust-1", 200)
    loyalty.advance(10 * 60)
    assert pos.balance("cust-1") == 300
    with pytest.raises(GameballError) as refused:
        pos.complete_order("cust-1", "ORD-2", 50.0, hold_reference=hold)
    assert refused.value.code == 9006


def test_a_retry_after_a_lost_response_is_awarded_once(pos, loyalty):
    pos.register("cust-1")
    loyalty.add_fault(kind="lose_response", route="/orders$", count=1)
    order = pos.complete_order("cust-1", "ORD-1", 120.0)  # first answer lost, retried
    assert order["rewardedPoints"] == 120
    assert pos.balance("cust-1") == 120
    assert [e["fault"] for e in loyalty.traffic if e["path"].endswith("/orders")] == [
        {"rule": "f1", "kind": "lose_response"},
        None,  # answered 9004: the order exists, so it is read back
    ]
    assert any(e["path"].endswith("/orders/ORD-1/transactions") for e in loyalty.traffic)
    assert loyalty.audit() == []


def test_an_order_id_of_another_sale_stays_an_error(pos, loyalty):
    pos.complete_order("cust-1", "ORD-1", 120.0)
    with pytest.raises(GameballError) as duplicate:
        pos.complete_order("cust-1", "ORD-1", 80.0)
    assert duplicate.value.code == 9004


def test_an_outage_surfaces_as_the_vendor_error(pos, loyalty):
    loyalty.add_fault(kind="error", status=503, count=1)
    with pytest.raises(GameballError) as outage:
        pos.balance("cust-1")
    assert outage.value.status == 503
