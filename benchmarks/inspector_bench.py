"""The inspector's cost on the hot path: Gameball hold/release with and without one
inspector page open on the same tenant (its live stream plus the reads the page makes on
each update), alternating runs, medians. Server CPU per request comes from /proc."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from typing import Any

import httpx

from simulator.backends.server import ServerProcess

from .http_bench import MEMBER, load, prepared_tenant

ROUNDS = 3


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Page:
    """What one open inspector page does: hold the stream open, re-read the journal, the
    members and the checklist whenever rows arrive (the page does that at most per batch)."""

    def __init__(self, url: str, tenant: str) -> None:
        self.base = f"{url}/_posim/ui/api/tenants/{tenant}"
        self.stop = threading.Event()
        self.reads = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with (
            httpx.Client(timeout=30) as client,
            client.stream("GET", self.base + "/stream") as stream,
        ):
            for line in stream.iter_lines():
                if self.stop.is_set():
                    return
                if line.startswith("event: journal"):
                    client.get(self.base + "/members")
                    self.reads += 1

    def __enter__(self) -> _Page:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def _measure(server: ServerProcess, kw: dict, seconds: float) -> dict:
    pid = server.proc.pid  # type: ignore[union-attr]
    before = _cpu_seconds(pid)
    figures = load(server.url, "hold_release", seconds, **kw)
    spent = _cpu_seconds(pid) - before
    figures["cpu_us"] = spent / max(1, figures["requests"]) * 1e6
    return figures


def run(seconds: float = 5.0) -> dict[str, float]:
    closed: list[dict] = []
    opened: list[dict] = []
    with ServerProcess() as server:
        tenant, creds = prepared_tenant(server.url, "gameball")
        kw: dict[str, Any] = {
            "dialect": "gameball",
            "credentials": json.dumps(creds),
            "member": MEMBER,
        }
        load(server.url, "hold_release", 2.0, **kw)  # warm-up
        for _ in range(ROUNDS):
            closed.append(_measure(server, kw, seconds))
            with _Page(server.url, tenant):
                time.sleep(0.5)
                opened.append(_measure(server, kw, seconds))

    def median(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    out = {}
    for label, rows in (("no inspector", closed), ("one inspector page open", opened)):
        out[f"{label}: req/s"] = median(rows, "rps")
        out[f"{label}: p99 ms"] = median(rows, "p99_ms")
        out[f"{label}: server CPU us/request"] = median(rows, "cpu_us")
    out["req/s with the page open vs without"] = (
        out["one inspector page open: req/s"] / out["no inspector: req/s"]
    )
    return out
