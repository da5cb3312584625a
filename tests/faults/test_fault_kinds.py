"""Each fault kind, observed from a client, through the real control plane and a real codec."""

from __future__ import annotations

import time

import pytest

from simulator.backends import embedded
from simulator.gateway import LoyaltyGateway, RetryPolicy
from simulator.protocol.base import LoyaltyError
from simulator.transports import TransportTimeout


def _gateway(backend, sleeps=None, **retry) -> LoyaltyGateway:
    policy = RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda s: None), **retry)
    return LoyaltyGateway(backend.codec(), backend.transport, policy)


def _faults(backend) -> list[dict]:
    return [e["fault"] for e in backend.control.traffic() if e["fault"]]


def test_latency_is_added_and_marked_in_the_traffic(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="latency", latency_ms=120, count=1)
    started = time.perf_counter()
    gateway.balance("m1")
    assert time.perf_counter() - started >= 0.12
    assert _faults(tenant) == [{"rule": "f1", "kind": "latency"}]


def test_vendor_shaped_5xx(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="error", status=502, count=1)
    with pytest.raises(LoyaltyError) as failure:
        gateway.balance("m1")
    assert (failure.value.code, failure.value.status) == ("server_error", 502)
    assert gateway.balance("m1").available == 0  # the next call is served


def test_fail_the_first_n_calls_then_recover(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="error", status=503, count=2)
    outcomes = []
    for _ in range(3):
        try:
            gateway.balance("m1")
            outcomes.append("ok")
        except LoyaltyError as exc:
            outcomes.append(exc.status)
    assert outcomes == [503, 503, "ok"]


def test_429_burst_is_backed_off_with_retry_after(tenant):
    sleeps: list[float] = []
    gateway = _gateway(tenant, sleeps)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="rate_limit", count=2, retry_after_s=3)
    assert gateway.balance("m1").available == 0
    assert sleeps == [3.0, 3.0]


def test_a_dropped_connection_is_a_timeout_and_changes_nothing(tenant):
    gateway = _gateway(tenant, max_timeout_retries=0)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="drop", route="/orders$", count=1)
    with pytest.raises(LoyaltyError) as timeout:
        gateway.earn_points("m1", 50, "ORD-1")
    assert timeout.value.code == "timeout"
    assert gateway.balance("m1").available == 0  # dropped before it reached the engine


def test_commit_then_lose_the_response(tenant):
    gateway = _gateway(tenant, max_timeout_retries=0)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="lose_response", route="/orders$", count=1)
    with pytest.raises(LoyaltyError):
        gateway.earn_points("m1", 50, "ORD-1")
    assert gateway.balance("m1").available == 50  # it happened; the client never heard


def test_transport_sees_drops_as_timeouts(tenant):
    tenant.control.add_fault(kind="drop", count=1)
    codec = tenant.codec()
    from simulator.protocol import ops

    with pytest.raises(TransportTimeout):
        tenant.transport.send(codec.encode(ops.GetBalance("m1")))


def test_rules_are_scoped_by_member_method_and_route(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("alice")
    gateway.enroll("bob")
    tenant.control.add_fault(kind="error", status=503, member="alice", method="GET")
    assert gateway.balance("bob").available == 0
    with pytest.raises(LoyaltyError):
        gateway.balance("alice")
    gateway.earn_points("alice", 10, "ORD-A")  # a POST: not in scope
    tenant.control.clear_faults()
    assert gateway.balance("alice").available == 10


def test_probability_is_deterministic_for_a_seed(app):
    def pattern(seed: int) -> list[bool]:
        backend = embedded(app, "gameball")
        gateway = _gateway(backend)
        gateway.enroll("m1")
        backend.control.add_fault(kind="error", status=503, probability=0.5, seed=seed)
        hits = []
        for _ in range(20):
            try:
                gateway.balance("m1")
                hits.append(False)
            except LoyaltyError:
                hits.append(True)
        backend.close()
        return hits

    first, again, other = pattern(7), pattern(7), pattern(8)
    assert first == again
    assert first != other
    assert 3 <= sum(first) <= 17


def test_bad_rules_are_refused(tenant):
    with pytest.raises(RuntimeError, match="400"):
        tenant.control.add_fault(kind="latency", route="(unclosed")
    with pytest.raises(RuntimeError, match="400"):
        tenant.control.add_fault(kind="explode")
