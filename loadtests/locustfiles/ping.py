"""Locust profile `ping`. The trivial endpoint (GET /_posim/ping): the ceiling benchmarks compare
against.

Run it with `posim load --profile ping`, or directly:
  locust -f loadtests/locustfiles/ping.py --headless -u 20 -r 20 -t 10s \
      --host http://127.0.0.1:8080 --posim-dialect gameball
"""

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("loadtests") is None:  # run from a checkout, not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from loadtests.profiles import PingUser  # noqa: E402


class Ping(PingUser):
    """One simulated lane (Locust user)."""
