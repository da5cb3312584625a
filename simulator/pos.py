"""The simulated POS: stores, lanes, cashiers and a checkout state machine.

open -> items -> (identified) -> (points / voucher applied) -> tendered -> completed | voided

A void releases every reserved point; a completed sale is submitted once with its own order
id, and refunds go by receipt (full, partial amount, or lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .gateway import LoyaltyGateway
from .protocol import ops


class CheckoutError(Exception):
    """The cashier tried something the checkout's state does not allow."""


@dataclass(frozen=True)
class Store:
    store_id: str
    name: str
    lanes: tuple[str, ...]


@dataclass
class Receipt:
    order_id: str
    store_id: str
    lane_id: str
    member_id: str | None
    lines: list[ops.SaleLine]
    total: int
    points_discount: int
    voucher_discount: int
    paid: int
    points_earned: int = 0
    points_redeemed: int = 0
    vouchers: tuple[str, ...] = ()
    refunded: int = 0
    returned: dict[str, int] = field(default_factory=dict)  # sku -> quantity refunded

    def refund_money(self, amount: int | None, lines: tuple[tuple[str, int], ...]) -> int:
        """The money a refund gives back: an amount, lines scaled to what was paid, or the rest."""
        left = self.paid - self.refunded
        if amount is not None:
            return amount
        if not lines:
            return left
        prices = {line.sku: line.unit_price for line in self.lines}
        gross = sum(line.quantity * line.unit_price for line in self.lines) or 1
        before = sum(prices.get(sku, 0) * q for sku, q in self.returned.items())
        after = before + sum(prices.get(sku, 0) * q for sku, q in lines)
        if after >= gross:
            return left
        return self.paid * after // gross - self.paid * before // gross

    def loyalty_lines(self) -> list[str]:
        out = []
        if self.points_redeemed:
            out.append(f"Points redeemed: {self.points_redeemed} (-{self.points_discount})")
        for code in self.vouchers:
            out.append(f"Voucher {code} (-{self.voucher_discount})")
        if self.member_id:
            out.append(f"Points earned: {self.points_earned}")
        return out


@dataclass
class Checkout:
    terminal: Terminal
    order_id: str
    state: str = "open"
    lines: list[ops.SaleLine] = field(default_factory=list)
    member: ops.MemberInfo | None = None
    reservation: ops.Reservation | None = None
    vouchers: list[tuple[str, int]] = field(default_factory=list)
    tendered: int = 0
    referral_code: str | None = None
    receipt: Receipt | None = None

    @property
    def gateway(self) -> LoyaltyGateway:
        return self.terminal.gateway

    @property
    def total(self) -> int:
        return sum(line.quantity * line.unit_price for line in self.lines)

    @property
    def points_discount(self) -> int:
        if self.reservation is None:
            return 0
        value = self.reservation.money_value
        return value or self.reservation.points * self.terminal.point_value_minor

    @property
    def voucher_discount(self) -> int:
        return sum(discount for _, discount in self.vouchers)

    @property
    def due(self) -> int:
        return max(0, self.total - self.points_discount - self.voucher_discount)

    def _member_id(self) -> str:
        if self.member is None:
            raise CheckoutError("no member is identified on this checkout")
        return self.member.member_id

    def _need(self, *states: str) -> None:
        if self.state not in states:
            raise CheckoutError(f"cannot do that while the checkout is {self.state}")

    def scan(self, sku: str, unit_price: int, quantity: int = 1, name: str = "") -> None:
        self._need("open", "items", "identified")
        self.lines.append(ops.SaleLine(sku, quantity, unit_price, name))
        if self.state == "open":
            self.state = "items"

    def identify(self, ref: str, kind: str = "member_id") -> ops.MemberInfo:
        self._need("open", "items")
        self.member = self.gateway.identify(ref, kind)
        self.state = "identified"
        return self.member

    def enroll(self, member_id: str, **fields: Any) -> ops.MemberInfo:
        self._need("open", "items")
        self.member = self.gateway.enroll(member_id, **fields)
        self.state = "identified"
        return self.member

    def apply_points(self, points: int) -> ops.Reservation:
        self._need("identified", "applied")
        if self.reservation is not None:
            raise CheckoutError("points are already applied to this checkout")
        self.reservation = self.gateway.reserve_points(self._member_id(), points, self.order_id)
        self.state = "applied"
        return self.reservation

    def apply_voucher(self, code: str, discount: int | None = None) -> None:
        """Validate right before applying; the burn happens with the sale."""
        self._need("identified", "applied")
        if discount is None:
            info = self.gateway.validate_voucher(self._member_id(), code)
            discount = info.discount_value
        self.vouchers.append((code, discount))
        self.state = "applied"

    def tender(self, amount: int | None = None) -> int:
        self._need("items", "identified", "applied")
        self.tendered = self.due if amount is None else amount
        if self.tendered < self.due:
            raise CheckoutError(f"tendered {self.tendered} but {self.due} is due")
        self.state = "tendered"
        return self.tendered - self.due

    def complete(self) -> Receipt:
        self._need("tendered")
        paid = self.due
        receipt = Receipt(
            order_id=self.order_id,
            store_id=self.terminal.store.store_id,
            lane_id=self.terminal.lane_id,
            member_id=self.member.member_id if self.member else None,
            lines=list(self.lines),
            total=self.total,
            points_discount=self.points_discount,
            voucher_discount=self.voucher_discount,
            paid=paid,
            vouchers=tuple(code for code, _ in self.vouchers),
        )
        if self.member is not None:
            result = self.gateway.submit_sale(self.sale())
            receipt.points_earned = result.points_earned
            receipt.points_redeemed = result.points_redeemed or (
                self.reservation.points if self.reservation else 0
            )
        self.state, self.receipt = "completed", receipt
        self.terminal.receipts[self.order_id] = receipt
        return receipt

    def sale(self) -> ops.SubmitSale:
        """The sale exactly as submitted; a retry re-sends this same object."""
        return ops.SubmitSale(
            member_id=self._member_id(),
            order_id=self.order_id,
            lines=tuple(self.lines),
            total=self.total,
            paid=self.due,
            reservation=self.reservation,
            voucher_codes=tuple(code for code, _ in self.vouchers),
            referral_code=self.referral_code,
            store_id=self.terminal.store.store_id,
        )

    def void(self) -> None:
        """Cancel the sale: every reserved point goes back to the member."""
        self._need("open", "items", "identified", "applied", "tendered")
        if self.reservation is not None:
            self.gateway.release(self._member_id(), self.reservation)
            self.reservation = None
        self.state = "voided"


@dataclass
class Terminal:
    store: Store
    lane_id: str
    cashier: str
    gateway: LoyaltyGateway
    point_value_minor: int = 1  # what one point pays when the vendor does not say
    receipts: dict[str, Receipt] = field(default_factory=dict)
    _seq: int = 0

    def new_checkout(self, order_id: str | None = None) -> Checkout:
        self._seq += 1
        order_id = order_id or f"{self.store.store_id}-{self.lane_id}-{self._seq:05d}"
        return Checkout(self, order_id)

    def refund(
        self,
        order_id: str,
        refund_id: str,
        amount: int | None = None,
        lines: tuple[tuple[str, int], ...] = (),
    ) -> ops.RefundResult:
        """Refund by receipt: the rest (no amount, no lines), an amount, or lines."""
        receipt = self.receipts.get(order_id)
        if receipt is None:
            raise CheckoutError(f"no receipt {order_id!r} at this terminal")
        if receipt.member_id is None:
            raise CheckoutError("a guest sale has no loyalty refund")
        result = self.gateway.refund(
            ops.RefundSale(
                member_id=receipt.member_id,
                order_id=order_id,
                refund_id=refund_id,
                amount=amount,
                lines=lines,
                sale_total=receipt.total,
                store_id=self.store.store_id,
                sale_paid=receipt.paid,
                points_earned=receipt.points_earned,
                points_redeemed=receipt.points_redeemed,
                refunded_before=receipt.refunded,
                money=receipt.refund_money(amount, lines),
                lines_detail=tuple(receipt.lines),
            )
        )
        receipt.refunded += result.amount or receipt.refund_money(amount, lines)
        for sku, qty in lines:
            receipt.returned[sku] = receipt.returned.get(sku, 0) + qty
        return result
