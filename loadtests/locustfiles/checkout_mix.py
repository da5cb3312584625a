"""Locust profile `checkout_mix`. A realistic day at the tills: identify, earn, redeem, vouchers,
refunds and the odd resubmitted sale.

Run it with `posim load --profile checkout_mix`, or directly:
  locust -f loadtests/locustfiles/checkout_mix.py --headless -u 20 -r 20 -t 10s \
      --host http://127.0.0.1:8080 --posim-dialect gameball
"""

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("loadtests") is None:  # run from a checkout, not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from loadtests.profiles import CheckoutMixLane  # noqa: E402


class CheckoutMix(CheckoutMixLane):
    """One simulated lane (Locust user)."""
