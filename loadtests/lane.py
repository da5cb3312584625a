"""A POS lane inside a Locust user: neutral operations over the codec and FastHttpUser.

The lane is the load-test twin of LoyaltyGateway: it encodes an operation with the
dialect's codec, sends it with the user's FastHttpSession (so Locust times it), decodes
the answer, follows multi-step vendor flows and backs off on 429 as Retry-After says.

Each request reports to Locust under the vendor's call it made (`transactions/hold`), so
the tables read as the vendor's API. Business answers the profile expects (say
`insufficient_points` when lanes race) are successes named `call [code]`; 429s are
`call [429]`, successes only where throttling is expected. What the lane could
not observe (no answer, a 5xx, an unreadable body, a flow that failed half way, a user
stopped mid-request) is an "unknown" outcome, and so is a refusal that came after earlier
steps of a vendor flow went through (Capillary's bill before its points/redeem): the
profile's `if_lost` record (the range of everything the operation could have done) is then
written for the oracle.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from simulator.protocol import LoyaltyError, Next, ops
from simulator.protocol.base import BadAnswer, Done, Response
from simulator.protocol.retry_after import retry_after

from . import limits
from .plan import Plan

Record = Callable[[dict[str, Any]], None]


@dataclass
class Outcome:
    status: str  # ok | rejected | unknown | unsupported | throttled
    value: Any = None
    error: LoyaltyError | None = None
    t0: float = 0.0
    t1: float = 0.0
    partial: bool = False  # refused after earlier steps of the flow went through

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def code(self) -> str | None:
        return self.error.code if self.error is not None else None


class _Unknown(Exception):
    """The operation's outcome was not observed."""


@dataclass
class _Answer:
    value: Any


@dataclass
class _Throttled:
    seconds: float | None


class Lane:
    def __init__(self, session, plan: Plan, record: Record, tag: str, rng: random.Random):
        self.session = session
        self.plan = plan
        self.codec = plan.codec()
        self.record = record
        self.tag = tag
        self.rng = rng
        self.seq = 0
        # 429s are part of the test when measuring limits, or on a target we do not control
        self.throttle_expected = plan.profile == "rate_limit" or not plan.posim
        self.track_exchanges = plan.profile == "rate_limit"
        self.max_backoffs = plan.knobs.max_backoffs if plan.profile == "rate_limit" else 10
        self.holds = "holds" not in getattr(self.codec, "not_applicable", {})

    # -- ids and effects --------------------------------------------------------------
    def next_id(self, kind: str) -> str:
        self.seq += 1
        return f"ld{self.plan.run_id}-{self.tag}-{kind}{self.seq}"

    def effect(self, kind: str, member: str, lo: int, hi: int | None, out: Outcome, **extra):
        entry = {"k": kind, "m": member, "lo": lo, "hi": hi, "t0": out.t0, "t1": out.t1}
        self.record({**entry, **extra})

    def earn_bound(self, paid: int) -> int | None:
        """The most a sale paying `paid` can earn, when the program is known."""
        if self.plan.earn_per_minor is None:
            return None
        return int(paid * self.plan.earn_per_minor)

    def mode(self, reservation: ops.Reservation | None) -> str:
        """hold: points held until capture; committed: deducted at once; check: only checked."""
        if reservation is not None and reservation.committed:
            return "committed"
        return "hold" if self.holds else "check"

    # -- the loop -----------------------------------------------------------------------
    def call(
        self,
        op: Any,
        label: str,
        expected: tuple[str, ...] = (),
        if_lost: dict[str, Any] | None = None,
    ) -> Outcome:
        """Run one neutral operation; write `if_lost` (with times) if its outcome is unknown."""
        out = Outcome("unknown", t0=time.time())
        try:
            out = self._run(op, expected, out)  # Locust names the vendor call, not `label`
        except BaseException:  # the user was stopped mid-request (GreenletExit)
            out.t1 = time.time()
            if if_lost is not None:
                self.record({**if_lost, "t0": out.t0, "t1": out.t1})
            raise
        out.t1 = time.time()
        if (out.status == "unknown" or out.partial) and if_lost is not None:
            self.record({**if_lost, "t0": out.t0, "t1": out.t1})
        return out

    def _run(self, op: Any, expected: tuple[str, ...], out: Outcome) -> Outcome:
        current, step = op, 0
        while True:
            try:
                request = self.codec.encode(current)
            except LoyaltyError as exc:
                out.error = exc
                out.status = "unsupported" if exc.code == "not_supported" else "rejected"
                return out
            if isinstance(request, Done):  # nothing to send on this vendor (a no-op release)
                out.status, out.value = "ok", request.value
                return out
            name = vendor_call(request)
            try:
                result = self._exchange(current, request, name, expected)
            except LoyaltyError as exc:
                out.error = exc
                if exc.code == "rate_limited":
                    out.status = "throttled"
                elif step > 0 and exc.code not in expected:
                    out.status = "unknown"  # earlier steps of the flow may have committed
                else:
                    # refused; after earlier steps (a bill before its redemption) the
                    # oracle gets the range of what those steps may have done
                    out.status, out.partial = "rejected", step > 0
                return out
            except _Unknown:
                out.status = "unknown"
                return out
            if isinstance(result, Next):
                current, step = result.op, step + 1
                continue
            out.status, out.value = "ok", result
            return out

    def _exchange(self, op: Any, request, name: str, expected: tuple[str, ...]) -> Any:
        """One request, decoded; after a 429 it waits as Retry-After says and tries again."""
        url = request.path
        if request.params:
            url += "?" + urlencode(request.params, doseq=True)
        streak = 0
        try:
            while True:
                retry = self._attempt(op, request, url, name, expected)
                if not isinstance(retry, _Throttled):
                    if streak:
                        self._episode(name, streak, recovered=True)
                        streak = 0
                    return retry.value
                streak += 1
                if streak > self.max_backoffs:
                    self._episode(name, streak, recovered=False)
                    streak = 0
                    raise LoyaltyError("rate_limited", "gave up backing off", status=429)
                wait = retry.seconds if retry.seconds is not None else 1.0
                time.sleep(wait + self.rng.uniform(0, 0.25 * wait))  # gevent: yields
        except LoyaltyError:
            if streak:  # a business answer after 429s: the client did recover
                self._episode(name, streak, recovered=True)
                streak = 0
            raise
        finally:
            if streak:  # stopped while backing off, or no answer after a 429
                self._episode(name, streak, recovered=False, open_=True)

    def _attempt(self, op: Any, request, url: str, name: str, expected: tuple[str, ...]):
        """Send once; report to Locust inside the response context so the verdict counts."""
        t0 = time.time()
        with self.session.request(
            request.method,
            url,
            name=name,
            headers=request.headers,
            json=request.json,
            catch_response=True,
        ) as ctx:
            t1 = time.time()
            status = ctx.status_code or 0
            if status == 0:
                ctx.failure(f"no answer: {getattr(ctx, 'error', None)!r}")
                raise _Unknown()
            headers = {str(k).lower(): str(v) for k, v in (ctx.headers or {}).items()}
            response = Response(status, headers, ctx.content or b"")
            retry = retry_after(headers)
            if self.track_exchanges:
                self._note_exchange(request, status, retry, t0, t1)
            if status == 429:
                return self._throttled(ctx, name, retry)
            if status >= 500:
                ctx.failure(f"HTTP {status}: {response.body[:200]!r}")
                raise _Unknown()
            try:
                value = self.codec.decode(op, response)
            except BadAnswer as exc:  # not the vendor's shape: a failure, outcome unknown
                ctx.failure(str(exc.naming(f"{request.method} {request.path}"))[:300])
                raise _Unknown() from exc
            except LoyaltyError as exc:
                if exc.code == "rate_limited":  # throttling signalled in the body
                    return self._throttled(ctx, name, exc.retry_after or retry)
                if exc.code in expected:
                    ctx.request_meta["name"] = f"{name} [{exc.code}]"
                    ctx.success()
                else:
                    ctx.failure(f"{exc.code} (HTTP {status}): {exc.message}"[:300])
                raise
            except Exception as exc:  # noqa: BLE001 - an unreadable answer: outcome unknown
                ctx.failure(f"undecodable answer: {exc!r}"[:300])
                raise _Unknown() from exc
            ctx.success()
            return _Answer(value)

    def _throttled(self, ctx, name: str, retry: float | None) -> _Throttled:
        ctx.request_meta["name"] = f"{name} [429]"
        if self.throttle_expected:
            ctx.success()
        else:
            ctx.failure("429 although rate limits are off for this tenant")
        return _Throttled(retry)

    def _note_exchange(self, request, status: int, retry: float | None, t0: float, t1: float):
        found = limits.bucket_for(self.plan.dialect, request.method, request.path)
        self.record(
            {
                "k": "x",
                "b": found[0] if found else None,
                "mt": request.method,
                "p": request.path,
                "s": status,
                "ra": retry,
                "t0": t0,
                "t1": t1,
            }
        )

    def _episode(self, name: str, throttled: int, recovered: bool, open_: bool = False):
        self.record(
            {
                "k": "episode",
                "n": self.tag,
                "op": name,
                "throttled": throttled,
                "recovered": recovered,
                "open": open_,
            }
        )


_VERSION = re.compile(r"^v\d+(\.\d+)*$")
_BASE_SEGMENTS = {"api", "integrations"}


def vendor_call(request) -> str:
    """The vendor's call a request makes, as tables name it: the path without its base
    (`/api/v4.0/integrations`, `/v1`, `/v1.1`) and with ids as {id}, plus an event's type:
    `transactions/hold`, `customers/{id}/balance`, `events REDEEMED_POINTS`."""
    parts = [p for p in request.path.split("/") if p]
    while parts and (parts[0] in _BASE_SEGMENTS or _VERSION.match(parts[0])):
        parts.pop(0)
    shown = [p if not re.search(r"\d", p) else "{id}" for p in parts]
    call = "/".join(shown) or "/"
    body = request.json if isinstance(request.json, dict) else {}
    kind = body.get("type")
    return f"{call} {kind}" if isinstance(kind, str) and kind else call
