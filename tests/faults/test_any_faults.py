"""The per-request "does any tenant have fault rules?" answer follows every change to any
tenant's rules without walking the tenants."""

from __future__ import annotations

from reference_backend.control.faults import FaultRule
from reference_backend.control.tenants import TenantRegistry


def test_any_faults_follows_every_change_to_the_rules():
    registry = TenantRegistry()
    quiet, noisy = registry.create("quiet"), registry.create("noisy")
    assert not registry.any_faults()
    noisy.faults.append(FaultRule(rule_id="f1", kind="error"))
    assert registry.any_faults()
    noisy.faults.clear()
    assert not registry.any_faults()
    quiet.faults = [FaultRule(rule_id="f2", kind="drop")]  # a new list keeps reporting
    assert registry.any_faults()
    quiet.faults.pop()
    assert not registry.any_faults()
    noisy.faults.extend([FaultRule(rule_id="f3", kind="latency")])
    registry.delete("noisy")
    assert not registry.any_faults()
