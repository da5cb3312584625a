"""Tenants: isolated programs, each with its own engine, clock, credentials and traffic log."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..dialects.ratelimit import TokenBucket
from ..engine import Clock, Engine, ProgramConfig


class _Unlimited(TokenBucket):
    def __init__(self) -> None:
        super().__init__(rate=1.0, burst=1.0)

    def take(self, cost: float = 1.0) -> float:
        return 0.0


UNLIMITED = _Unlimited()


class FaultList(list):
    """A tenant's fault rules that tell the registry whether they are empty, so the per
    request "any faults anywhere?" check costs O(1) whatever the number of tenants."""

    def __init__(self, rules=(), on_change=None) -> None:
        super().__init__(rules)
        self.on_change = on_change

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(bool(self))


def _notifying(name: str):
    base = getattr(list, name)

    def method(self, *args, **kwargs):
        result = base(self, *args, **kwargs)
        self._changed()
        return result

    method.__name__ = name
    return method


for _name in (
    "append", "extend", "insert", "remove", "pop", "clear",
    "__setitem__", "__delitem__", "__iadd__",
):  # fmt: skip
    setattr(FaultList, _name, _notifying(_name))


TRAFFIC_PER_TENANT = 500
TRAFFIC_ALL_TENANTS = 20_000  # exchanges kept across every tenant (the oldest go first)


class TrafficLog(deque):
    """A tenant's recent exchanges. Each growth is reported so the registry can hold the
    sum over all tenants under one cap, whatever the number of tenants."""

    def __init__(self, items=(), maxlen: int = TRAFFIC_PER_TENANT, on_grow=None) -> None:
        super().__init__(items, maxlen)
        self.on_grow = on_grow

    def append(self, item) -> None:
        before = len(self)
        super().append(item)
        if self.on_grow is not None and len(self) > before:
            self.on_grow(self)


class TrafficCap:
    """One entry per exchange still held by some tenant's log, oldest first; past the cap
    the oldest exchange anywhere is dropped. Entries of logs cleared or deleted meanwhile
    are skipped when they come up (they only make the cap err on the safe side)."""

    def __init__(self, limit: int = TRAFFIC_ALL_TENANTS) -> None:
        self.limit = limit
        self.order: deque = deque()

    def grew(self, log: TrafficLog) -> None:
        self.order.append(log)
        while len(self.order) > self.limit:
            oldest = self.order.popleft()
            if oldest:
                oldest.popleft()
                break


@dataclass
class Tenant:
    tenant_id: str
    engine: Engine
    credentials: dict[str, dict[str, str]]
    traffic: deque = field(default_factory=TrafficLog)
    limiters: dict[tuple, TokenBucket] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)  # per-dialect extras (tokens, OTPs)
    faults: list = field(default_factory=list)  # FaultRule, first match fires
    rate_limits: bool = True  # off: every bucket admits everything
    rate_scale: float = 1.0  # multiplies every documented rate and burst

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "faults":  # a new list keeps reporting to the registry
            if not isinstance(value, FaultList) or value.on_change is None:
                old = self.__dict__.get("faults")
                value = FaultList(value, getattr(old, "on_change", None))
            value._changed()
        super().__setattr__(name, value)

    def limiter(self, key: tuple, rate: float, burst: float) -> TokenBucket:
        """The token bucket for `key` (e.g. ("gameball", apiKey)), created on first use."""
        if not self.rate_limits:
            return UNLIMITED
        bucket = self.limiters.get(key)
        if bucket is None:
            scale = self.rate_scale
            bucket = self.limiters[key] = TokenBucket(rate * scale, max(1.0, burst * scale))
        return bucket

    def set_rate_limits(self, enabled: bool, scale: float = 1.0) -> None:
        self.rate_limits, self.rate_scale = enabled, scale
        self.limiters.clear()

    def dialect_data(self, dialect: str) -> dict[str, Any]:
        return self.data.setdefault(dialect, {})


class TenantRegistry:
    def __init__(
        self, dialects=(), seed: int = 0, running_clock: bool = True, check_invariants: bool = False
    ) -> None:
        self.dialects = list(dialects)
        self.rng = random.Random(seed)
        self.running_clock = running_clock
        self.check_invariants = check_invariants
        self._tenants: dict[str, Tenant] = {}
        self._by_credential: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()
        self._count = 0
        self._armed: set[str] = set()  # tenants with at least one fault rule
        self.traffic_cap = TrafficCap()

    def create(
        self,
        tenant_id: str | None = None,
        config: ProgramConfig | None = None,
        clock_start: datetime | None = None,
        limit: int | None = None,
    ) -> Tenant:
        with self._lock:
            if limit is not None and len(self._tenants) >= limit:
                raise ValueError(f"the tenant cap ({limit}) is reached: delete one first")
            self._count += 1
            tenant_id = tenant_id or f"t{self._count:04d}-{self.rng.getrandbits(24):06x}"
            if tenant_id in self._tenants:
                raise ValueError(f"tenant {tenant_id!r} exists")
            clock = Clock(clock_start, running=self.running_clock)
            engine = Engine(config or ProgramConfig(), clock, self.check_invariants)
            creds = {d.name: d.new_credentials(tenant_id, self.rng) for d in self.dialects}
            tenant = Tenant(tenant_id, engine, creds)
            tenant.faults = FaultList(tenant.faults, self._armer(tenant_id))
            tenant.traffic = TrafficLog(on_grow=self.traffic_cap.grew)
            self._tenants[tenant_id] = tenant
            for d in self.dialects:
                for key in d.tenant_keys:
                    self._by_credential[(d.name, key, creds[d.name][key])] = tenant_id
            return tenant

    def get(self, tenant_id: str) -> Tenant | None:
        return self._tenants.get(tenant_id)

    def all(self) -> list[Tenant]:
        return list(self._tenants.values())

    def delete(self, tenant_id: str) -> bool:
        with self._lock:
            tenant = self._tenants.pop(tenant_id, None)
            if tenant is None:
                return False
            self._armed.discard(tenant_id)
            stale = [k for k, v in self._by_credential.items() if v == tenant_id]
            for k in stale:
                del self._by_credential[k]
            return True

    def any_faults(self) -> bool:
        return bool(self._armed)

    def _armer(self, tenant_id: str):
        def armed(has_rules: bool) -> None:
            if has_rules and tenant_id in self._tenants:
                self._armed.add(tenant_id)
            else:
                self._armed.discard(tenant_id)

        return armed

    def by_any_credential(self, dialect: str, value: str) -> Tenant | None:
        """The tenant owning `value` as any of `dialect`'s identifying credentials."""
        for d in self.dialects:
            if d.name == dialect:
                for key in d.tenant_keys:
                    tenant_id = self._by_credential.get((dialect, key, value))
                    if tenant_id:
                        return self._tenants.get(tenant_id)
        return None

    def by_credential(self, dialect: str, key: str, value: str) -> Tenant | None:
        """The tenant whose `dialect` credential `key` equals `value` (exact match)."""
        tenant_id = self._by_credential.get((dialect, key, value))
        return self._tenants.get(tenant_id) if tenant_id else None
