"""A seeded, reproducible stream of neutral loyalty operations, and a runner for the engine.

The same stream drives `posim demo`, the engine benchmark and the property tests' smoke
runs; load tests map the same operation names onto vendor requests.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .engine import Engine
from .errors import EngineError

OPERATION_MIX = {
    "order": 30,
    "hold_capture": 20,
    "hold_release": 10,
    "refund": 10,
    "redeem": 5,
    "voucher": 5,
    "advance": 5,
    "replay": 5,
    "event": 5,
    "enroll": 5,
}


@dataclass
class Op:
    name: str
    args: dict[str, Any]


@dataclass
class WorkloadResult:
    applied: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)


def generate(seed: int, members: int = 20, steps: int = 500) -> Iterator[Op]:
    """Yield `steps` operations over `members` members; identical for identical seeds."""
    rng = random.Random(seed)
    names, weights = zip(*OPERATION_MIX.items(), strict=True)
    yield Op("series", {"series_id": "WELCOME", "name": "Welcome 10%", "uses": 1})
    for i in range(members):
        yield Op("enroll", {"member_id": f"m{i:04d}", "mobile": f"+2010{i:08d}"})
    orders: list[str] = []
    n_members = members
    for step in range(steps):
        kind = rng.choices(names, weights)[0]
        member = f"m{rng.randrange(n_members):04d}"
        if kind == "enroll":
            n_members += 1
            referrer = f"m{rng.randrange(n_members - 1):04d}"
            yield Op("enroll", {"member_id": f"m{n_members - 1:04d}", "referrer": referrer})
        elif kind == "order":
            order_id = f"o{step:06d}"
            orders.append(order_id)
            amount = rng.randrange(100, 50_000)
            lines = [{"sku": f"SKU{rng.randrange(50)}", "quantity": 1, "unit_price": amount}]
            yield Op("order", {"order_id": order_id, "member_id": member, "lines": lines})
        elif kind in ("hold_capture", "hold_release"):
            args = {"member_id": member, "points": rng.randrange(1, 300), "step": step}
            yield Op(kind, args)
        elif kind == "refund" and orders:
            order_id = rng.choice(orders)
            refund = rng.choice([None, rng.randrange(1, 5_000)])  # None: the rest of the order
            yield Op("refund", {"order_id": order_id, "refund_id": f"r{step}", "amount": refund})
        elif kind == "redeem":
            yield Op("redeem", {"member_id": member, "points": rng.randrange(1, 200)})
        elif kind == "voucher":
            yield Op("voucher", {"member_id": member})
        elif kind == "advance":
            yield Op("advance", {"seconds": rng.choice([30, 600, 3600, 86400 * 7])})
        elif kind == "replay" and orders:
            yield Op("replay", {"order_id": rng.choice(orders)})
        elif kind == "event":
            yield Op("event", {"member_id": member, "amount": rng.randrange(1, 500)})


def apply(engine: Engine, ops, result: WorkloadResult | None = None) -> WorkloadResult:
    """Run operations; business rejections are counted, never raised."""
    result = result or WorkloadResult()
    for op in ops:
        try:
            _apply_one(engine, op)
            result.applied[op.name] += 1
        except EngineError as exc:
            if exc.code == "invariant_violation":
                raise
            result.rejected[exc.code] += 1
    return result


def _apply_one(engine: Engine, op: Op) -> None:
    a = op.args
    if op.name == "series":
        engine.create_series(
            a["name"],
            discount_kind="percent",
            discount_value=10,
            uses_per_code=a["uses"],
            series_id=a["series_id"],
        )
    elif op.name == "enroll":
        code = None
        if a.get("referrer"):
            code = engine.member(a["referrer"]).referral_code
        ids = {"mobile": a["mobile"]} if a.get("mobile") else {}
        engine.upsert_member(a["member_id"], ids, referral_code=code)
    elif op.name == "order":
        total = sum(line["quantity"] * line["unit_price"] for line in a["lines"])
        engine.record_order(a["order_id"], a["member_id"], total, lines=a["lines"])
    elif op.name in ("hold_capture", "hold_release"):
        hold = engine.create_hold(a["member_id"], points=a["points"]).value
        if op.name == "hold_capture":
            total = engine.config.value_of_points(a["points"]) + 1000
            engine.record_order(f"h{a['step']:06d}", a["member_id"], total, hold_id=hold.hold_id)
        else:
            engine.release_hold(hold.hold_id)
    elif op.name == "refund":
        engine.refund(a["order_id"], a["refund_id"], amount=a["amount"])
    elif op.name == "redeem":
        engine.redeem_points(a["member_id"], a["points"])
    elif op.name == "voucher":
        voucher = engine.issue_voucher("WELCOME", a["member_id"])
        engine.burn_voucher(voucher.code, a["member_id"])
    elif op.name == "advance":
        engine.advance_clock(a["seconds"])
    elif op.name == "replay":
        order = engine.order(a["order_id"])
        lines = [vars(line) for line in order.lines]
        outcome = engine.record_order(
            order.order_id, order.member_id, order.total_amount, lines=lines
        )
        assert outcome.replayed
    elif op.name == "event":
        engine.apply_event(a["member_id"], "TRANSACTION", {"amount": a["amount"]})


def ledger_summary(engine: Engine) -> dict[str, int]:
    """Points issued, held, redeemed, expired and outstanding, straight from the ledger."""
    from .ledger import EXPIRY, ISSUANCE, REDEMPTION

    with engine.lock:
        acct = engine.state.ledger.account
        members = engine.state.members
        return {
            "members": len(members),
            "issued": -acct(ISSUANCE).balance,
            "held": sum(acct(f"member:{m}").debits_pending for m in members),
            "pending": sum(acct(f"member:{m}").credits_pending for m in members),
            "redeemed": acct(REDEMPTION).balance,
            "expired": acct(EXPIRY).balance,
            "outstanding": sum(acct(f"member:{m}").balance for m in members),
        }
