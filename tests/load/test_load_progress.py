"""`posim load` progress: a refreshed line on a terminal, plain lines in a log, and the
vendor's call names in its tables (pure: no Locust, runs in every session)."""

from __future__ import annotations

import io

import pytest

from loadtests.lane import vendor_call
from loadtests.progress import ProgressPrinter, describe
from simulator.protocol import codec_for, ops


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _snapshot(elapsed: float, requests: int) -> dict:
    return {
        "elapsed_s": elapsed,
        "duration_s": 30,
        "requests": requests,
        "failures": 2,
        "rps": 41.5,
    }


def test_a_snapshot_reads_as_requests_failures_rate_and_time_left():
    assert describe(_snapshot(12, 1234)) == (
        "12 s of 30 s, 1,234 requests, 2 failures, 41.5 req/s, 18 s left"
    )


def test_without_a_terminal_it_prints_a_plain_line_every_few_seconds():
    out = io.StringIO()
    printer = ProgressPrinter("auto", out, every_s=5)
    for second in range(1, 13):
        printer(_snapshot(second, second * 40))
    printer.close()
    lines = out.getvalue().splitlines()
    assert [line.split(" s of")[0] for line in lines] == [
        "posim load: 1",
        "posim load: 6",
        "posim load: 11",
    ]
    assert "\r" not in out.getvalue()


def test_on_a_terminal_it_rewrites_one_line():
    out = _Terminal()
    printer = ProgressPrinter("auto", out)
    printer(_snapshot(1, 10))
    printer(_snapshot(2, 20))
    printer.close()
    text = out.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and text.count("\n") == 1
    assert "20 requests" in text


def test_off_prints_nothing():
    out = io.StringIO()
    ProgressPrinter("off", out)(_snapshot(1, 10))
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    "dialect, creds, op, name",
    [
        (
            "gameball",
            {"apiKey": "k", "secretKey": "s"},
            ops.GetBalance("ld1-m7"),
            "customers/{id}/balance",
        ),
        (
            "gameball",
            {"apiKey": "k", "secretKey": "s"},
            ops.ReservePoints("m7", 5, "r1"),
            "transactions/hold",
        ),
        ("capillary", {"till": "t", "password": "p"}, ops.GetBalance("m7"), "customer/get"),
    ],
)
def test_tables_name_the_vendor_call(dialect, creds, op, name):
    request = codec_for(dialect, creds).encode(op)
    assert vendor_call(request) == name


def test_a_wll_event_is_named_by_its_type():
    codec = codec_for("wll", {"apiKey": "k", "clientId": "c", "clientSecret": "s"})
    codec.token = "t"
    request = codec.encode(ops.TrackEvent("m7", "visit", {}))
    assert vendor_call(request) == "events visit"
