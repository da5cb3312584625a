"""HTTP figures: each dialect's hot path on `posim serve` (uvicorn, 1 worker, 50 connections),
beside a trivial endpoint on the same server (the ceiling), and WireMock's static stubs of
the same calls where Java and npm are available.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx

from simulator.backends import SCENARIO_PROGRAM
from simulator.backends.server import ServerProcess
from simulator.gateway import LoyaltyGateway
from simulator.protocol import DIALECTS, codec_for
from simulator.transports import HttpTransport

from . import proc, wiremock

MEMBER = "bench-member"


def load(
    url: str, flow: str, seconds: float, connections: int = 50, pid: int | None = None, **kw: str
) -> dict:
    """One httpload run; with the server's `pid`, its CPU microseconds per request too."""
    before = proc.cpu_seconds(pid) if pid else 0.0
    figures = _load(url, flow, seconds, connections, **kw)
    if pid:
        served = figures["requests"] + figures.get("warm_requests", 0)
        figures["cpu_us"] = (proc.cpu_seconds(pid) - before) * 1e6 / max(1, served)
    return figures


def _load(url: str, flow: str, seconds: float, connections: int = 50, **kw: str) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.httpload",
        url,
        flow,
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
    ]
    for key, value in kw.items():
        cmd += [f"--{key}", value]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepared_tenant(url: str, dialect: str) -> tuple[str, dict]:
    """A fresh tenant with rate limits off and one rich member: (tenant id, credentials)."""
    created = httpx.post(f"{url}/_posim/tenants", json={"config": SCENARIO_PROGRAM}).json()
    httpx.put(f"{url}/_posim/tenants/{created['tenant']}/rate-limits", json={"enabled": False})
    creds = created["credentials"][dialect]
    gateway = LoyaltyGateway(codec_for(dialect, creds), HttpTransport(url))
    gateway.enroll(MEMBER, mobile="+201000000000", email="bench@example.com")
    gateway.earn_points(MEMBER, 10_000_000, "bench-seed")
    return created["tenant"], creds


def server_pid(server: ServerProcess) -> int:
    """The started server's process id (a ServerProcess inside its `with` has started)."""
    if server.proc is None:
        raise RuntimeError("the server process is not running")
    return server.proc.pid


def run(seconds: float = 8.0) -> list[dict]:
    rows: list[dict] = []
    with ServerProcess() as server:
        pid = server_pid(server)
        bare = load(server.url, "ping", seconds, pid=pid)
        rows.append({"target": "posim", "call": "bare ASGI GET /_posim/ping", **bare})
        framework = load(server.url, "health", seconds, pid=pid)
        framework["vs_bare"] = framework["rps"] / bare["rps"]
        rows.append({"target": "posim", "call": "FastAPI GET /_posim/health", **framework})
        for dialect in DIALECTS:
            try:
                _tenant, creds = prepared_tenant(server.url, dialect)
            except Exception as exc:  # a dialect that cannot be prepared is reported, not fatal
                rows.append({"target": "posim", "call": f"{dialect}: skipped ({exc})"})
                continue
            kw: dict[str, Any] = {
                "dialect": dialect,
                "credentials": json.dumps(creds),
                "member": MEMBER,
            }
            for flow in ("balance", "hold_release"):
                figures = load(server.url, flow, seconds, pid=pid, **kw)
                figures["cpu_vs_bare"] = figures["cpu_us"] / bare["cpu_us"]
                figures["ratio"] = figures["rps"] / framework["rps"]
                figures["vs_bare"] = figures["rps"] / bare["rps"]
                rows.append({"target": "posim", "call": f"{dialect} {flow}", **figures})
    rows.extend(wiremock.run(seconds))
    return rows


def table(rows: list[dict]) -> str:
    out = [
        "| target | call | server CPU us/req | vs ping CPU | req/s | p50 ms | p99 ms "
        "| vs FastAPI route | vs bare ASGI | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "rps" not in r:
            out.append(f"| {r['target']} | {r['call']} | | | | | | | | |")
            continue
        ratio = f"{r['ratio']:.0%}" if "ratio" in r else ""
        bare = f"{r['vs_bare']:.0%}" if "vs_bare" in r else ""
        cpu = f"{r['cpu_us']:,.0f}" if "cpu_us" in r else ""
        cpu_ratio = f"{r['cpu_vs_bare']:.1f}x" if "cpu_vs_bare" in r else ""
        out.append(
            f"| {r['target']} | {r['call']} | {cpu} | {cpu_ratio} | {r['rps']:,.0f} | "
            f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {ratio} | {bare} | {r['errors']} |"
        )
    return "\n".join(out)
