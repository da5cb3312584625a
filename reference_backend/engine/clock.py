"""The per-tenant clock: injected, readable by everyone, and only moving forward."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from .errors import EngineError

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# the clock stops short of datetime's year 9999 by more than any program period (a century)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def utc(dt: datetime) -> datetime:
    """Normalise to an aware UTC datetime (naive values are taken as UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


class Clock:
    """A tenant clock. Frozen at `start` until advanced, or `running` with wall time.

    A running clock is what `posim serve` uses: it follows real time, and `advance` adds an
    offset on top, so a tester can still jump a live server forward (never back).
    """

    def __init__(self, start: datetime | None = None, running: bool = False) -> None:
        self.running = running
        self._base = utc(start) if start else (datetime.now(UTC) if running else EPOCH)
        self._started = time.monotonic()
        self._last = self._base

    def now(self) -> datetime:
        if not self.running:
            return self._base
        now = self._base + timedelta(seconds=time.monotonic() - self._started)
        if now < self._last:  # monotonic guard: never hand out an earlier instant
            now = self._last
        self._last = now
        return now

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise EngineError("clock_cannot_go_backwards", "the clock only moves forward")
        try:
            base = self._base + timedelta(seconds=seconds)
        except OverflowError:
            base = LATEST
        if base >= LATEST:  # refused, the clock stays where it was
            raise EngineError("invalid_request", "the clock cannot advance that far") from None
        self._base = base
        self._last = max(self._last, self._base)
        return self.now()

    def set(self, when: datetime) -> datetime:
        delta = (utc(when) - self.now()).total_seconds()
        if delta < 0:
            raise EngineError("clock_cannot_go_backwards", "the clock only moves forward")
        return self.advance(delta)
