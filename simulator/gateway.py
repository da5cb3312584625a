"""LoyaltyGateway: the neutral loyalty operations of a POS, over any vendor codec and transport.

The gateway is the only place that loops: it asks the codec to encode an operation, sends
it, decodes the answer, follows multi-step vendor flows, backs off on rate limits (honouring
Retry-After) and retries timeouts with the same ids, so a retry can never double-award.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .protocol import ops
from .protocol.base import BadAnswer, Done, LoyaltyError, Next, Request, Response
from .protocol.codec import Codec
from .transports import TransportTimeout

R = TypeVar("R", bound=ops.Result)


@dataclass
class RetryPolicy:
    max_rate_limit_retries: int = 3
    max_timeout_retries: int = 2
    default_backoff_s: float = 1.0
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Exchange:
    """One request and what came back, kept for evidence and reports."""

    op: str
    request: Request
    response: Response | None
    error: str | None = None
    started: float = 0.0
    duration_ms: float = 0.0


@dataclass
class GatewayLog:
    exchanges: list[Exchange] = field(default_factory=list)
    backoffs: list[float] = field(default_factory=list)
    retries: int = 0


class LoyaltyGateway:
    def __init__(self, codec: Codec, transport, retry: RetryPolicy | None = None) -> None:
        self.codec = codec
        self.transport = transport
        self.retry = retry or RetryPolicy()
        self.log = GatewayLog()

    @property
    def dialect(self) -> str:
        return self.codec.dialect

    def supports(self, capability: str) -> str | None:
        """None if the vendor can express `capability`; otherwise the reason it cannot."""
        return self.codec.not_applicable.get(capability)

    # -- the loop ---------------------------------------------------------------------
    def execute(self, op: ops.Operation) -> ops.Outcome:
        out = self._send_decoded(op)
        while isinstance(out, Next):  # a vendor flow of several requests
            out = self._send_decoded(out.op)
        return out

    def _expect(self, op: ops.Operation, kind: type[R]) -> R:
        """`op`'s result, checked to be the kind the contract promises for it."""
        out = self.execute(op)
        if not isinstance(out, kind):
            name = type(op).__name__
            raise TypeError(f"{self.dialect} codec answered {name} with {out!r}, not {kind}")
        return out

    def _send_decoded(self, op: ops.Operation | Any) -> ops.Outcome | Next:
        limited = timeouts = 0
        while True:
            request = self.codec.encode(op)
            if isinstance(request, Done):
                return request.value
            response = self._send(op, request)
            if response is None:
                timeouts += 1
                if timeouts > self.retry.max_timeout_retries:
                    raise LoyaltyError("timeout", f"{type(op).__name__} timed out")
                self.log.retries += 1
                continue  # same operation, same ids: the backend must treat it as a replay
            try:
                return self.codec.decode(op, response)
            except BadAnswer as exc:  # never retried: the request may have taken effect
                raise exc.naming(f"{request.method} {request.path}") from None
            except LoyaltyError as exc:
                if exc.code != "rate_limited" or limited >= self.retry.max_rate_limit_retries:
                    raise
                limited += 1
                wait = exc.retry_after or self.retry.default_backoff_s
                self.log.backoffs.append(wait)
                self.retry.sleep(wait)

    def _send(self, op: ops.Operation | Any, request: Request) -> Response | None:
        started = time.perf_counter()
        exchange = Exchange(type(op).__name__, request, None, started=time.time())
        self.log.exchanges.append(exchange)
        try:
            exchange.response = self.transport.send(request)
        except TransportTimeout as exc:
            exchange.error = f"timeout: {exc}"
            return None
        finally:
            exchange.duration_ms = (time.perf_counter() - started) * 1000
        return exchange.response

    # -- the neutral operations -------------------------------------------------------
    def identify(self, ref: str, kind: str = "member_id") -> ops.MemberInfo:
        return self._expect(ops.Identify(ref, kind), ops.MemberInfo)

    def enroll(self, member_id: str, **fields: Any) -> ops.MemberInfo:
        return self._expect(ops.Enroll(member_id, **fields), ops.MemberInfo)

    def balance(self, member_id: str) -> ops.Balance:
        return self._expect(ops.GetBalance(member_id), ops.Balance)

    def reserve_points(
        self, member_id: str, points: int, reference: str, ttl_s: int | None = None
    ) -> ops.Reservation:
        op = ops.ReservePoints(member_id, points, reference, ttl_s)
        return self._expect(op, ops.Reservation)

    def release(self, member_id: str, reservation: ops.Reservation) -> None:
        self.execute(ops.ReleasePoints(member_id, reservation))

    def submit_sale(self, sale: ops.SubmitSale) -> ops.SaleResult:
        return self._expect(sale, ops.SaleResult)

    def refund(self, refund: ops.RefundSale) -> ops.RefundResult:
        return self._expect(refund, ops.RefundResult)

    def list_vouchers(self, member_id: str) -> list[ops.VoucherInfo]:
        out = self.execute(ops.ListVouchers(member_id))
        if not isinstance(out, list):
            raise TypeError(f"{self.dialect} codec answered ListVouchers with {out!r}")
        return out

    def validate_voucher(self, member_id: str, code: str) -> ops.VoucherInfo:
        return self._expect(ops.UseVoucher(member_id, code, burn=False), ops.VoucherInfo)

    def burn_voucher(
        self, member_id: str, code: str, order_id: str | None = None
    ) -> ops.VoucherInfo:
        op = ops.UseVoucher(member_id, code, burn=True, order_id=order_id)
        return self._expect(op, ops.VoucherInfo)

    def track_event(self, member_id: str, name: str, payload: dict) -> None:
        self.execute(ops.TrackEvent(member_id, name, payload))

    def earn_points(self, member_id: str, points: int, order_id: str) -> ops.SaleResult:
        return self._expect(ops.EarnPoints(member_id, points, order_id), ops.SaleResult)
