"""`python -m benchmarks [engine|http ...]`: measure, print, and record figures in BENCHMARKS.md."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from .machine import describe

BENCH_FILE = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
ENGINE_TARGET = 20_000
SCENARIO_TARGET = 100


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
        "share the machine's 2 cores. Two ceilings from the same run: a bare ASGI endpoint "
        "answered before any framework code (what server and load generator can do at all), "
        "and a trivial FastAPI route through the same middleware (what the framework allows). "
        "hold_release counts both requests of the pair. Server CPU us/req is the server "
        "process's CPU time (from /proc, warm-up included) over the requests it served: the "
        "figure that holds still when the machine is shared. WireMock is warmed for 15 s first."
    )
    record("http-bench", "HTTP (`make bench`)", note + "\n\n" + http_bench.table(rows))


def scenarios() -> None:
    from . import scenario_bench

    figures = scenario_bench.run()
    rate = figures["scenarios per second, after the first"]
    verdict = "meets" if rate >= SCENARIO_TARGET else "MISSES"
    rows = ["| figure | value |", "|---|---:|"]
    rows += [
        f"| {k} | {v:,.1f} |" if isinstance(v, float) else f"| {k} | {v} |"
        for k, v in figures.items()
    ]
    note = (
        "Every feature over all three dialects, in-process (ASGI, no sockets), a fresh tenant "
        "and an audit per scenario, under pytest-bdd. The first scenario pays the app's "
        f"one-off warm-up. {verdict.capitalize()} the {SCENARIO_TARGET} scenarios/s target "
        "(steady state)."
    )
    record("scenario-bench", "Scenarios (`make bench`)", note + "\n\n" + "\n".join(rows))


def _rows(figures: dict) -> list[str]:
    rows = ["| figure | value |", "|---|---:|"]
    for name, value in figures.items():
        if isinstance(value, float):
            shown = f"{value:+.1%}" if "target" in name and "ratio" not in name else f"{value:,.2f}"
        else:
            shown = f"{value:,}"
        rows.append(f"| {name} | {shown} |")
    return rows


def scale() -> None:
    from . import scale_bench

    parts = [
        ("A hold on a member's whole history (engine, CPU time)", scale_bench.hold_vs_lots()),
        ("Many tenants (whole app in-process, CPU time)", scale_bench.many_tenants()),
        ("Snapshots beside live traffic (`posim serve`)", scale_bench.snapshot_beside_traffic()),
        ("Memory under a soak (`posim serve`, server RSS)", scale_bench.soak()),
        ("Direct scenario runner (all features, all dialects)", scale_bench.direct_scenarios()),
    ]
    body = "\n\n".join(f"{title}:\n\n" + "\n".join(_rows(figs)) for title, figs in parts)
    record("scale-bench", "Scale, memory and the direct runner (`make bench`)", body)


def load() -> None:
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "loadtests.bench", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    from loadtests.bench import table

    rows = json.loads(out.stdout[out.stdout.index("[") :])
    note = (
        "Locust (FastHttpUser, 50 users, 8 s per row) running the race profile against "
        "`posim serve` on the same 2 cores, beside GET /_posim/ping measured the same way "
        "(the ceiling), in one Locust process and with a master and 2 workers. The oracle "
        "judged every row."
    )
    record("load-bench", "Race profile under Locust (`make bench`)", note + "\n\n" + table(rows))


def inspector() -> None:
    from . import inspector_bench

    figures = inspector_bench.run()
    ratio = figures["req/s with the page open vs without"]
    verdict = "within" if ratio >= 0.95 else "OUTSIDE"
    rows = ["| figure | value |", "|---|---:|"]
    rows += [f"| {k} | {v:,.2f} |" for k, v in figures.items()]
    note = (
        "Gameball hold/release on `posim serve` (50 connections), alternating runs without "
        "and with one inspector page open on the same tenant (its live stream, and a members "
        f"read per pushed batch); medians of {inspector_bench.ROUNDS}. The page open is "
        f"{verdict} 5% of the closed figure."
    )
    record("inspector-bench", "Inspector cost (`make bench`)", note + "\n\n" + "\n".join(rows))


SUITES = {
    "engine": engine,
    "scenarios": scenarios,
    "scale": scale,
    "http": http,
    "load": load,
    "inspector": inspector,
}


def main(argv: list[str]) -> int:
    names = argv or list(SUITES)
    for name in names:
        SUITES[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
