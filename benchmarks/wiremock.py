"""WireMock 3 serving static stubs of Gameball's balance and hold/release calls: the stub
server integrators hand-write today, measured with the same load generator and codec.

Runs only where Java and npm exist; the jar comes from the `wiremock` npm package.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from simulator.backends.processes import stop_process
from simulator.backends.server import free_port

CACHE = Path.home() / ".cache" / "posim" / "wiremock"
GB = "/api/v4.0/integrations"
MEMBER = "bench-member"
CREDENTIALS = '{"apiKey": "wm-key", "secretKey": "wm-secret"}'


def _jar() -> Path | None:
    found = sorted(CACHE.glob("node_modules/wiremock/build/wiremock-standalone-*.jar"))
    if found:
        return found[-1]
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--silent", "--prefix", str(CACHE), "wiremock@3"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    found = sorted(CACHE.glob("node_modules/wiremock/build/wiremock-standalone-*.jar"))
    return found[-1] if found else None


def _stubs(url: str) -> None:
    balance = {
        "totalPointsBalance": 10_000_000,
        "availablePointsBalance": 10_000_000,
        "pendingPoints": 0,
        "nextExpiringPointsAmount": 0,
    }
    hold = {
        "customerId": MEMBER,
        "holdAmount": 0.01,
        "holdEquivalentPoints": 1,
        "holdReference": "static-hold",
    }
    mappings = [
        {
            "request": {"method": "GET", "url": f"{GB}/customers/{MEMBER}/balance"},
            "response": {"status": 200, "jsonBody": balance},
        },
        {
            "request": {"method": "POST", "url": f"{GB}/transactions/hold"},
            "response": {"status": 200, "jsonBody": hold},
        },
        {
            "request": {"method": "DELETE", "url": f"{GB}/transactions/hold/static-hold"},
            "response": {"status": 200, "jsonBody": {"success": True}},
        },
    ]
    for mapping in mappings:
        httpx.post(f"{url}/__admin/mappings", json=mapping).raise_for_status()


WARM_SECONDS = 15.0


def run(seconds: float) -> list[dict]:
    from .http_bench import load

    if not (shutil.which("java") and shutil.which("npm")):
        return [{"target": "wiremock", "call": "skipped: java or npm not found"}]
    try:
        jar = _jar()
    except (subprocess.SubprocessError, OSError) as exc:
        return [{"target": "wiremock", "call": f"skipped: npm install failed ({exc})"}]
    if jar is None:
        return [{"target": "wiremock", "call": "skipped: no jar in the npm package"}]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            "java",
            "-jar",
            str(jar),
            "--port",
            str(port),
            "--bind-address",
            "127.0.0.1",
            "--no-request-journal",
            "--disable-banner",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/__admin/mappings", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    return [{"target": "wiremock", "call": "skipped: WireMock did not start"}]
                time.sleep(0.3)
        _stubs(url)
        kw: dict[str, Any] = {"dialect": "gameball", "credentials": CREDENTIALS, "member": MEMBER}
        load(url, "hold_release", WARM_SECONDS, **kw)  # the JVM's JIT warms up first
        rows = []
        for flow in ("balance", "hold_release"):
            figures = load(url, flow, seconds, pid=proc.pid, **kw)
            rows.append(
                {
                    "target": f"wiremock {jar.stem.split('-')[-1]}",
                    "call": f"gameball {flow} (static stubs)",
                    **figures,
                }
            )
        return rows
    finally:
        stop_process(proc)
