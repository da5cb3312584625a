"""Fault sequencing: --after, --every, --once-per, body patterns, and the fault each exchange
records, through the real control plane and a real codec."""

from __future__ import annotations

import pytest

from reference_backend.control.faults import request_key
from simulator.gateway import LoyaltyGateway, RetryPolicy
from simulator.protocol.base import LoyaltyError


def _gateway(backend) -> LoyaltyGateway:
    policy = RetryPolicy(sleep=lambda s: None, max_timeout_retries=0)
    return LoyaltyGateway(backend.codec(), backend.transport, policy)


def _outcome(call) -> str | int:
    try:
        call()
        return "ok"
    except LoyaltyError as exc:
        return exc.status or exc.code


def _balances(gateway, n: int) -> list:
    return [_outcome(lambda: gateway.balance("m1")) for _ in range(n)]


def test_after_lets_the_first_matching_calls_through(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="error", status=503, method="GET", after=2, count=1)
    assert _balances(gateway, 4) == ["ok", "ok", 503, "ok"]


def test_every_fires_on_each_nth_matching_call(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="error", status=502, method="GET", after=1, every=3)
    assert _balances(gateway, 8) == ["ok", 502, "ok", "ok", 502, "ok", "ok", 502]


def test_once_per_order_lands_each_fault_on_a_different_sale(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("m1")
    for name in ("first-5xx", "second-5xx"):
        tenant.control.add_fault(
            kind="error", route="/orders$", once_per="order", count=1, fault_id=name
        )
    sales = ["A", "A", "A", "B", "B", "C"]  # each failed sale is resent under its own id
    outcomes = [_outcome(lambda o=o: gateway.earn_points("m1", 10, o)) for o in sales]
    assert outcomes == [503, "ok", "ok", 503, "ok", "ok"]
    hits = [
        (e["request_body"]["orderId"], e["fault"])
        for e in tenant.control.traffic()
        if e["fault"] and e["path"].endswith("/orders")
    ]
    assert hits == [
        ("A", {"rule": "f1", "kind": "error", "id": "first-5xx", "order": "A"}),
        ("B", {"rule": "f2", "kind": "error", "id": "second-5xx", "order": "B"}),
    ]
    assert gateway.balance("m1").available == 30  # A, B and C, each awarded once


def test_once_per_member_fires_once_for_each_member(tenant):
    gateway = _gateway(tenant)
    for member in ("alice", "bob"):
        gateway.enroll(member)
    tenant.control.add_fault(kind="error", method="GET", once_per="member")
    reads = ["alice", "alice", "bob", "alice", "bob"]
    outcomes = [_outcome(lambda m=m: gateway.balance(m)) for m in reads]
    assert outcomes == [503, "ok", 503, "ok", "ok"]
    rules = tenant.control._call("GET", "/faults")["faults"]
    assert (rules[0]["fired"], rules[0]["hit"]) == (2, ["alice", "bob"])


def test_a_once_per_rule_never_fires_on_a_call_naming_no_id(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="error", method="GET", route="/balance$", once_per="order")
    assert _balances(gateway, 2) == ["ok", "ok"]


def test_a_body_pattern_picks_the_calls_it_names(tenant):
    gateway = _gateway(tenant)
    gateway.enroll("m1")
    tenant.control.add_fault(kind="error", route="/orders$", body='"orderId": ?"B"', count=1)
    outcomes = [_outcome(lambda o=o: gateway.earn_points("m1", 10, o)) for o in "ABC"]
    assert outcomes == ["ok", 503, "ok"]


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "error", "every": 0},
        {"kind": "error", "after": -1},
        {"kind": "error", "after": 10**7},
        {"kind": "error", "once_per": "basket"},
        {"kind": "error", "body": "(unclosed"},
        {"kind": "error", "fault_id": "no spaces/slashes"},
    ],
)
def test_bad_sequencing_is_refused_and_adds_nothing(tenant, rule):
    with pytest.raises(RuntimeError, match=r": (400|422) "):
        tenant.control.add_fault(**rule)
    assert tenant.control._call("GET", "/faults")["faults"] == []


@pytest.mark.parametrize(
    ("once_per", "path", "query", "body", "key"),
    [
        ("order", "/api/v4.0/integrations/orders", b"", b'{"orderId": "O-1"}', "O-1"),
        ("order", "/v1/events", b"", b'{"payload": {"transactionId": 42}}', "42"),
        ("order", "/v1.1/x", b"", b'{"root": {"transaction": [{"number": "B7"}]}}', "B7"),
        ("order", "/v1.1/points/isredeemable", b"mobile=1", b"", None),
        ("member", "/v1.1/customer/get", b"format=json&mobile=2010", b"", "2010"),
        ("member", "/api/v4.0/integrations/customers/c%201/balance", b"", b"", "c 1"),
        ("member", "/v1/events", b"", b'{"subject": {"authIdentifier": "m9"}}', "m9"),
        ("member", "/v1/events", b"", b"not json", None),
        ("order", "/v1/events", b"", b"[" * 100_000 + b"]" * 100_000, None),
    ],
)
def test_request_key_reads_the_order_or_member_a_call_names(once_per, path, query, body, key):
    assert request_key(once_per, path, query, body) == key
