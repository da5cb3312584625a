"""Token buckets for vendor rate limits (wall time, never the tenant's test clock)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens per second up to `burst`; take() returns 0 or the seconds to wait."""

    def __init__(
        self, rate: float, burst: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._now = now
        self._tokens = burst
        self._at = now()

    def take(self, cost: float = 1.0) -> float:
        t = self._now()
        self._tokens = min(self.burst, self._tokens + (t - self._at) * self.rate)
        self._at = t
        if self._tokens >= cost:
            self._tokens -= cost
            return 0.0
        return (cost - self._tokens) / self.rate

    @staticmethod
    def retry_after_header(wait: float) -> str:
        """Retry-After is whole seconds; never advertise 0 for a refused request."""
        return str(max(1, math.ceil(wait)))
