"""Locust profile `rate_limit`. Drives the hold path above the dialect's documented rate limits
(posim keeps them on); clients back off as Retry-After says and must recover.

Run it with `posim load --profile rate_limit`, or directly:
  locust -f loadtests/locustfiles/rate_limit.py --headless -u 20 -r 20 -t 10s \
      --host http://127.0.0.1:8080 --posim-dialect gameball
"""

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("loadtests") is None:  # run from a checkout, not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from loadtests.profiles import RateLimitLane  # noqa: E402


class RateLimit(RateLimitLane):
    """One simulated lane (Locust user)."""
