"""The Engine: one loyalty program's command executor.

Each command runs under one lock (one writer at a time), first applies whatever time has
made due, honours idempotency keys (R1-R6), then either commits all of its effects or raises
an EngineError having changed nothing. With `check_invariants` the audit runs after every
command, and a breach stops all further writes (fail-stop).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, cast

from . import (
    expiry,
    holds,
    members,
    orders,
    redemptions,
    referrals,
    refunds,
    retention,
    vouchers,
)
from .audit import Violation, audit
from .audit_touched import TouchedAudit
from .clock import Clock
from .config import ProgramConfig
from .errors import EngineError, invalid, is_int, require_int
from .ledger import ADJUSTMENT, member_account
from .model import (
    Activity,
    EventRecord,
    Hold,
    IdempotencyRecord,
    Member,
    Order,
    Redemption,
    Referral,
    Refund,
    Reservation,
    Voucher,
    VoucherSeries,
)
from .points import activate_now, grant, revoke
from .state import State, fingerprint

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A command's result, and whether it was an identical replay of an earlier one."""

    value: T
    replayed: bool = False


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= 255 or not key.isprintable():
        raise invalid("idempotency key must be 1-255 printable characters", field="key")


class Engine:
    def __init__(
        self,
        config: ProgramConfig | None = None,
        clock: Clock | None = None,
        check_invariants: bool = False,
    ) -> None:
        self.state = State(config or ProgramConfig(), clock or Clock())
        self.check_invariants = check_invariants
        self.lock = threading.RLock()
        self._keys_dropped = 0
        self._touched = TouchedAudit()

    # -- plumbing ---------------------------------------------------------------------
    @property
    def config(self) -> ProgramConfig:
        return self.state.config

    @property
    def clock(self) -> Clock:
        return self.state.clock

    def now(self) -> datetime:
        return self.state.clock.now()

    def _read(self, fn: Callable[[], T]) -> T:
        with self.lock:
            if not self.state.broken:
                expiry.expire_due(self.state)
            return fn()

    def _command(self, op: str, params: dict, fn: Callable[[], T], key: str | None = None) -> T:
        with self.lock:
            st = self.state
            if st.broken:
                raise EngineError("invariant_violation", f"engine is read-only: {st.broken}")
            expiry.expire_due(st)
            slot = None
            if key is not None:
                _check_key(key)
                self._prune_keys()
                slot = (op, key)
                fp = fingerprint(params)
                stored = st.idempotency.get(slot)
                if stored is not None:
                    if stored.fingerprint != fp:
                        self._reject_if_invalid(fn)
                        raise EngineError("idempotency_key_reused", "key used with other params")
                    if stored.error is not None:
                        raise EngineError(stored.error[0], stored.error[1], **stored.error[2])
                    result = stored.result
                    if isinstance(result, Outcome):  # the stored Outcome, flagged as replayed
                        return cast(T, Outcome(result.value, True))
                    return result
            try:
                result = fn()
            except EngineError as exc:
                if slot is not None and exc.code != "invalid_request":  # R5: not stored
                    err = (exc.code.value, exc.message, exc.details)
                    st.idempotency[slot] = IdempotencyRecord(fp, st.now, error=err)
                raise
            except Exception as exc:  # a bug mid-command: stop writing rather than drift
                st.broken = f"{op} failed half-way: {exc!r}"
                raise EngineError("invariant_violation", st.broken) from exc
            if slot is not None:
                st.idempotency[slot] = IdempotencyRecord(fp, st.now, result=result)
            if self.check_invariants:
                found = self._touched.run(st)
                if found:
                    st.broken = f"after {op}: {found[0]}"
                    raise EngineError("invariant_violation", st.broken, violations=len(found))
            retention.after_command(st)
            return result

    def _reject_if_invalid(self, fn: Callable[[], Any]) -> None:
        """B9: invalid_request outranks idempotency_key_reused. Dry-run the command on a
        scratch copy of the state to learn whether it is malformed; the copy is dropped."""
        real = self.state
        self.state = copy.deepcopy(real)
        try:
            fn()
        except EngineError as exc:
            if exc.code == "invalid_request":
                raise
        except Exception:  # a broken dry run proves nothing; the key error stands
            pass
        finally:
            self.state = real

    def _prune_keys(self) -> None:
        st = self.state
        horizon = st.now - timedelta(seconds=st.config.idempotency_retention_s)
        keys = st.idempotency
        # records are inserted in time order (the clock only moves forward), so the stale
        # ones form a prefix: drop from the front and stop at the first fresh one
        dropped = 0
        while keys:
            oldest = next(iter(keys))
            if keys[oldest].created_at > horizon:
                break
            del keys[oldest]
            dropped += 1
        # a dict walks its deleted slots on every iter(); a copy sheds them once they
        # outnumber the live records, which keeps the front O(1) amortised
        self._keys_dropped += dropped
        if self._keys_dropped > len(keys):
            st.idempotency = dict(keys)
            self._keys_dropped = 0

    # -- members ----------------------------------------------------------------------
    def upsert_member(
        self,
        member_id: str | None = None,
        identifiers: dict[str, str] | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        attributes: dict[str, Any] | None = None,
        referral_code: str | None = None,
        key: str | None = None,
    ) -> Outcome[Member]:
        """Create or update a member; `replayed` is False when it was created."""
        params: dict[str, Any] = dict(
            member_id=member_id,
            identifiers=identifiers,
            first_name=first_name,
            last_name=last_name,
            attributes=attributes,
            referral_code=referral_code,
        )

        def run():
            member, created = members.upsert(self.state, **params)
            return Outcome(member, not created)

        return self._command("upsert_member", params, run, key)

    def member(self, member_id: str) -> Member:
        return self._read(lambda: self.state.member(member_id))

    def find_member(self, kind: str, value: str) -> Member:
        return self._read(lambda: members.find(self.state, kind, value))

    def resolve_member(self, ref: str) -> Member:
        return self._read(lambda: members.resolve(self.state, ref))

    def set_member_active(self, member_id: str, active: bool) -> Member:
        return self._command(
            "set_member_active", {}, lambda: members.set_active(self.state, member_id, active)
        )

    def erase_member(self, member_id: str) -> Member:
        """Wipe a member's personal data and retire the id (see members.erase)."""
        return self._command("erase_member", {}, lambda: members.erase(self.state, member_id))

    def balance(self, member_id: str) -> dict[str, Any]:
        return self._read(lambda: members.balance(self.state, member_id))

    def activities(self, member_id: str) -> list[Activity]:
        def run():
            self.state.member(member_id)
            return list(self.state.activities.get(member_id, ()))

        return self._read(run)

    def member_bills(self, member_id: str) -> list[tuple[Order, list[Refund]]]:
        """Every order of a member with its refunds, in one read."""

        def run():
            st = self.state
            return [
                (order, refunds.refunds_of(st, order))
                for order in (st.orders[k] for k in st.member_orders.get(member_id, ()))
            ]

        return self._read(run)

    def member_orders(self, member_id: str) -> list[Order]:
        def run():
            keys = self.state.member_orders.get(member_id, ())
            return [self.state.orders[k] for k in keys]

        return self._read(run)

    # -- points -----------------------------------------------------------------------
    def earn(
        self, member_id: str, points: int, source: str = "manual", ref: str | None = None
    ) -> int:
        """Credit points outside any order (manual award, bonus, migration)."""

        def run():
            require_int(points, "points")
            member = self.state.active_member(member_id)
            grant(self.state, member_id, points, source, ref)
            member.lifetime_earned += points
            self.state.record(member_id, "earn", points, ref, source=source)
            return points

        return self._command("earn", {}, run)

    def adjust(self, member_id: str, points: int, reason: str, force: bool = False) -> int:
        """Admin correction against sys:adjustment; a debit needs the points unless forced."""

        def run():
            st = self.state
            if not is_int(points) or points == 0:
                raise invalid("points must be a non-zero integer", field="points")
            st.member(member_id)
            if points > 0:
                grant(
                    st, member_id, points, "adjust", reason, from_account=ADJUSTMENT, kind="adjust"
                )
            else:
                if not force:
                    holds.check_available(st, member_id, -points)
                gap = revoke(st, member_id, -points, None, reason)
                if gap:  # forced: the rest becomes debt
                    st.ledger.transfer(
                        "adjust", member_account(member_id), ADJUSTMENT, gap, st.now, ref=reason
                    )
                    st.members[member_id].debt += gap
            st.record(member_id, "adjust", points, reason)
            return points

        return self._command("adjust", {}, run)

    def redeem_points(
        self,
        member_id: str,
        points: int | None = None,
        redemption_id: str | None = None,
        order_id: str | None = None,
        key: str | None = None,
        hold_id: str | None = None,
    ) -> Outcome[Redemption]:
        """Spend points now; with hold_id, capture that hold (all, or `points` of it) instead."""
        params: dict[str, Any] = dict(
            member_id=member_id,
            pts=points,
            redemption_id=redemption_id,
            order_id=order_id,
            hold_id=hold_id,
        )
        return self._command(
            "redeem", params, lambda: Outcome(*redemptions.redeem(self.state, **params)), key
        )

    def reverse_redemption(self, redemption_id: str, points: int | None = None) -> Redemption:
        return self._command(
            "reverse", {}, lambda: redemptions.reverse(self.state, redemption_id, points)
        )

    def redemption(self, redemption_id: str) -> Redemption:
        def run():
            found = self.state.redemptions.get(redemption_id)
            if found is None:
                raise EngineError("redemption_not_found", f"redemption {redemption_id!r}")
            return found

        return self._read(run)

    def apply_event(
        self,
        member_id: str,
        name: str,
        payload: dict,
        event_id: str | None = None,
        key: str | None = None,
    ) -> Outcome[EventRecord]:
        params: dict[str, Any] = dict(
            member_id=member_id, name=name, payload=payload, event_id=event_id
        )
        return self._command(
            "event", params, lambda: Outcome(*redemptions.apply_event(self.state, **params)), key
        )

    # -- holds ------------------------------------------------------------------------
    def create_hold(
        self,
        member_id: str,
        points: int | None = None,
        amount: int | None = None,
        ttl_s: int | None = None,
        hold_id: str | None = None,
        order_id: str | None = None,
        key: str | None = None,
    ) -> Outcome[Hold]:
        params: dict[str, Any] = dict(
            member_id=member_id,
            pts=points,
            amount_minor=amount,
            ttl_s=ttl_s,
            hold_id=hold_id,
            order_id=order_id,
        )
        return self._command(
            "create_hold", params, lambda: Outcome(*holds.create_hold(self.state, **params)), key
        )

    def hold(self, hold_id: str) -> Hold:
        return self._read(lambda: holds.get_hold(self.state, hold_id))

    def capture_hold(self, hold_id: str, points: int | None = None, key: str | None = None) -> Hold:
        def run():
            hold = holds.get_hold(self.state, hold_id)
            amount = holds.check_capturable(self.state, hold, points)
            holds.capture(self.state, hold, amount)
            return hold

        return self._command("capture", {"hold": hold_id, "points": points}, run, key)

    def release_hold(self, hold_id: str, key: str | None = None) -> Hold:
        return self._command(
            "release", {"hold": hold_id}, lambda: holds.release_hold(self.state, hold_id), key
        )

    # -- orders and refunds -----------------------------------------------------------
    def record_order(
        self,
        order_id: str,
        member_id: str,
        total_amount: int,
        *,
        key: str | None = None,
        **fields: Any,
    ) -> Outcome[Order]:
        """Record a sale; see orders.record_order for the fields."""
        params = dict(order_id=order_id, member_id=member_id, total_amount=total_amount, **fields)
        return self._command(
            "order", params, lambda: Outcome(*orders.record_order(self.state, **params)), key
        )

    def activate_order_points(self, order_id: str, merchant_id: str = "") -> int:
        """Make an order's pending points available now; returns how many."""

        def run():
            order = orders.get_order(self.state, order_id, merchant_id)
            lot = self.state.lots.get(order.lot_id) if order.lot_id else None
            return activate_now(self.state, lot) if lot is not None else 0

        return self._command("activate_order_points", {}, run)

    def order(self, order_id: str, merchant_id: str = "") -> Order:
        return self._read(lambda: orders.get_order(self.state, order_id, merchant_id))

    def quote_points(self, paid_amount: int) -> int:
        return self._read(lambda: orders.quote_points(self.state, paid_amount))

    def refund(
        self,
        order_id: str,
        refund_id: str,
        amount: int | None = None,
        lines: list[dict] | None = None,
        member_id: str | None = None,
        merchant_id: str = "",
        key: str | None = None,
    ) -> Outcome[Refund]:
        params: dict[str, Any] = dict(
            order_id=order_id,
            refund_id=refund_id,
            amount=amount,
            lines=lines,
            member_id=member_id,
            merchant_id=merchant_id,
        )
        return self._command(
            "refund", params, lambda: Outcome(*refunds.refund(self.state, **params)), key
        )

    def order_refunds(self, order_id: str, merchant_id: str = "") -> list[Refund]:
        return self._read(
            lambda: refunds.refunds_of(
                self.state, orders.get_order(self.state, order_id, merchant_id)
            )
        )

    # -- vouchers ---------------------------------------------------------------------
    def create_series(self, name: str, **fields: Any) -> VoucherSeries:
        return self._command(
            "create_series", {}, lambda: vouchers.create_series(self.state, name, **fields)
        )

    def add_codes(self, series_id: str, codes: list[str]) -> VoucherSeries:
        def run():
            vouchers.add_codes(self.state, series_id, codes)
            return self.state.series[series_id]

        return self._command("add_codes", {}, run)

    def issue_voucher(
        self, series_id: str, member_id: str | None = None, code: str | None = None
    ) -> Voucher:
        return self._command(
            "issue_voucher", {}, lambda: vouchers.issue(self.state, series_id, member_id, code)
        )

    def purchase_voucher(self, series_id: str, member_id: str) -> Voucher:
        return self._command(
            "purchase_voucher", {}, lambda: vouchers.purchase(self.state, series_id, member_id)
        )

    def voucher(self, code: str) -> Voucher:
        return self._read(lambda: vouchers.get_voucher(self.state, code))

    def series(self, series_id: str) -> VoucherSeries:
        return self._read(lambda: vouchers.get_series(self.state, series_id))

    def validate_voucher(self, code: str, member_id: str | None = None) -> Voucher:
        return self._read(lambda: vouchers.validate(self.state, code, member_id))

    def reserve_voucher(
        self,
        code: str,
        member_id: str | None = None,
        reservation_id: str | None = None,
        ttl_s: int | None = None,
    ) -> Reservation:
        return self._command(
            "reserve_voucher",
            {},
            lambda: vouchers.reserve(self.state, code, member_id, reservation_id, ttl_s),
        )

    def release_voucher(self, code: str, reservation_id: str) -> Reservation:
        return self._command(
            "release_voucher",
            {},
            lambda: vouchers.release_reservation(self.state, code, reservation_id),
        )

    def burn_voucher(
        self,
        code: str,
        member_id: str | None = None,
        order_id: str | None = None,
        reservation_id: str | None = None,
    ) -> Voucher:
        return self._command(
            "burn_voucher",
            {},
            lambda: vouchers.burn_code(self.state, code, member_id, order_id, reservation_id),
        )

    def reinstate_voucher(self, code: str, order_id: str) -> bool:
        """Give back the use that order `order_id` burned (a return undoing a coupon)."""
        return self._command(
            "reinstate_voucher", {}, lambda: vouchers.reinstate(self.state, code, order_id)
        )

    def void_voucher(self, code: str) -> Voucher:
        return self._command("void_voucher", {}, lambda: vouchers.void(self.state, code))

    def member_vouchers(self, member_id: str) -> list[Voucher]:
        return self._read(lambda: vouchers.member_vouchers(self.state, member_id))

    # -- referrals --------------------------------------------------------------------
    def register_referral(self, member_id: str, code: str) -> Referral:
        def run():
            self.state.member(member_id)
            return referrals.register(self.state, member_id, code)

        return self._command("register_referral", {}, run)

    def referrer_for_code(self, code: str) -> str:
        return self._read(lambda: referrals.referrer_for_code(self.state, code))

    def referrals_of(self, member_id: str) -> list[Referral]:
        return self._read(lambda: referrals.referrals_of(self.state, member_id))

    # -- time, audit, snapshots -------------------------------------------------------
    def advance_clock(self, seconds: float) -> datetime:
        with self.lock:
            now = self.state.clock.advance(seconds)
            if not self.state.broken:
                expiry.expire_due(self.state)
            return now

    def expire_due(self) -> int:
        with self.lock:
            return expiry.expire_due(self.state)

    def audit(self) -> list[Violation]:
        return self._read(lambda: audit(self.state))

    def snapshot(self) -> State:
        """A deep copy of all state (the clock included), for restore()."""
        with self.lock:
            return copy.deepcopy(self.state)

    def restore(self, snapshot: State) -> None:
        with self.lock:
            self.state = copy.deepcopy(snapshot)

    def reset(self) -> None:
        with self.lock:
            self.state = State(self.state.config, self.state.clock)
