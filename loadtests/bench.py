"""Load figures for BENCHMARKS.md: the race profile's hot path beside a trivial endpoint.

`run()` starts one `posim serve` on 127.0.0.1 and, in each mode (one Locust process, then
a master with 2 workers), measures GET /_posim/ping (the ceiling: the same server, the same
load generator) and the race profile of every dialect whose codec is available. Each row:
dialect, mode, req/s, p50, p99 and the ratio to that mode's ceiling.

    python -m loadtests.bench [--seconds 8] [--users 50]
"""

from __future__ import annotations

import argparse
import json

from simulator.backends.server import ServerProcess
from simulator.protocol import DIALECTS

from . import runner

MODES = (("one process", 0), ("--workers 2", 2))


def _measure(target: str, profile: str, dialect: str, workers: int, seconds: float, users: int):
    options = runner.LoadOptions(
        profile=profile,
        dialect=dialect,
        users=users,
        duration=seconds,
        target=target,
        workers=workers,
        max_fail_ratio=1.0,  # figures, not a gate; the oracle still judges
    )
    outcome = runner.run(options)
    if outcome.result is None:
        where = f"{profile} on {dialect} ({workers} workers)"
        raise RuntimeError(f"{where} failed:\n{outcome.log_tail}")
    return outcome


def run(seconds: float = 8.0, users: int = 50) -> list[dict]:
    rows: list[dict] = []
    dialects = list(DIALECTS)
    with ServerProcess() as server:
        for mode, workers in MODES:
            ping = _measure(server.url, "ping", "gameball", workers, seconds, users).result
            ceiling = ping["total"]["rps"] or 1.0
            rows.append(_row("(ceiling)", mode, "GET /_posim/ping", ping, ceiling, "-"))
            for dialect in dialects:
                outcome = _measure(server.url, "race", dialect, workers, seconds, users)
                verdict = "ok" if outcome.result["oracle"]["ok"] else "VIOLATIONS"
                rows.append(_row(dialect, mode, "race", outcome.result, ceiling, verdict))
    return rows


def _row(dialect: str, mode: str, call: str, result: dict, ceiling: float, oracle: str):
    total = result["total"]
    return {
        "dialect": dialect,
        "mode": mode,
        "call": call,
        "users": result["users"],
        "requests": total["requests"],
        "failures": total["failures"],
        "rps": total["rps"],
        "p50_ms": total["p50_ms"],
        "p99_ms": total["p99_ms"],
        "ratio": total["rps"] / ceiling,
        "oracle": oracle,
    }


def table(rows: list[dict]) -> str:
    out = [
        "| dialect | mode | call | req/s | p50 ms | p99 ms | ratio to ceiling | oracle |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['dialect']} | {r['mode']} | {r['call']} | {r['rps']:,.0f} | {r['p50_ms']} | "
            f"{r['p99_ms']} | {r['ratio']:.0%} | {r['oracle']} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtests.bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="rows as JSON")
    args = parser.parse_args()
    rows = run(args.seconds, args.users)
    print(json.dumps(rows, indent=1) if args.json else table(rows))


if __name__ == "__main__":
    main()
