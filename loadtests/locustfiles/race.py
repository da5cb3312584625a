"""Locust profile `race`. Lanes across stores race for the points of a few hot members: identify,
read the balance, hold most of it, then complete the sale or void it (`complete_ratio`).

Run it with `posim load --profile race`, or directly:
  locust -f loadtests/locustfiles/race.py --headless -u 20 -r 20 -t 10s \
      --host http://127.0.0.1:8080 --posim-dialect gameball
"""

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("loadtests") is None:  # run from a checkout, not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from loadtests.profiles import RaceLane  # noqa: E402


class Race(RaceLane):
    """One simulated lane (Locust user)."""
