"""The ledger audit: invariants I1-I14 of the engine contract, checked over the whole state.

An empty list means nothing was lost, created from nothing, or spent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import refunds
from .ledger import ADJUSTMENT, EXPIRY, ISSUANCE, REDEMPTION, member_account, replay
from .state import State


@dataclass(frozen=True)
class Violation:
    invariant: str
    subject: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"invariant": self.invariant, "subject": self.subject, "detail": self.detail}


def audit(state: State) -> list[Violation]:
    found: list[Violation] = []

    def fail(inv: str, subject: str, detail: str) -> None:
        found.append(Violation(inv, subject, detail))

    _ledger(state, fail)
    _members(state, fail)
    _holds(state, fail)
    _vouchers(state, fail)
    _orders(state, fail)
    _time(state, fail)
    _referrals(state, fail)
    return found


def _ledger(state: State, fail) -> None:
    accts = state.ledger.accounts.values()
    if sum(a.credits_posted for a in accts) != sum(a.debits_posted for a in accts):
        fail("I1", "ledger", "posted credits differ from posted debits")
    if sum(a.credits_pending for a in accts) != sum(a.debits_pending for a in accts):
        fail("I1", "ledger", "pending credits differ from pending debits")
    for p in state.ledger.postings:
        if p.amount <= 0 or p.debit == p.credit:
            fail("I1", f"posting {p.seq}", "non-positive amount or self-transfer")
    acct = state.ledger.account
    members_total = sum(acct(member_account(m)).balance for m in state.members)
    issued_out = -acct(ISSUANCE).balance
    expected = members_total + acct(REDEMPTION).balance + acct(EXPIRY).balance
    if issued_out != expected - (-acct(ADJUSTMENT).balance):
        fail("I6", "sys:issuance", f"issued {issued_out} != accounted {expected}")
    rebuilt = replay(state.ledger.postings, state.ledger.base)
    for name, account in state.ledger.accounts.items():
        if rebuilt.get(name, type(account)()) != account:
            fail("I14", name, "replaying the posting log gives another balance")


def _members(state: State, fail) -> None:
    by_member: dict[str, list] = {}
    for lot in state.lots.values():
        by_member.setdefault(lot.member_id, []).append(lot)
        check_lot(state, lot, fail)
    held_by: dict[str, int] = {}
    for hold in state.holds.values():
        if hold.state == "pending":
            held_by[hold.member_id] = held_by.get(hold.member_id, 0) + hold.amount
    for member_id, member in state.members.items():
        account = state.ledger.account(member_account(member_id))
        lots = by_member.get(member_id, [])
        activated = sum(x.remaining for x in lots if x.state != "pending")
        if account.balance != activated - member.debt:
            fail("I2", member_id, f"balance {account.balance} != lots {activated} - debt")
        reserved = sum(x.reserved for x in lots)
        if not account.debits_pending == held_by.get(member_id, 0) == reserved:
            fail("I2", member_id, f"held {account.debits_pending} != holds != earmarks")
        pending = sum(x.remaining for x in lots if x.state == "pending")
        if account.credits_pending != pending:
            fail("I2", member_id, f"pending {account.credits_pending} != pending lots {pending}")
        free = sum(x.remaining - x.reserved for x in lots if x.state == "active")
        if member.debt < 0 or (member.debt > 0 and free > 0):
            fail("I3", member_id, f"debt {member.debt} with {free} free points")
        if account.balance - account.debits_pending < -member.debt:
            fail("I3", member_id, "available below zero")


def check_lot(state: State, lot, fail) -> None:
    if not 0 <= lot.reserved <= lot.remaining <= lot.amount:
        fail("I4", lot.lot_id, f"reserved {lot.reserved} remaining {lot.remaining}")
    if lot.state == "expired" and lot.remaining != lot.reserved:
        fail("I4", lot.lot_id, "expired lot keeps unreserved points")
    if lot.state == "pending" and lot.reserved:
        fail("I4", lot.lot_id, "pending lot is earmarked")
    if lot.state == "pending" and lot.remaining:
        # activation posts this pending transfer: without it the lot could never activate
        pending = state.ledger.pending.get(lot.pending_id) if lot.pending_id else None
        if pending is None or pending.remaining != lot.remaining:
            fail("I4", lot.lot_id, "pending lot differs from its ledger pending transfer")


def _holds(state: State, fail) -> None:
    for hold in state.holds.values():
        check_hold(state, hold, fail)


def check_hold(state: State, hold, fail) -> None:
    pending = state.ledger.pending
    if (hold.captured > 0) != (hold.state == "captured") or hold.captured > hold.amount:
        fail("I5", hold.hold_id, f"state {hold.state} captured {hold.captured}")
    if hold.state == "pending":
        if sum(n for _, n in hold.allocations) != hold.amount:
            fail("I5", hold.hold_id, "allocations differ from the hold amount")
        if hold.pending_id not in pending or pending[hold.pending_id].remaining != hold.amount:
            fail("I5", hold.hold_id, "ledger reservation differs from the hold")
    elif hold.pending_id in pending:
        fail("I5", hold.hold_id, "resolved hold still reserves points")


def _vouchers(state: State, fail) -> None:
    for v in state.vouchers.values():
        if not 0 <= v.redeemed + v.reserved <= v.limit:
            fail("I7", v.code, f"redeemed {v.redeemed} + reserved {v.reserved} > {v.limit}")
        if v.burns > v.limit + v.reinstated:
            fail("I7", v.code, f"burned {v.burns} times, limit {v.limit}")


def _orders(state: State, fail) -> None:
    earn_lots = [lot for lot in state.lots.values() if lot.source == "order"]
    earning = [o for o in state.orders.values() if o.points_earned]
    if len(earn_lots) != len(earning):
        fail("I8", "orders", f"{len(earn_lots)} earn lots for {len(earning)} earning orders")
    for order in state.orders.values():
        name = f"order {order.merchant_id}/{order.order_id}"
        if order.lot_id and state.lots[order.lot_id].amount != order.points_earned:
            fail("I8", name, "earn lot differs from points earned")
        if not 0 <= order.refunded_amount <= order.paid_amount:
            fail("I9", name, f"refunded {order.refunded_amount} of {order.paid_amount}")
        if not 0 <= order.refunded_points_value <= order.redeemed_value:
            fail("I9", name, f"refunded {order.refunded_points_value} of the points' value")
        for index, qty in order.refunded_qty.items():
            if qty > order.lines[index].quantity:
                fail("I9", name, f"line {index} refunded {qty} times")
        records = [state.refunds[(order.merchant_id, r)] for r in order.refund_ids]
        if sum(r.amount for r in records) != order.refunded_amount:
            fail("I9", name, "refund records differ from the refunded amount")
        if sum(r.points_value for r in records) != order.refunded_points_value:
            fail("I9", name, "refund records differ from the refunded points' value")
        want_rev, want_res = refunds.point_targets(order)
        if order.points_revoked + order.points_uncollectable != want_rev:
            fail("I10", name, f"revoked {order.points_revoked} != {want_rev}")
        if order.points_restored != want_res:
            fail("I10", name, f"restored {order.points_restored} != {want_res}")


def _time(state: State, fail) -> None:
    now = state.now
    last = None
    for p in state.ledger.postings:
        if last is not None and p.ts < last:
            fail("I11", f"posting {p.seq}", "timestamp earlier than the posting before it")
        last = p.ts
    for lot in state.lots.values():
        if lot.state == "pending" and lot.activates_at <= now:
            fail("I11", lot.lot_id, "lot should have activated")
        if lot.state == "active" and lot.expires_at is not None and lot.expires_at <= now:
            fail("I11", lot.lot_id, "lot spendable at or after its expiry")
    for hold in state.holds.values():
        if hold.state == "pending" and hold.expires_at <= now:
            fail("I11", hold.hold_id, "hold still pending at or after its expiry")


def _referrals(state: State, fail) -> None:
    for referee, ref in state.referrals.items():
        if ref.referrer_id == referee or ref.referee_id != referee:
            fail("I12", ref.referral_id, "self-referral or misfiled referral")
        if ref.state in ("rewarded", "revoked"):
            first = state.member_orders.get(referee, [None])[0]
            if first is None or first[1] != ref.order_id:
                fail("I12", ref.referral_id, "rewarded on an order that was not the first")
    rewards: dict[tuple[str, str], int] = {}
    for lot in state.lots.values():
        if lot.source == "referral":
            key = (lot.member_id, lot.ref or "")
            rewards[key] = rewards.get(key, 0) + 1
    for key, count in rewards.items():
        if count > 1:
            fail("I12", key[1], f"member {key[0]} rewarded {count} times")
