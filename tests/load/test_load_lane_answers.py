"""A lane under load reads answers as strictly as the gateway: a 200 whose body is not the
vendor's shape is a failed request with an unknown outcome, never a zero balance (pure: a
stand-in for Locust's response context, no Locust run; runs in every session)."""

from __future__ import annotations

import random
from contextlib import contextmanager

from loadtests.lane import Lane
from loadtests.plan import Plan
from simulator.protocol import ops


class _Context:
    def __init__(self, status: int, body: bytes) -> None:
        self.status_code, self.content, self.headers = status, body, {}
        self.request_meta: dict = {}
        self.failed: str | None = None
        self.succeeded = False

    def failure(self, reason) -> None:
        self.failed = str(reason)

    def success(self) -> None:
        self.succeeded = True


class _Session:
    """Answers every request with the same status and bytes, keeping each response context."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body, self.contexts = status, body, []

    @contextmanager
    def request(self, method, url, name=None, **_kw):
        ctx = _Context(self.status, self.body)
        ctx.request_meta["name"] = name
        self.contexts.append(ctx)
        yield ctx


def _lane(session) -> tuple[Lane, list[dict]]:
    plan = Plan(
        "r1", "race", "gameball", "http://127.0.0.1:1", {"apiKey": "k", "secretKey": "s"}, "t"
    )
    records: list[dict] = []
    return Lane(session, plan, records.append, "u1", random.Random(1)), records


def test_a_garbage_200_is_a_failure_with_an_unknown_outcome():
    session = _Session(200, b"<html><body>It works!</body></html>")
    lane, records = _lane(session)
    lost = {"k": "reserve", "m": "m1", "lo": 0, "hi": 100}
    out = lane.call(ops.ReservePoints("m1", 100, "chk-1"), "reserve", if_lost=lost)
    assert out.status == "unknown" and out.value is None
    ctx = session.contexts[-1]
    assert not ctx.succeeded
    assert ctx.failed.startswith("POST /api/v4.0/integrations/transactions/hold: HTTP 200")
    assert "<html><body>It works!" in ctx.failed
    assert records and records[-1]["k"] == "reserve"  # the oracle gets the range it may have done


def test_an_empty_object_is_not_a_zero_balance():
    session = _Session(200, b"{}")
    lane, _ = _lane(session)
    out = lane.call(ops.GetBalance("m1"), "balance")
    assert out.status == "unknown"
    assert "no availablePointsBalance" in session.contexts[-1].failed
