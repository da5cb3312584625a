"""Double-entry points ledger: accounts, immutable postings and two-phase (pending) transfers.

Every point that moves is a posting from a debit account to a credit account. A pending
transfer reserves an amount on both sides; posting or voiding it later resolves it, in parts
if needed. History is append-only, so balances can always be rebuilt from the log (I14).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

ISSUANCE = "sys:issuance"
REDEMPTION = "sys:redemption"
EXPIRY = "sys:expiry"
ADJUSTMENT = "sys:adjustment"
SYSTEM_ACCOUNTS = (ISSUANCE, REDEMPTION, EXPIRY, ADJUSTMENT)


def member_account(member_id: str) -> str:
    return f"member:{member_id}"


@dataclass
class Account:
    credits_posted: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    debits_pending: int = 0

    @property
    def balance(self) -> int:
        return self.credits_posted - self.debits_posted


@dataclass(frozen=True)
class Posting:
    """One line of the log. `phase` is posted, pending, post (of a pending) or void."""

    seq: int
    kind: str
    debit: str
    credit: str
    amount: int
    phase: str
    ts: datetime
    refs: tuple[tuple[str, str], ...] = ()
    pending_id: int | None = None


@dataclass
class PendingTransfer:
    pending_id: int
    debit: str
    credit: str
    amount: int
    remaining: int


@dataclass
class Ledger:
    accounts: dict[str, Account] = field(default_factory=dict)
    postings: list[Posting] = field(default_factory=list)
    pending: dict[int, PendingTransfer] = field(default_factory=dict)
    next_pending_id: int = 1
    # retention: the oldest postings folded into per-account totals (replay starts there)
    dropped: int = 0
    base: dict[str, Account] = field(default_factory=dict)

    def account(self, name: str) -> Account:
        acct = self.accounts.get(name)
        if acct is None:
            acct = self.accounts[name] = Account()
        return acct

    def _log(self, kind, debit, credit, amount, phase, ts, refs, pending_id=None) -> None:
        if amount <= 0 or debit == credit:
            raise AssertionError(f"bad posting {kind} {debit}->{credit} {amount}")
        seq = self.dropped + len(self.postings) + 1
        self.postings.append(
            Posting(seq, kind, debit, credit, amount, phase, ts, tuple(refs.items()), pending_id)
        )

    def transfer(self, kind: str, debit: str, credit: str, amount: int, ts, **refs: str) -> None:
        """Post `amount` at once: debit `debit`, credit `credit`."""
        self._log(kind, debit, credit, amount, "posted", ts, refs)
        self.account(debit).debits_posted += amount
        self.account(credit).credits_posted += amount

    def open_pending(self, kind: str, debit: str, credit: str, amount: int, ts, **refs) -> int:
        pid = self.next_pending_id
        self.next_pending_id += 1
        self._log(kind, debit, credit, amount, "pending", ts, refs, pid)
        self.account(debit).debits_pending += amount
        self.account(credit).credits_pending += amount
        self.pending[pid] = PendingTransfer(pid, debit, credit, amount, amount)
        return pid

    def post_pending(self, pid: int, amount: int, kind: str, ts, **refs: str) -> None:
        """Turn `amount` of a pending transfer into a posted one."""
        pt = self._take(pid, amount)
        self._log(kind, pt.debit, pt.credit, amount, "post", ts, refs, pid)
        debit, credit = self.account(pt.debit), self.account(pt.credit)
        debit.debits_pending -= amount
        credit.credits_pending -= amount
        debit.debits_posted += amount
        credit.credits_posted += amount

    def void_pending(self, pid: int, amount: int, kind: str, ts, **refs: str) -> None:
        """Drop `amount` of a pending transfer without moving any points."""
        pt = self._take(pid, amount)
        self._log(kind, pt.debit, pt.credit, amount, "void", ts, refs, pid)
        self.account(pt.debit).debits_pending -= amount
        self.account(pt.credit).credits_pending -= amount

    def since(self, seq: int) -> list[Posting]:
        """The retained postings after number `seq`."""
        return self.postings[max(0, seq - self.dropped) :]

    def posting_before(self, seq: int) -> Posting | None:
        index = seq - self.dropped - 2
        return self.postings[index] if index >= 0 else None

    def compact(self, keep: int) -> int:
        """Fold all but the newest `keep` postings into `base`; returns how many were folded.
        Balances, pending transfers and the replay (I14) are unchanged by it."""
        fold = len(self.postings) - keep
        if fold <= 0:
            return 0
        apply_postings(self.base, self.postings[:fold])
        del self.postings[:fold]
        self.dropped += fold
        return fold

    def pending_remaining(self, pid: int) -> int:
        pt = self.pending.get(pid)
        return pt.remaining if pt else 0

    def _take(self, pid: int, amount: int) -> PendingTransfer:
        pt = self.pending[pid]
        if not 0 < amount <= pt.remaining:
            raise AssertionError(f"pending {pid}: cannot resolve {amount} of {pt.remaining}")
        pt.remaining -= amount
        if pt.remaining == 0:
            del self.pending[pid]
        return pt


def replay(postings: list[Posting], base: dict[str, Account] | None = None):
    """Rebuild every account from the log alone (the reference model for I14), starting
    from the totals of the postings retention folded away."""
    accounts = {name: replace(acct) for name, acct in (base or {}).items()}
    apply_postings(accounts, postings)
    return accounts


def apply_postings(accounts: dict[str, Account], postings: list[Posting]) -> None:
    def acct(name: str) -> Account:
        found = accounts.get(name)
        if found is None:
            found = accounts[name] = Account()
        return found

    for p in postings:
        d, c = acct(p.debit), acct(p.credit)
        if p.phase == "posted":
            d.debits_posted += p.amount
            c.credits_posted += p.amount
        elif p.phase == "pending":
            d.debits_pending += p.amount
            c.credits_pending += p.amount
        elif p.phase == "post":
            d.debits_pending -= p.amount
            c.credits_pending -= p.amount
            d.debits_posted += p.amount
            c.credits_posted += p.amount
        elif p.phase == "void":
            d.debits_pending -= p.amount
            c.credits_pending -= p.amount
