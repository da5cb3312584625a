"""What every till of the corpus shares: the command line, and one careful way to call an API.

The tills are written from the vendors' own documents with plain httpx, the way an
integrator would, and never import posim. Each runs one go-live day against the URL it is
given. A correct till resends a failed, 5xx or timed-out call unchanged (same ids, same
body), and waits out a 429 for as long as Retry-After asks; `--defect NAME` breaks exactly
one go-live rule, so a certification tool can be shown to catch it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

ATTEMPTS = 4  # one call, then at most three resends after a failure
THROTTLE_WAITS = 4  # 429s waited out per call before giving up
RESEND_PAUSE_S = 0.05  # a short pause before resending a failed call
DEFAULT_RETRY_AFTER_S = 1.0  # the wait a 429 without Retry-After is given


class TillError(Exception):
    """The till could not finish a step (the day goes on with the next checkout)."""


def parser(vendor: str, defects: dict[str, str]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=f"A {vendor} till running one go-live day.")
    p.add_argument("--url", required=True, help="the server's root, e.g. http://127.0.0.1:8080")
    p.add_argument("--timeout", type=float, default=1.0, help="client timeout in seconds")
    p.add_argument("--run", default="day1", help="a prefix that keeps ids apart between runs")
    p.add_argument(
        "--defect",
        choices=sorted(defects),
        help="break exactly one go-live rule: "
        + "; ".join(f"{name}: {what}" for name, what in sorted(defects.items())),
    )
    return p


def now_iso() -> str:
    """ISO 8601 in UTC with milliseconds and a Z, as the vendors' examples write it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def retry_after(response: httpx.Response) -> float:
    raw = response.headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else DEFAULT_RETRY_AFTER_S
    except ValueError:
        return DEFAULT_RETRY_AFTER_S


class Api:
    """One HTTP client; `call` resends failures and honours Retry-After.

    `resend(body) -> body` lets a till change a failed call's body before resending it:
    only the defect that renames a resent sale uses it.
    """

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        *,
        timeout: float,
        ignore_retry_after: bool = False,
    ) -> None:
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout)
        self.ignore_retry_after = ignore_retry_after

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        resend: Callable[[Any], Any] | None = None,
    ) -> httpx.Response:
        failures = throttled = 0
        while True:
            try:
                response = self.http.request(
                    method, path, json=json, params=params, headers=headers
                )
            except httpx.TransportError as exc:  # a timeout, a dropped connection
                failure = f"{type(exc).__name__}"
            else:
                if response.status_code == 429 and throttled < THROTTLE_WAITS:
                    throttled += 1
                    time.sleep(0.0 if self.ignore_retry_after else retry_after(response))
                    continue
                if response.status_code < 500:
                    return response
                failure = f"HTTP {response.status_code}"
            failures += 1
            if failures >= ATTEMPTS:
                raise TillError(f"{method} {path}: gave up after {failure}")
            time.sleep(RESEND_PAUSE_S)
            if resend is not None:
                json = resend(json)


def run(main: Callable[[argparse.Namespace], None], args: argparse.Namespace) -> int:
    try:
        main(args)
    except TillError as exc:
        print(f"till: {exc}", file=sys.stderr)
        return 1
    return 0
