"""The traffic kept across all tenants stays under one cap, oldest exchanges first."""

from __future__ import annotations

from reference_backend.control.tenants import TenantRegistry


def test_traffic_of_all_tenants_stays_under_the_global_cap():
    registry = TenantRegistry()
    registry.traffic_cap.limit = 10
    a, b = registry.create("a"), registry.create("b")
    for n in range(8):
        a.traffic.append(("a", n))
    for n in range(6):
        b.traffic.append(("b", n))
    assert len(a.traffic) + len(b.traffic) == 10
    assert list(a.traffic) == [("a", n) for n in range(4, 8)]  # the oldest went first
    assert list(b.traffic) == [("b", n) for n in range(6)]
    a.traffic.clear()  # a reset: its stale entries are skipped, not charged to b
    for n in range(6, 9):
        b.traffic.append(("b", n))
    assert list(b.traffic) == [("b", n) for n in range(9)]
    registry.delete("a")
    for n in range(9, 30):
        b.traffic.append(("b", n))
    assert list(b.traffic) == [("b", n) for n in range(20, 30)]


def test_a_tenants_own_limit_still_holds():
    registry = TenantRegistry()
    tenant = registry.create("t")
    for n in range(600):
        tenant.traffic.append(n)
    assert list(tenant.traffic) == list(range(100, 600))
    assert len(registry.traffic_cap.order) == 500
