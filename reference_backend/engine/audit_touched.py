"""The audit after each command: the invariants of what that command touched.

The full audit (audit.py) walks the whole state; run after every command it makes a
command's cost grow with the program's history. This one reads only the postings the
command appended, the accounts and members they moved and the holds they name, so it costs
what the command did. The full audit stays for GET .../audit and the tests.
"""

from __future__ import annotations

from .audit import Violation, audit, check_hold, check_lot
from .ledger import Account, Posting, apply_postings, replay
from .state import State

_MEMBER = "member:"


class TouchedAudit:
    """Remembers how far the log was checked and a replay of it (I14) between commands."""

    def __init__(self) -> None:
        self.state: State | None = None
        self.seq = 0
        self.replayed: dict[str, Account] = {}

    def run(self, state: State) -> list[Violation]:
        if state is not self.state:  # first command, or state restored / reset: start over
            return self._full(state)
        new = state.ledger.since(self.seq)
        if not new:
            return []
        found: list[Violation] = []

        def fail(inv: str, subject: str, detail: str) -> None:
            found.append(Violation(inv, subject, detail))

        last = state.ledger.posting_before(new[0].seq)
        for p in new:
            if p.amount <= 0 or p.debit == p.credit:
                fail("I1", f"posting {p.seq}", "non-positive amount or self-transfer")
            if last is not None and p.ts < last.ts:
                fail("I11", f"posting {p.seq}", "timestamp earlier than the posting before it")
            last = p
        apply_postings(self.replayed, new)
        self.seq = new[-1].seq
        accounts = {name for p in new for name in (p.debit, p.credit)}
        for name in sorted(accounts):
            if self.replayed.get(name, Account()) != state.ledger.accounts.get(name, Account()):
                fail("I14", name, "replaying the posting log gives another balance")
            if name.startswith(_MEMBER) and name[len(_MEMBER) :] in state.members:
                _member(state, name[len(_MEMBER) :], fail)
        for hold_id in sorted({v for p in new for k, v in p.refs if k == "hold"}):
            hold = state.holds.get(hold_id)
            if hold is not None:
                _hold(state, hold, fail)
        return found

    def _full(self, state: State) -> list[Violation]:
        self.state = state
        postings: list[Posting] = state.ledger.postings
        self.replayed = replay(postings, state.ledger.base)
        self.seq = postings[-1].seq if postings else state.ledger.dropped
        return audit(state)


def _member(state: State, member_id: str, fail) -> None:
    """I2-I4 and I11 over one member's indexed lots (emptied lots, dropped from the index,
    hold nothing and count nothing)."""
    member = state.members[member_id]
    account = state.ledger.account(_MEMBER + member_id)
    now = state.now
    activated = reserved = pending = free = 0
    for lot_id in state.member_lots.get(member_id, ()):
        lot = state.lots[lot_id]
        check_lot(state, lot, fail)
        reserved += lot.reserved
        if lot.state == "pending":
            pending += lot.remaining
            if lot.activates_at <= now:
                fail("I11", lot.lot_id, "lot should have activated")
            continue
        activated += lot.remaining
        if lot.state == "active":
            free += lot.remaining - lot.reserved
            if lot.expires_at is not None and lot.expires_at <= now:
                fail("I11", lot.lot_id, "lot spendable at or after its expiry")
    if account.balance != activated - member.debt:
        fail("I2", member_id, f"balance {account.balance} != lots {activated} - debt")
    if account.debits_pending != reserved:
        fail("I2", member_id, f"held {account.debits_pending} != earmarks {reserved}")
    if account.credits_pending != pending:
        fail("I2", member_id, f"pending {account.credits_pending} != pending lots {pending}")
    if member.debt < 0 or (member.debt > 0 and free > 0):
        fail("I3", member_id, f"debt {member.debt} with {free} free points")
    if account.balance - account.debits_pending < -member.debt:
        fail("I3", member_id, "available below zero")


def _hold(state: State, hold, fail) -> None:
    check_hold(state, hold, fail)
    if hold.state == "pending" and hold.expires_at <= state.now:
        fail("I11", hold.hold_id, "hold still pending at or after its expiry")
