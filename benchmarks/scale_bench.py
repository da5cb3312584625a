"""Costs that must not grow with history or with the number of tenants, snapshots beside live
traffic, memory under a long soak, and the direct scenario runner.

Each figure is a ratio or a resource count measured in one run, so the noise of a shared
machine mostly cancels: CPU time (not wall time) where one process does the work.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from reference_backend.app import create_app
from reference_backend.engine import Clock, Engine, ProgramConfig
from reference_backend.engine import snapshot as snapshots
from reference_backend.settings import Settings
from simulator.backends.server import ServerProcess
from simulator.protocol import DIALECTS
from simulator.runner.direct import DirectRunner
from simulator.runner.same_thread import SameThreadClient

from . import proc
from .http_bench import MEMBER, load, prepared_tenant, server_pid

FEATURES = Path(__file__).resolve().parent.parent / "features"


def _cpu_per(fn, n: int) -> float:
    """CPU microseconds per call of fn(i), after a short warm-up."""
    for i in range(min(200, n)):
        fn(i)
    start = time.process_time()
    for i in range(n):
        fn(i)
    return (time.process_time() - start) * 1e6 / n


def hold_vs_lots(lots: int = 10_000, n: int = 3_000) -> dict[str, float]:
    figures = {}
    for count in (1, lots):
        engine = Engine(ProgramConfig(), Clock())
        engine.upsert_member("m")
        for _ in range(count):
            engine.earn("m", 1_000)

        def pair(_i: int, engine=engine) -> None:
            engine.release_hold(engine.create_hold("m", points=10).value.hold_id)

        figures[count] = _cpu_per(pair, n)
    return {
        "hold+release, member with 1 lot (CPU us)": figures[1],
        f"hold+release, member with {lots:,} lots (CPU us)": figures[lots],
        "ratio (target <= 2x)": figures[lots] / figures[1],
    }


def many_tenants(tenants: int = 10_000, n: int = 3_000) -> dict[str, float]:
    """A Gameball balance call through the whole app, in-process, with 1 and 10k tenants."""
    app = create_app(Settings(running_clock=False, demo_tenant=False))
    client = SameThreadClient(app)
    try:
        registry = app.state.registry
        tenant = registry.create("bench")
        tenant.set_rate_limits(False)
        creds = tenant.credentials["gameball"]
        tenant.engine.upsert_member("m")
        headers = {"APIKey": creds["apiKey"], "SecretKey": creds["secretKey"]}
        path = "/api/v4.0/integrations/customers/m/balance"

        def call(_i: int) -> None:
            client.request("GET", path, headers=headers)

        # both readings start from a collected heap: creating 10k tenants leaves the cyclic
        # GC one full pass over them pending, a one-off cost of the set-up (about as long as
        # a thousand calls) that would otherwise land inside the measured window
        gc.collect()
        one = _cpu_per(call, n)
        for i in range(tenants - 1):
            registry.create(f"t{i}")
        gc.collect()
        many = _cpu_per(call, n)
    finally:
        client.close()
    return {
        "balance, 1 tenant (CPU us/request)": one,
        f"balance, {tenants:,} tenants (CPU us/request)": many,
        "extra cost (target < 5%)": many / one - 1,
    }


def _big_snapshot(members: int) -> dict:
    engine = Engine(ProgramConfig(), Clock())
    for i in range(members):
        engine.upsert_member(f"s{i}")
        engine.earn(f"s{i}", 100 + i % 50)
    document = snapshots.dump(engine.state)
    document["dialect_data"] = snapshots.encode({})
    return document


def snapshot_beside_traffic(members: int = 20_000, seconds: float = 8.0) -> dict[str, float]:
    """Other tenants' p99 with and without a big tenant being snapshotted in a loop."""
    with ServerProcess() as server:
        url = server.url
        big = httpx.post(f"{url}/_posim/tenants", json={"tenant": "big"}).json()["tenant"]
        restored = httpx.post(
            f"{url}/_posim/tenants/{big}/restore", json=_big_snapshot(members), timeout=300
        )
        restored.raise_for_status()
        _tenant, creds = prepared_tenant(url, "gameball")
        kw: dict[str, Any] = {
            "dialect": "gameball",
            "credentials": json.dumps(creds),
            "member": MEMBER,
        }
        quiet = load(url, "balance", seconds, **kw)
        stop, sizes, took = threading.Event(), [], []

        def snapshots_in_a_loop() -> None:
            with httpx.Client(timeout=300) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    sizes.append(len(client.get(f"{url}/_posim/tenants/{big}/snapshot").content))
                    took.append(time.perf_counter() - started)

        worker = threading.Thread(target=snapshots_in_a_loop)
        worker.start()
        try:
            busy = load(url, "balance", seconds, **kw)
        finally:
            stop.set()
            worker.join()
    return {
        "other tenants' p99, no snapshot (ms)": quiet["p99_ms"],
        f"other tenants' p99, {members:,}-member snapshots in a loop (ms)": busy["p99_ms"],
        "snapshots taken meanwhile": len(took),
        "seconds per snapshot": sum(took) / len(took) if took else 0.0,
        "snapshot size (MB)": sizes[-1] / 1e6 if sizes else 0.0,
    }


def soak(first: int = 100_000, total: int = 400_000, budget_s: float = 240.0) -> dict[str, float]:
    """Server RSS after `first` and after `total` hold/release requests (or the time budget)."""
    with ServerProcess() as server:
        url, pid = server.url, server_pid(server)
        _tenant, creds = prepared_tenant(url, "gameball")
        kw: dict[str, Any] = {
            "dialect": "gameball",
            "credentials": json.dumps(creds),
            "member": MEMBER,
        }
        done, at_first, deadline = 0, 0.0, time.monotonic() + budget_s
        while done < total and time.monotonic() < deadline:
            figures = load(url, "hold_release", 10.0, **kw)
            done += figures["requests"] + figures["warm_requests"]
            if not at_first and done >= first:
                at_first, first = proc.rss_mb(pid), done
        last = proc.rss_mb(pid)
    return {
        "requests at the first reading": first,
        "RSS at the first reading (MB)": at_first,
        "requests at the end": done,
        "RSS at the end (MB)": last,
        "growth (target within +/-10%)": last / at_first - 1 if at_first else 0.0,
    }


def direct_scenarios() -> dict[str, float]:
    app = create_app(Settings(running_clock=False, check_invariants=True, demo_tenant=False))
    runner = DirectRunner(app, FEATURES, list(DIALECTS))
    runner.run()  # warm-up: imports, route compilation
    cpu = time.process_time()
    outcomes, wall = runner.run()
    cpu = time.process_time() - cpu
    passed = sum(1 for o in outcomes if o.status == "passed")
    failed = sum(1 for o in outcomes if o.status == "failed")
    return {
        "scenarios passed": passed,
        "scenarios failed": failed,
        "not applicable": sum(1 for o in outcomes if o.status == "not_applicable"),
        "scenarios per wall-clock second": passed / wall,
        "scenarios per CPU second": passed / cpu,
    }
