"""`python -m benchmarks [engine|http ...]`: measure, print, and record figures in BENCHMARKS.md."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from .machine import describe

BENCH_FILE = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
ENGINE_TARGET = 20_000


def record(section: str, title: str, body: str) -> None:
    """Replace (or append) one generated section of BENCHMARKS.md, keeping the rest."""
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    block = f"{start}\nMeasured {when} on: {describe()}.\n\n{body}\n{end}"
    print(f"\n## {title}\n\n{block}\n")
    text = BENCH_FILE.read_text() if BENCH_FILE.exists() else "# Benchmarks\n"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n## {title}\n\n{block}\n"
    BENCH_FILE.write_text(text)


def engine() -> None:
    from . import engine_bench

    figures = engine_bench.run()
    rows = ["| operation | rate |", "|---|---:|"]
    rows += [f"| {name} | {value:,.0f} |" for name, value in figures.items()]
    mix = figures["hold/capture/release mix (ops/s)"]
    verdict = "meets" if mix >= ENGINE_TARGET else "MISSES"
    note = f"One process, one core, no HTTP. The mix {verdict} the {ENGINE_TARGET:,} ops/s target."
    record("engine-bench", "Engine (`make bench`)", note + "\n\n" + "\n".join(rows))


def http() -> None:
    from . import http_bench

    rows = http_bench.run()
    note = (
        "`posim serve` (uvicorn, uvloop + httptools, 1 worker) and the load generator "
        "(`benchmarks/httpload.py`, 50 keep-alive connections, 8 s per call after a warm-up) "
        "share the machine. Ratio = req/s over the trivial endpoint's req/s in the same run."
    )
    record("http-bench", "HTTP (`make bench`)", note + "\n\n" + http_bench.table(rows))


SUITES = {"engine": engine, "http": http}


def main(argv: list[str]) -> int:
    names = argv or list(SUITES)
    for name in names:
        SUITES[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
