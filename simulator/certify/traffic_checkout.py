"""Checkout rules: what a till must do around a redemption, read off recorded traffic.

A balance read in the same checkout before each redemption, never more points than that
read showed, a hold (a deduction, a check and a bill) before the sale that redeems, and
every hold used or given back.
"""

from __future__ import annotations

from collections import defaultdict

from .traffic_calls import DUPLICATE, LOST, OK, Op, Traffic
from .traffic_findings import RuleResult, first_of_each, of_kinds, shares

# what spends points at each vendor, and what ends a checkout's redemption (the next
# redemption of the member needs a fresh read): Capillary checks, then redeems the same points
SPENDS = {"gameball": ("hold", "redeem"), "wll": ("redeem",), "capillary": ("check", "redeem")}
CLOSES = {"gameball": ("hold", "redeem"), "wll": ("redeem",), "capillary": ("redeem",)}
BALANCE_SLACK = 1e-9


def _spends(traffic: Traffic) -> list[Op]:
    """The ops that spend points, once per client id; a redemption by hold reference was
    judged when its hold was made."""
    kinds = SPENDS[traffic.dialect]
    return [
        op
        for op in first_of_each(traffic.ops)
        if op.kind in ("read", "release")
        or (op.kind in kinds and not (op.kind == "redeem" and op.hold))
    ]


def _released(op: Op, spends: dict[tuple[str, str], Op]) -> list[tuple[str, str]]:
    """The members whose last spend was the hold `op` releases (a changed amount, a void)."""
    return [m for m, spend in spends.items() if m[0] == op.pos and spend.hold == op.hold]


# -- a balance read in the same checkout before each redemption ----------------------------
def lookup_before_redeem(traffic: Traffic) -> RuleResult:
    """Each hold, deduction or points check follows a read of the member's balance made
    since the member's previous redemption: a balance read once a day goes stale at once."""
    result = RuleResult(what="hold(s) and redemption(s)")
    closes = CLOSES[traffic.dialect]
    last_read: dict[tuple[str, str], Op] = {}
    last_spend: dict[tuple[str, str], Op] = {}
    for op in _spends(traffic):
        if op.kind == "read":
            if op.outcome == OK and op.wallet:
                for m in op.seen:
                    last_read[op.pos, m] = op
            continue
        if op.kind == "release":  # the balance read before that hold holds again
            for key in _released(op, last_spend):
                del last_spend[key]
            continue
        result.inspected += 1
        marks = [(op.pos, m) for m in op.member]
        fresh = any(
            m in last_read and last_read[m].index > getattr(last_spend.get(m), "index", -1)
            for m in marks
        )
        if not fresh:
            before = next((last_spend[m] for m in marks if m in last_spend), None)
            since = f" since its previous redemption ({before.label})" if before else ""
            result.breach(
                f"{op.label} spends points without reading the member's balance{since}", op.call
            )
        if op.kind in closes and op.outcome in (OK, DUPLICATE):
            for key in marks:
                last_spend[key] = op
    return result


# -- never more than the balance the till just read ----------------------------------------
def redeem_within_balance(traffic: Traffic) -> RuleResult:
    """No hold, deduction or points check asks for more points than the member's last
    balance read showed spendable (less what was spent since). WLL accepts an overdraw."""
    result = RuleResult(
        what="redemption(s) after a balance read", empty="no redemption followed a balance read"
    )
    closes = CLOSES[traffic.dialect]
    left: dict[tuple[str, str], tuple[Op, float]] = {}  # the last read and what remains of it
    spent: dict[tuple[str, str], Op] = {}  # the last hold of each member, for its release
    for op in _spends(traffic):
        if op.kind == "read":
            if op.outcome == OK and op.balance is not None:
                for m in op.seen:
                    left[op.pos, m] = (op, op.balance)
            continue
        if op.kind == "release":  # the held points are spendable again
            for key in _released(op, spent):
                if key in left and spent[key].points is not None:
                    read, available = left[key]
                    left[key] = (read, available + float(spent.pop(key).points or 0))
            continue
        mark = next(((op.pos, m) for m in op.member if (op.pos, m) in left), None)
        if mark is None or op.points is None:
            continue
        read, available = left[mark]
        result.inspected += 1
        if op.points > available + BALANCE_SLACK:
            result.breach(
                f"{op.label} asks for {op.points:g} points; the balance read by {read.label} "
                f"left {available:g} to spend",
                op.call,
                read.call,
            )
        if op.kind in closes and op.outcome in (OK, DUPLICATE):
            left[mark] = (read, available - op.points)
            spent[mark] = op
    return result


# -- a hold (or a deduction, or a check and a bill) before the order that redeems ----------
def hold_before_redeem(traffic: Traffic) -> RuleResult:
    """An order that redeems names a hold of its customer, created earlier, neither released
    nor used by another order; and no order of a customer with an open hold leaves it out
    (a points discount without the hold reference)."""
    if traffic.dialect == "wll":
        return _deduct_before_sale(traffic)
    result = RuleResult(what="redeeming order(s)")
    holds: dict[tuple[str, str], Op] = {}
    released: dict[tuple[str, str], int] = {}
    used: dict[tuple[str, str], Op] = {}
    open_holds: dict[tuple[str, str], Op] = {}  # (pos, member) -> a hold not yet used or released
    for op in first_of_each(traffic.ops):
        if op.kind == "hold" and op.outcome == OK and op.hold:
            holds[op.pos, op.hold] = op
            for m in op.member:
                open_holds[op.pos, m] = op
        elif op.kind == "release" and op.hold:
            released.setdefault((op.pos, op.hold), op.index)
            _close(open_holds, op.pos, op.hold)
        elif op.kind in ("order", "redeem") and op.hold:
            result.inspected += 1
            _judge_use(result, op, holds, released, used)
            _close(open_holds, op.pos, op.hold)
        elif op.kind == "order":
            marks = [(op.pos, m) for m in op.member if (op.pos, m) in open_holds]
            if marks:
                hold = open_holds[marks[0]]
                result.inspected += 1
                result.breach(
                    f"{op.label} is a sale of a customer whose hold {hold.hold} "
                    f"({hold.label}) is open, without naming it: a points discount without "
                    "the hold reference",
                    op.call,
                    hold.call,
                )
    return result


def _close(open_holds: dict[tuple[str, str], Op], pos: str, reference: str) -> None:
    for mark in [k for k, h in open_holds.items() if k[0] == pos and h.hold == reference]:
        del open_holds[mark]


def _judge_use(
    result: RuleResult,
    op: Op,
    holds: dict[tuple[str, str], Op],
    released: dict[tuple[str, str], int],
    used: dict[tuple[str, str], Op],
) -> None:
    mark = (op.pos, str(op.hold))
    hold = holds.get(mark)
    if hold is None:
        result.breach(f"{op.label} names hold {op.hold}, which no earlier hold created", op.call)
    elif not shares(hold.member, op.member):
        result.breach(f"{op.label} uses hold {op.hold} of another customer", op.call, hold.call)
    elif hold.index < released.get(mark, -1) < op.index:
        result.breach(f"{op.label} uses hold {op.hold} after releasing it", op.call)
    elif mark in used and used[mark].key != op.key:
        first = used[mark]
        result.breach(
            f"{op.label} uses hold {op.hold} already used by {first.label}", op.call, first.call
        )
    if op.outcome in (OK, LOST, DUPLICATE):
        used.setdefault(mark, op)


def _deduct_before_sale(traffic: Traffic) -> RuleResult:
    """WLL: a TRANSACTION that redeems follows a REDEEMED_POINTS for the same transaction."""
    result = RuleResult(what="redeeming sale(s)", empty="no sale reported redeemed points")
    by_txn: set[tuple[str, str, str]] = set()  # (pos, member, transaction) deducted
    untagged: set[tuple[str, str, float | None]] = set()  # (pos, member, points), no txn
    judged: set[tuple[str, str]] = set()
    for op in traffic.ops:
        if op.kind == "redeem" and op.outcome in (OK, DUPLICATE):
            for m in op.member:
                if op.txn:
                    by_txn.add((op.pos, m, op.txn))
                else:
                    untagged.add((op.pos, m, op.points))
        if op.kind != "order" or not op.redeems:
            continue
        if op.key is not None:
            if (op.pos, op.key) in judged:
                continue  # a retry of a sale already judged
            judged.add((op.pos, op.key))
        result.inspected += 1
        if any(
            (op.pos, m, op.txn) in by_txn or (op.pos, m, op.points) in untagged for m in op.member
        ):
            continue
        result.breach(
            f"{op.label} redeems points with no REDEEMED_POINTS for transaction {op.txn} before it",
            op.call,
        )
    return result


def check_before_redeem(traffic: Traffic) -> RuleResult:
    """Capillary: each points/redeem follows a successful isredeemable for the customer."""
    result = RuleResult(what="redemption(s)")
    last_check: dict[tuple[str, str], int] = {}
    last_redeem: dict[tuple[str, str], int] = {}
    for op in first_of_each(traffic.ops):
        if op.kind == "check" and op.outcome == OK:
            for m in op.member:
                last_check[op.pos, m] = op.index
        elif op.kind == "redeem":
            result.inspected += 1
            if not any(
                last_check.get((op.pos, m), -1) > last_redeem.get((op.pos, m), -1)
                for m in op.member
            ):
                result.breach(f"{op.label} redeems points that no isredeemable checked", op.call)
            for m in op.member:
                last_redeem[op.pos, m] = op.index
    return result


def bill_before_redeem(traffic: Traffic) -> RuleResult:
    """Capillary: points/redeem names a bill that transaction/add recorded before it."""
    result = RuleResult(what="redemption(s)")
    recorded: dict[tuple[str, str], int] = {}
    for op in traffic.ops:
        if op.kind == "order" and op.outcome in (OK, DUPLICATE) and op.key:
            recorded.setdefault((op.pos, op.key), op.index)
    for op in first_of_each(of_kinds(traffic, "redeem")):
        result.inspected += 1
        if not op.txn:
            result.breach(f"{op.label} redeems points without a bill number", op.call)
            continue
        at = recorded.get((op.pos, op.txn))
        if at is None:
            result.breach(f"{op.label} redeems points on bill {op.txn}, never recorded", op.call)
        elif at > op.index:
            result.breach(
                f"{op.label} redeems points on bill {op.txn} before the bill was recorded",
                op.call,
            )
    return result


# -- release on void -----------------------------------------------------------------------
def release_on_void(traffic: Traffic) -> RuleResult:
    if traffic.dialect == "wll":
        return _deductions_settled(traffic)
    result = RuleResult(what="hold(s)", empty="no hold was placed")
    settled: dict[tuple[str, str], int] = {}
    for op in traffic.ops:
        closes = op.kind in ("order", "redeem", "release") or (
            op.kind == "hold_check" and op.state in ("expired", "used")
        )
        if closes and op.hold:
            settled[op.pos, op.hold] = op.index
    for op in of_kinds(traffic, "hold"):
        if op.outcome != OK or not op.hold:
            continue  # a hold whose answer was lost: the POS never learned its reference
        result.inspected += 1
        if settled.get((op.pos, op.hold), -1) < op.index:
            result.breach(
                f"hold {op.hold} of {op.label} was neither used by an order nor released",
                op.call,
            )
    return result


def _deductions_settled(traffic: Traffic) -> RuleResult:
    """WLL: each deduction is followed by its sale (TRANSACTION) or given back (POINTS_REFUND)
    naming the same transaction, extending its event id, or giving back as many points."""
    result = RuleResult(what="deduction(s)", empty="no REDEEMED_POINTS deduction was reported")
    last_txn: dict[tuple[str, str, str], int] = {}  # (pos, member, txn) -> last sale/refund
    last_points: dict[tuple[str, str, float], int] = {}  # (pos, member, points) -> last refund
    restores: dict[tuple[str, str], list[Op]] = defaultdict(list)  # (pos, member) -> refunds
    for op in traffic.ops:
        if op.kind not in ("order", "restore"):
            continue
        for m in op.member:
            if op.txn:
                last_txn[op.pos, m, op.txn] = op.index
            if op.kind == "restore":
                if op.points is not None:
                    last_points[op.pos, m, op.points] = op.index
                restores[op.pos, m].append(op)
    for d in first_of_each(of_kinds(traffic, "redeem")):
        if d.outcome not in (OK, LOST):
            continue
        result.inspected += 1
        settled = any(
            (d.txn and last_txn.get((d.pos, m, d.txn), -1) > d.index)
            or (d.points is not None and last_points.get((d.pos, m, d.points), -1) > d.index)
            or any(
                r.index > d.index and d.key and r.key and r.key.startswith(d.key)
                for r in restores[d.pos, m]
            )
            for m in d.member
        )
        if not settled:
            result.breach(
                f"{d.label} deducted points that no sale used and no POINTS_REFUND gave back",
                d.call,
            )
    return result
