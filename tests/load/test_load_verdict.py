"""The quitting hook's verdict: thresholds give exit code 2, oracle violations 3.

In-process Locust objects (no users run): this needs the gevent patch of the load session.
"""

from __future__ import annotations

from argparse import Namespace
from types import SimpleNamespace

import pytest

from loadtests.plan import Plan

pytestmark = pytest.mark.load


@pytest.fixture
def harness():
    from loadtests import harness

    saved = (harness.STATE.plan, harness.STATE.report)
    harness.STATE.plan = Plan("r1", "race", "gameball", "http://127.0.0.1:1", {}, "t1")
    yield harness
    harness.STATE.plan, harness.STATE.report = saved


def _environment(fail: bool = False, slow_ms: int = 10, **limits):
    from locust.stats import RequestStats

    stats = RequestStats()
    for _ in range(200):
        stats.log_request("GET", "balance", 10, 100)
    for _ in range(5):
        stats.log_request("POST", "reserve", slow_ms, 100)
    if fail:
        stats.log_error("POST", "sale", "server_error (HTTP 500)")
    options = {"posim_max_fail_ratio": 0.0, "posim_max_p95_ms": 0.0, "posim_max_p99_ms": 0.0}
    options.update(limits)
    return SimpleNamespace(
        parsed_options=Namespace(num_users=5, **options),
        stats=stats,
        runner=SimpleNamespace(exceptions={}),
        host="http://127.0.0.1:1",
    )


CLEAN = {"ok": True, "violations": [], "violation_count": 0}


def test_a_clean_run_passes(harness):
    harness.STATE.report = CLEAN
    result = harness.summary(_environment())
    assert (result["exit_code"], result["verdict"]) == (0, "pass")
    assert result["total"]["requests"] == 205


def test_failures_above_the_ratio_give_exit_2(harness):
    harness.STATE.report = CLEAN
    result = harness.summary(_environment(fail=True))
    assert result["exit_code"] == 2
    assert "failure ratio" in result["thresholds"]["breaches"][0]
    tolerant = harness.summary(_environment(fail=True, posim_max_fail_ratio=0.05))
    assert tolerant["exit_code"] == 0


def test_a_slow_p99_gives_exit_2(harness):
    harness.STATE.report = CLEAN
    result = harness.summary(_environment(slow_ms=900, posim_max_p99_ms=500))
    assert result["exit_code"] == 2
    assert result["thresholds"]["breaches"] == ["p99 900 ms > 500 ms"]


def test_oracle_violations_give_exit_3_whatever_the_latency(harness):
    harness.STATE.report = {
        "ok": False,
        "violations": [{"check": "overspend", "detail": "x"}],
        "violation_count": 1,
    }
    result = harness.summary(_environment(slow_ms=900, posim_max_p99_ms=500))
    assert (result["exit_code"], result["verdict"]) == (3, "fail")


def test_a_run_that_ended_before_the_oracle_fails(harness):
    harness.STATE.report = None
    result = harness.summary(_environment())
    assert result["exit_code"] == 3
    assert result["oracle"]["violations"][0]["check"] == "oracle"
