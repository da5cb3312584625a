"""Live progress of `posim load`: one refreshed line on a terminal, plain periodic lines in a
log (CI), from the totals Locust writes about once a second."""

from __future__ import annotations

import sys
from typing import Any, TextIO

MODES = ("auto", "live", "lines", "off")


def describe(snapshot: dict[str, Any]) -> str:
    """`12 s of 30 s, 1,234 requests, 3 failures, 410.2 req/s, 18 s left`."""
    elapsed = snapshot.get("elapsed_s") or 0.0
    duration = snapshot.get("duration_s")
    timing = f"{elapsed:.0f} s" + (f" of {duration:g} s" if duration else "")
    left = f", {max(0.0, duration - elapsed):.0f} s left" if duration else ""
    return (
        f"{timing}, {snapshot.get('requests', 0):,} requests, "
        f"{snapshot.get('failures', 0):,} failures, {snapshot.get('rps', 0.0):,.1f} req/s{left}"
    )


class ProgressPrinter:
    """Called with each new snapshot; `close()` ends a live line before the summary."""

    def __init__(self, mode: str = "auto", stream: TextIO | None = None, every_s: float = 5.0):
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "live" if self.stream.isatty() else "lines"
        if mode not in MODES:
            raise ValueError(f"unknown progress mode {mode!r}; one of {', '.join(MODES)}")
        self.mode = mode
        self.every_s = every_s
        self.printed_at: float | None = None
        self.live_line = False

    def __call__(self, snapshot: dict[str, Any]) -> None:
        line = f"posim load: {describe(snapshot)}"
        if self.mode == "live":
            self.stream.write(f"\r{line}\x1b[K")
            self.live_line = True
        elif self.mode == "lines":
            elapsed = snapshot.get("elapsed_s") or 0.0
            if self.printed_at is not None and elapsed - self.printed_at < self.every_s:
                return
            self.printed_at = elapsed
            self.stream.write(line + "\n")
        else:
            return
        self.stream.flush()

    def close(self) -> None:
        if self.live_line:
            self.stream.write("\n")
            self.stream.flush()
            self.live_line = False
