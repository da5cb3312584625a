"""The profiles' lanes. Each iteration is one Locust task; effects are recorded for the oracle.

Import only from a locustfile (it pulls in the Locust harness and its event listeners).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from locust import FastHttpUser, constant, task

from simulator.protocol import ops

from .harness import LaneUser
from .lane import Outcome

STORES = ("store-01", "store-02", "store-03", "store-04")
SALE_REJECTIONS = ("insufficient_points", "hold_not_found", "hold_expired", "hold_resolved")
VOUCHER_REJECTIONS = ("voucher_used", "voucher_invalid", "voucher_expired", "not_supported")
DUPLICATES = ("duplicate_order", "conflict")


class _Checkout(LaneUser):
    """The moves every profile shares: identify, read the balance, hold, sell, void."""

    abstract = True

    def identify(self, member: str) -> bool:
        return self.lane.call(ops.Identify(member), "identify").ok

    def balance(self, member: str) -> ops.Balance | None:
        out = self.lane.call(ops.GetBalance(member), "balance")
        return out.value if out.ok else None

    def reserve(self, member: str, points: int, reference: str) -> ops.Reservation | None:
        lane = self.lane
        possible = -points if lane.holds else 0  # a lost answer may or may not have held
        lost = {"k": "reserve?", "m": member, "lo": possible, "hi": 0}
        out = lane.call(
            ops.ReservePoints(member, points, reference),
            "reserve",
            expected=("insufficient_points",),
            if_lost=lost,
        )
        if not out.ok:
            self._reject("reserve", out)
            return None
        reservation: ops.Reservation = out.value
        mode = lane.mode(reservation)
        debit = 0 if mode == "check" else -reservation.points
        lane.effect(
            "reserve", member, debit, debit, out, ref=reservation.reference, mode=mode, pts=points
        )
        return reservation

    def release(self, member: str, reservation: ops.Reservation) -> None:
        lane = self.lane
        back = 0 if lane.mode(reservation) == "check" else reservation.points
        lost = {"k": "release?", "m": member, "lo": 0, "hi": back}
        out = lane.call(
            ops.ReleasePoints(member, reservation),
            "release",
            expected=("hold_resolved", "hold_not_found", "hold_expired"),
            if_lost=lost,
        )
        if out.ok or out.status == "unsupported":  # a vendor with nothing to undo
            lane.effect("release", member, back, back, out, ref=reservation.reference)
        else:
            self._reject("release", out)

    def sell(
        self,
        member: str,
        paid: int,
        reservation: ops.Reservation | None = None,
        vouchers: tuple[str, ...] = (),
        order_id: str | None = None,
    ) -> dict[str, Any] | None:
        """Submit a sale paying `paid` in cash; returns what the lane knows of the order."""
        points_value = 0
        if reservation is not None:
            points_value = reservation.money_value or reservation.points
        total = paid + points_value + (self.plan.voucher_discount if vouchers else 0)
        line = ops.SaleLine(f"sku-{self.rng.randint(1, 400):03d}", 1, total, "item")
        sale = ops.SubmitSale(
            member_id=member,
            order_id=order_id or self.lane.next_id("o"),
            lines=(line,),
            total=total,
            paid=paid,
            reservation=reservation,
            voucher_codes=vouchers,
            store_id=self.rng.choice(STORES),
        )
        return self.submit(sale)

    def submit(self, sale: ops.SubmitSale, replay_of: dict[str, Any] | None = None):
        lane, member, reservation = self.lane, sale.member_id, sale.reservation
        digest = repr(sale)
        mode = lane.mode(reservation)
        held = reservation.points if reservation is not None else 0
        bound = lane.earn_bound(sale.paid)
        lo = -held if (reservation is not None and mode == "check") else 0
        lost = {"k": "sale?", "m": member, "lo": lo, "hi": bound, "order": sale.order_id}
        expected: tuple[str, ...] = SALE_REJECTIONS + VOUCHER_REJECTIONS
        if replay_of is not None:
            same = replay_of["digest"] == digest
            lost = {**lost, "lo": 0, "hi": 0 if same else bound}
            expected += DUPLICATES
        out = lane.call(sale, "sale" if replay_of is None else "sale again", expected, lost)
        if not out.ok:
            self._reject("sale", out)
            return None
        result: ops.SaleResult = out.value
        earned = result.points_earned
        facts = {"order": sale.order_id, "earned": earned, "digest": digest}
        if replay_of is not None:
            # an identical replay changes nothing; other content must not have been accepted
            lane.effect("sale", member, 0, 0 if same else bound, out, replay=same, **facts)
            return None
        for code in sale.voucher_codes:  # a coupon accepted inside the order is used up
            lane.record({"k": "burn", "code": code, "order": sale.order_id, "t1": out.t1})
        redeemed = (result.points_redeemed or held) if reservation is not None else 0
        if reservation is None or mode == "committed":
            delta = earned  # committed: the points left the balance when reserved
        elif mode == "hold":
            delta = earned + (held - redeemed)  # held points were already off the balance
        else:
            delta = earned - redeemed
        lane.effect("sale", member, delta, delta, out, **facts)
        return {**facts, "member": member, "sale": sale, "redeemed": redeemed}

    def _reject(self, op: str, out: Outcome) -> None:
        if out.status in ("rejected", "throttled"):
            self.lane.record({"k": "reject", "op": op, "code": out.code, "t1": out.t1})


class RaceLane(_Checkout):
    """Many lanes, a few hot members: read, hold most of what is there, then sell or void."""

    abstract = True
    profile = "race"

    @task
    def checkout(self) -> None:
        knobs = self.plan.knobs
        member = self.rng.choice(self.members)
        if not self.identify(member):
            return
        balance = self.balance(member)
        if balance is None:
            return
        if balance.available < knobs.refill_below:  # a big shop tops the member up
            self.sell(member, paid=self.rng.randint(1_000, 2_000) * 100)
            return
        low, high = knobs.hold_fraction
        points = max(1, int(balance.available * self.rng.uniform(low, high)))
        reservation = self.reserve(member, points, self.lane.next_id("h"))
        if reservation is None:
            return
        completes = self.rng.random() < knobs.complete_ratio
        if completes and self.sell(member, self.rng.randint(100, 3_000), reservation):
            return
        self.release(member, reservation)  # voided, or the sale was refused


class RateLimitLane(_Checkout):
    """Hammers the hold path above the vendor's limits; backs off as Retry-After says."""

    abstract = True
    profile = "rate_limit"

    @task
    def hold_and_void(self) -> None:
        member = self.rng.choice(self.members)  # no balance read: all load on the hold path
        reservation = self.reserve(member, 1, self.lane.next_id("h"))
        if reservation is not None:
            self.release(member, reservation)


class CheckoutMixLane(_Checkout):
    """A day at the tills: earn, redeem, voucher, refund and the odd duplicate submit."""

    abstract = True
    profile = "checkout_mix"

    def on_start(self) -> None:
        super().on_start()
        self.receipts: list[dict[str, Any]] = []

    def _customer(self) -> tuple[str, ops.Balance] | None:
        member = self.rng.choice(self.members)
        if not self.identify(member):
            return None
        balance = self.balance(member)
        return (member, balance) if balance is not None else None

    def _keep(self, receipt: dict[str, Any] | None) -> None:
        if receipt is not None:
            self.receipts.append(receipt)
            del self.receipts[:-50]

    @task(40)
    def earn(self) -> None:
        found = self._customer()
        if found:
            self._keep(self.sell(found[0], self.rng.randint(5, 200) * 100))

    @task(25)
    def redeem(self) -> None:
        found = self._customer()
        if not found:
            return
        member, balance = found
        if balance.available < 10:
            return
        points = self.rng.randint(1, min(balance.available, 1_000))
        reservation = self.reserve(member, points, self.lane.next_id("h"))
        if reservation is None:
            return
        if self.rng.random() < 0.9:
            receipt = self.sell(member, self.rng.randint(0, 50) * 100, reservation)
            if receipt is not None:
                self._keep(receipt)
                return
        self.release(member, reservation)

    @task(15)
    def voucher(self) -> None:
        codes = list(self.plan.vouchers)
        found = self._customer()
        if not found or not codes:
            return
        member, code = found[0], self.rng.choice(codes)
        lane = self.lane
        order_id = lane.next_id("o")
        check = lane.call(
            ops.UseVoucher(member, code, burn=False), "voucher check", VOUCHER_REJECTIONS
        )
        if check.status == "unsupported":  # the vendor takes coupons inside the order only
            self._keep(self.sell(member, self.rng.randint(10, 100) * 100, vouchers=(code,)))
            return
        if not check.ok:
            return self._reject("voucher", check)
        burn_op = ops.UseVoucher(member, code, burn=True, order_id=order_id)
        burn = lane.call(burn_op, "voucher burn", VOUCHER_REJECTIONS)
        if burn.ok:
            lane.record({"k": "burn", "code": code, "order": order_id, "t1": burn.t1})
            self._keep(self.sell(member, self.rng.randint(10, 100) * 100, order_id=order_id))
        elif burn.status == "unknown":
            lane.record({"k": "burn?", "code": code, "order": order_id, "t1": burn.t1})
        else:
            self._reject("voucher", burn)

    @task(10)
    def refund(self) -> None:
        """A full refund by receipt."""
        if not self.receipts:
            return
        receipt = self.receipts.pop(self.rng.randrange(len(self.receipts)))
        member, sale = receipt["member"], receipt["sale"]
        refund = ops.RefundSale(
            member_id=member,
            order_id=sale.order_id,
            refund_id=f"{sale.order_id}-r",
            sale_total=sale.total,
            store_id=sale.store_id,
            sale_paid=sale.paid,
            points_earned=receipt["earned"],
            points_redeemed=receipt["redeemed"],
            money=sale.paid,
            lines_detail=sale.lines,
        )
        # revoking may stop at what is left (clamped); the redeemed points come back
        lo, hi = -receipt["earned"], receipt["redeemed"]
        lost = {"k": "refund?", "m": member, "lo": min(lo, 0), "hi": max(hi, 0)}
        out = self.lane.call(refund, "refund", ("refund_exceeds",), if_lost=lost)
        if not out.ok:
            return self._reject("refund", out)
        result: ops.RefundResult = out.value
        if result.points_revoked is not None and result.points_restored is not None:
            lo = hi = result.points_restored - result.points_revoked  # the vendor says exactly
        self.lane.effect("refund", member, lo, hi, out, order=sale.order_id)

    @task(10)
    def resubmit(self) -> None:
        """A lane retries a sale it already sent: the same body replays, other content fails."""
        plain = [r for r in self.receipts if r["sale"].reservation is None]
        plain = [r for r in plain if not r["sale"].voucher_codes]
        if not plain:
            return
        first = self.rng.choice(plain)
        sale = first["sale"]
        if self.rng.random() < 0.5:  # the same order id with other content
            line = replace(sale.lines[0], unit_price=sale.lines[0].unit_price + 100)
            sale = replace(sale, lines=(line,), total=sale.total + 100, paid=sale.paid + 100)
        self.submit(sale, replay_of=first)


class PingUser(FastHttpUser):
    """The trivial-endpoint ceiling for benchmarks: GET /_posim/ping."""

    abstract = True
    profile = "ping"
    wait_time = constant(0)

    @task
    def ping(self) -> None:
        self.client.get("/_posim/ping", name="ping")
