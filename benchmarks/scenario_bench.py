"""Scenarios per second in-process: every feature over every dialect on the embedded backend."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

FEATURES = Path(__file__).resolve().parent.parent / "features"


class _Clock:
    """Times the run from the start of the test loop, and again from the end of the first
    scenario (which pays for the app's one-off warm-up: imports, route compilation)."""

    def __init__(self) -> None:
        self.start = self.warm = self.end = 0.0
        self.outcomes: dict[str, int] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        self.start = time.perf_counter()

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and report.skipped):
            self.outcomes[report.outcome] = self.outcomes.get(report.outcome, 0) + 1
            self.end = time.perf_counter()
            if not self.warm:
                self.warm = self.end


def run() -> dict[str, float]:
    clock = _Clock()
    code = pytest.main([str(FEATURES), "-q", "-p", "no:cacheprovider"], plugins=[clock])
    if code not in (0, 5):
        raise RuntimeError(f"the scenarios failed (pytest exit {code})")
    ran = clock.outcomes.get("passed", 0)
    seconds = clock.end - clock.start
    steady = clock.end - clock.warm
    return {
        "scenarios run": ran,
        "not applicable": clock.outcomes.get("skipped", 0),
        "seconds (after collection)": seconds,
        "scenarios per second, whole run": ran / seconds if seconds else 0.0,
        "scenarios per second, after the first": (ran - 1) / steady if steady else 0.0,
    }
