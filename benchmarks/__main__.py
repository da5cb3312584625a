"""`python -m benchmarks`: measure, print, and record the figures in BENCHMARKS.md."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from . import engine_bench
from .machine import describe

BENCH_FILE = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
START, END = "<!-- engine-bench:start -->", "<!-- engine-bench:end -->"
TARGET = 20_000


def _table(figures: dict[str, float]) -> str:
    rows = ["| operation | rate |", "|---|---:|"]
    rows += [f"| {name} | {value:,.0f} |" for name, value in figures.items()]
    return "\n".join(rows)


def main() -> int:
    figures = engine_bench.run()
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    machine = describe()
    mix = figures["hold/capture/release mix (ops/s)"]
    verdict = "meets" if mix >= TARGET else "MISSES"
    block = "\n".join(
        [
            START,
            f"Measured {when} on: {machine}. One process, one core, no HTTP.",
            "",
            _table(figures),
            "",
            f"The hold/capture/release mix {verdict} the {TARGET:,} ops/s target.",
            END,
        ]
    )
    print(block)
    text = BENCH_FILE.read_text() if BENCH_FILE.exists() else "# Benchmarks\n"
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Engine (`make bench`)\n\n" + block + "\n"
    BENCH_FILE.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
