"""Documented vendor rate limits, as posim enforces them, keyed by the request path.

Used by the `rate_limit` profile's oracle to check that a backend admits no more than the
documented rate. A bucket is a list of (rate per second, burst) pairs; a request needs a
token from each. Paths that match nothing have no known limit and are not checked.
"""

from __future__ import annotations

import re

Bucket = list[tuple[float, float]]


def _gameball(per_second: float, per_30s: float) -> Bucket:
    return [(per_second, per_second), (per_30s / 30, per_30s)]


# (dialect, method or "*", path pattern) -> (bucket name, limits); first match wins
_GAMEBALL = [
    (
        "*",
        r"/integrations/orders/(?:reward-preview|cashback)$",
        "orders_calc",
        _gameball(1000, 15000),
    ),
    ("*", r"/integrations/orders(?:/|$)", "orders", _gameball(30, 360)),
    ("*", r"/integrations/transactions(?:/|$)", "transactions", _gameball(30, 360)),
    ("*", r"/integrations/coupons(?:/|$)", "coupons", _gameball(30, 360)),
    ("*", r"/integrations/events(?:/|$)", "events", _gameball(100, 1200)),
    ("GET", r"/integrations/customers(?:/|$)", "customers_read", _gameball(100, 1200)),
    ("*", r"/integrations/customers(?:/|$)", "customers_write", _gameball(30, 360)),
    ("*", r"/integrations/", "others", _gameball(30, 360)),  # every other resource
]
_WLL = [("*", r"", "api_key", [(100.0, 400.0)])]  # one bucket per API key for everything
# Capillary: requests per minute per till and API (asia2 row, else the 1000/min figure)
_CAPILLARY_PER_MINUTE = {
    "transaction/add": 1500,
    "transaction/update": 500,
    "customer/add": 700,
    "customer/update": 500,
}
_CAPILLARY_DEFAULT = 1000


def bucket_for(dialect: str, method: str, path: str) -> tuple[str, Bucket] | None:
    """The rate bucket a request counts against, or None when its limit is unknown."""
    if dialect == "capillary":
        match = re.search(r"/v1\.1/([a-z_]+/[a-z_]+)", path)
        if match is None:
            return None
        api = match.group(1)
        per_minute = _CAPILLARY_PER_MINUTE.get(api, _CAPILLARY_DEFAULT)
        return api, [(per_minute / 60.0, float(per_minute))]
    table = {"gameball": _GAMEBALL, "wll": _WLL}.get(dialect, [])
    for want, pattern, name, limits in table:
        if want in ("*", method.upper()) and re.search(pattern, path):
            return name, limits
    return None


def scaled(limits: Bucket, scale: float) -> Bucket:
    """posim's `scale` knob multiplies every rate and burst (a burst never drops below 1)."""
    return [(rate * scale, max(1.0, burst * scale)) for rate, burst in limits]


def admitted_ceiling(limits: Bucket, seconds: float) -> float:
    """The most requests a full bucket admits over `seconds`: burst + rate x time, per pair."""
    return min(burst + rate * max(0.0, seconds) for rate, burst in limits)
