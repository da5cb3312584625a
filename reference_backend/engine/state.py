"""All data of one program (tenant), plus the small helpers every operation shares."""

from __future__ import annotations

import hashlib
import heapq
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import retention
from .clock import Clock
from .config import ProgramConfig
from .errors import EngineError
from .ledger import Ledger
from .model import (
    Activity,
    EventRecord,
    Hold,
    IdempotencyRecord,
    Lot,
    Member,
    Order,
    Redemption,
    Referral,
    Refund,
    Voucher,
    VoucherSeries,
)


def fingerprint(params: Any) -> str:
    """Hash of the canonical JSON of a command's parameters (R1)."""
    blob = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass
class State:
    config: ProgramConfig
    clock: Clock
    ledger: Ledger = field(default_factory=Ledger)
    members: dict[str, Member] = field(default_factory=dict)
    index: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, value) -> member
    referral_codes: dict[str, str] = field(default_factory=dict)  # code -> member
    lots: dict[str, Lot] = field(default_factory=dict)
    member_lots: dict[str, list[str]] = field(default_factory=dict)
    holds: dict[str, Hold] = field(default_factory=dict)
    orders: dict[tuple[str, str], Order] = field(default_factory=dict)
    member_orders: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    refunds: dict[tuple[str, str], Refund] = field(default_factory=dict)
    redemptions: dict[str, Redemption] = field(default_factory=dict)
    series: dict[str, VoucherSeries] = field(default_factory=dict)
    vouchers: dict[str, Voucher] = field(default_factory=dict)
    referrals: dict[str, Referral] = field(default_factory=dict)  # referee -> referral
    events: dict[str, EventRecord] = field(default_factory=dict)
    activities: dict[str, list[Activity]] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    # (when, seq, kind, id): holds, lots and reservations that change state at an instant
    timers: list[tuple[datetime, int, str, str]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    # retention (retention.py): resolved holds in order, folded history [lines, points]
    resolved_holds: list[str] = field(default_factory=list)
    folded_activities: dict[str, list[int]] = field(default_factory=dict)
    activity_seq: int = 0
    broken: str | None = None
    as_of: datetime | None = None  # set by the sweep so effects carry their own instant

    @property
    def now(self) -> datetime:
        return self.as_of or self.clock.now()

    def new_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}_{n:06d}"

    def member(self, member_id: str) -> Member:
        member = self.members.get(member_id)
        if member is None:
            raise EngineError("member_not_found", f"member {member_id!r} not found")
        return member

    def active_member(self, member_id: str) -> Member:
        member = self.member(member_id)
        if not member.active:
            raise EngineError("member_blocked", f"member {member_id!r} is inactive")
        return member

    def schedule(self, when: datetime, kind: str, ident: str) -> None:
        seq = self.counters.get("_timer", 0) + 1
        self.counters["_timer"] = seq
        heapq.heappush(self.timers, (when, seq, kind, ident))

    def record(self, member_id: str, kind: str, points: int, ref: str | None = None, **detail):
        self.activity_seq += 1
        line = Activity(self.activity_seq, member_id, kind, points, self.now, ref, detail)
        lines = self.activities.setdefault(member_id, [])
        lines.append(line)
        if len(lines) > 2 * retention.ACTIVITIES_PER_MEMBER:
            retention.trim_history(self, member_id)
