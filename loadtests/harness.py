"""Locust wiring shared by every profile: options, records, the stop, the oracle, the verdict.

Importing this module registers Locust event listeners, so import it only from a locustfile.

- Options: `--posim-plan` (a plan file or its JSON; without one the plan is prepared from
  `--host` and `--posim-dialect`), `--posim-result` (write the run's result as JSON),
  `--posim-max-fail-ratio`, `--posim-max-p95-ms`, `--posim-max-p99-ms`.
- `-t/--run-time` is taken over: after it, the master (or the single process) stops the
  users gracefully and, in distributed mode, waits until every worker has stopped. Workers
  send their records to the master in batches (custom message `posim_records`); the last
  batch goes before the worker reports it has stopped, so the master has every record when
  its `test_stop` fires. Then the oracle runs, then Locust quits.
- The `quitting` hook sets the exit code: 0 pass, 2 a threshold breached (or user
  exceptions, or no requests), 3 the oracle found violations.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant, events
from locust.runners import MasterRunner, WorkerRunner

from . import oracle
from .lane import Lane
from .plan import Knobs, Plan, prepare

log = logging.getLogger("posim.load")
logging.getLogger("httpx").setLevel(logging.WARNING)  # the oracle's reads are not news
BATCH = 2000  # records per message from a worker
EXIT_THRESHOLDS, EXIT_ORACLE = 2, 3


@dataclass
class _State:
    plan: Plan | None = None
    worker: bool = False
    node: str = "local"
    records: list[dict] = field(default_factory=list)
    buffer: list[dict] = field(default_factory=list)  # a worker's records not yet sent
    nodes: set[str] = field(default_factory=set)
    finals: set[str] = field(default_factory=set)
    duration: float | None = None
    stopper: Any = None
    flusher: Any = None
    progress: Any = None
    report: dict | None = None
    users: int = 0


STATE = _State()


def record(entry: dict[str, Any]) -> None:
    (STATE.buffer if STATE.worker else STATE.records).append(entry)


# -- options -----------------------------------------------------------------------------
@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    hidden = {"include_in_web_ui": False}
    parser.add_argument("--posim-plan", default="", help="plan file (or JSON) from prepare()")
    parser.add_argument("--posim-dialect", default="gameball", help="without a plan", **hidden)
    parser.add_argument("--posim-result", default="", help="write the result JSON here")
    parser.add_argument("--posim-progress", default="", help="rewrite live totals here (1/s)")
    parser.add_argument("--posim-max-fail-ratio", type=float, default=0.0, **hidden)
    parser.add_argument("--posim-max-p95-ms", type=float, default=0.0, help="0: no limit")
    parser.add_argument("--posim-max-p99-ms", type=float, default=0.0, help="0: no limit")


def _profile(environment) -> str:
    for cls in environment.user_classes:
        if getattr(cls, "profile", None):
            return cls.profile
    raise RuntimeError("the locustfile has no posim LaneUser")


@events.init.add_listener
def _init(environment, runner=None, **_kw) -> None:
    opts = environment.parsed_options
    if opts is None:  # a library use of Environment: the caller sets STATE.plan
        return
    if isinstance(runner, WorkerRunner):
        STATE.worker = True
        return
    text = opts.posim_plan
    if text and not text.lstrip().startswith("{"):
        text = Path(text).read_text()
    if not text:
        if not environment.host:
            raise RuntimeError("pass --posim-plan, or --host and --posim-dialect")
        plan = prepare(environment.host, opts.posim_dialect, _profile(environment), Knobs())
        text = plan.to_json()
    opts.posim_plan = text  # the master forwards its options: remote workers get the plan
    STATE.plan = Plan.from_json(text)
    if not environment.host:
        environment.host = STATE.plan.target
    if opts.run_time:  # our stop: graceful, waits for the workers' records, then the oracle
        STATE.duration, opts.run_time = float(opts.run_time), None
    if isinstance(runner, MasterRunner):
        runner.register_message("posim_records", _on_records)


def _on_records(environment, msg, **_kw) -> None:
    data = msg.data
    STATE.records.extend(data["records"])
    STATE.nodes.add(data["node"])
    if data.get("final"):
        STATE.finals.add(data["node"])


# -- start and stop -------------------------------------------------------------------
@events.test_start.add_listener
def _test_start(environment, **_kw) -> None:
    if STATE.worker:
        STATE.plan = Plan.from_json(environment.parsed_options.posim_plan)
        STATE.node = environment.runner.client_id
        if STATE.flusher is None:
            STATE.flusher = gevent.spawn(_flush_every, environment, 1.0)
        return
    if STATE.duration and STATE.stopper is None:
        STATE.stopper = gevent.spawn(_stop_after, environment, STATE.duration)
    path = getattr(environment.parsed_options, "posim_progress", "")
    if path and STATE.progress is None:
        STATE.progress = gevent.spawn(_progress_every, environment, Path(path), 1.0)


def _progress_every(environment, path: Path, seconds: float) -> None:
    """Live totals for `posim load` to show while it waits (written whole, then renamed)."""
    began = time.monotonic()
    while True:
        gevent.sleep(seconds)
        total = environment.runner.stats.total
        snapshot = {
            "elapsed_s": round(time.monotonic() - began, 1),
            "duration_s": STATE.duration,
            "requests": total.num_requests,
            "failures": total.num_failures,
            "rps": round(total.current_rps, 1),
            "users": environment.runner.user_count,
        }
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps(snapshot))
        os.replace(partial, path)


def _stop_after(environment, seconds: float) -> None:
    gevent.sleep(seconds)
    log.info("run time reached: stopping the users, then the oracle")
    runner = environment.runner
    runner.stop()  # the master waits here until every worker has stopped
    if STATE.report is None:
        _judge(environment)
    if isinstance(runner, MasterRunner):
        # stopped workers have left the master's list, so quit() would not reach them
        for node in sorted(STATE.nodes):
            runner.send_message("quit", None, node)
    runner.quit()


def _flush(environment, final: bool) -> None:
    batch, STATE.buffer = STATE.buffer, []
    chunks = [batch[i : i + BATCH] for i in range(0, len(batch), BATCH)] or [[]]
    for i, chunk in enumerate(chunks):
        last = final and i == len(chunks) - 1
        data = {"node": STATE.node, "records": chunk, "final": last}
        environment.runner.send_message("posim_records", data)


def _flush_every(environment, seconds: float) -> None:
    while True:
        gevent.sleep(seconds)
        if STATE.buffer:
            _flush(environment, final=False)


@events.test_stop.add_listener
def _test_stop(environment, **_kw) -> None:
    if STATE.worker:
        if STATE.flusher is not None:
            STATE.flusher.kill(block=False)
            STATE.flusher = None
        _flush(environment, final=True)
        send_stats = getattr(environment.runner, "_send_stats", None)
        if send_stats is not None:  # the master's totals include our last seconds
            send_stats()
        return
    if STATE.report is None and STATE.plan is not None:
        _judge(environment)


def _judge(environment) -> None:
    plan = STATE.plan
    if plan is None or plan.profile == "ping":
        STATE.report = {"ok": True, "skipped": "no oracle for this profile", "violations": []}
        return
    missing = sorted(STATE.nodes - STATE.finals)
    try:
        finals, audit = oracle.observe(plan)
    except Exception as exc:  # noqa: BLE001 - cannot judge: that fails the run
        log.exception("the oracle could not read the final state")
        STATE.report = {
            "ok": False,
            "violation_count": 1,
            "violations": [{"check": "oracle", "detail": f"could not read final state: {exc}"}],
            "checks": {},
            "counts": {},
        }
        return
    STATE.report = oracle.evaluate(plan, STATE.records, finals, audit, missing)
    verdict = "no violations" if STATE.report["ok"] else "VIOLATIONS"
    log.info("oracle: %s (%d records)", verdict, len(STATE.records))
    for v in STATE.report["violations"]:
        log.error("oracle violation [%s] %s %s", v["check"], v.get("member", ""), v["detail"])


# -- the verdict ----------------------------------------------------------------------
def _entry(entry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "method": entry.method,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(entry.total_rps, 2),
        "avg_ms": round(entry.avg_response_time, 2),
        "p50_ms": entry.get_response_time_percentile(0.50),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
    }


def summary(environment) -> dict[str, Any]:
    """Throughput, latency, thresholds and the oracle's report, as one JSON-able dict."""
    opts = environment.parsed_options
    stats = environment.stats
    total = _entry(stats.total)
    total["fail_ratio"] = stats.total.fail_ratio
    breaches = []
    if total["requests"] == 0:
        breaches.append("no requests were made")
    if stats.total.fail_ratio > opts.posim_max_fail_ratio:
        breaches.append(
            f"failure ratio {stats.total.fail_ratio:.2%} > {opts.posim_max_fail_ratio:.2%}"
        )
    for pct, limit in ((95, opts.posim_max_p95_ms), (99, opts.posim_max_p99_ms)):
        value = total[f"p{pct}_ms"] or 0
        if limit and value > limit:
            breaches.append(f"p{pct} {value:.0f} ms > {limit:.0f} ms")
    exceptions = sum(e["count"] for e in environment.runner.exceptions.values())
    if exceptions:
        breaches.append(f"{exceptions} exceptions in users")
    report = STATE.report
    if report is None:  # stopped before the oracle could run: nothing was judged
        judged = STATE.plan is None or STATE.plan.profile == "ping"
        detail = "the run ended before the oracle ran"
        report = {
            "ok": judged,
            "violations": [] if judged else [{"check": "oracle", "detail": detail}],
        }
    code = 0
    if breaches:
        code = EXIT_THRESHOLDS
    if not report.get("ok", True):
        code = EXIT_ORACLE
    plan = STATE.plan
    failures = [
        {"name": e.name, "method": e.method, "error": e.error, "occurrences": e.occurrences}
        for e in list(stats.errors.values())[:20]
    ]
    return {
        "profile": plan.profile if plan else None,
        "dialect": plan.dialect if plan else None,
        "target": plan.target if plan else environment.host,
        "tenant": plan.tenant if plan else None,
        "users": opts.num_users,
        "duration_s": STATE.duration,
        "workers": len(STATE.nodes) if isinstance(environment.runner, MasterRunner) else 0,
        "total": total,
        "operations": [_entry(e) for e in sorted(stats.entries.values(), key=lambda e: e.name)],
        "failures": failures,
        "thresholds": {
            "max_fail_ratio": opts.posim_max_fail_ratio,
            "max_p95_ms": opts.posim_max_p95_ms,
            "max_p99_ms": opts.posim_max_p99_ms,
            "breaches": breaches,
        },
        "oracle": report,
        "verdict": "pass" if code == 0 else "fail",
        "exit_code": code,
    }


@events.quitting.add_listener
def _quitting(environment, **_kw) -> None:
    if STATE.worker or environment.parsed_options is None:
        return
    if STATE.report is None and STATE.plan is not None and not STATE.nodes:
        _judge(environment)  # a local run stopped some other way: the records are complete
    result = summary(environment)
    environment.process_exit_code = result["exit_code"]
    total = result["total"]
    log.info(
        "verdict %s: %.1f req/s, p50 %s ms, p99 %s ms, %d failures, %d oracle violations",
        result["verdict"],
        total["rps"],
        total["p50_ms"],
        total["p99_ms"],
        total["failures"],
        result["oracle"].get("violation_count", 0),
    )
    for breach in result["thresholds"]["breaches"]:
        log.error("threshold breached: %s", breach)
    path = environment.parsed_options.posim_result
    if path:
        Path(path).write_text(json.dumps(result, indent=1, default=str))


# -- the user base class ----------------------------------------------------------------
class LaneUser(FastHttpUser):
    """One POS lane. Profiles subclass it, set `profile` and write `iteration()`."""

    abstract = True
    profile = ""
    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        plan = STATE.plan
        if plan is None:
            raise RuntimeError("no plan: the harness was not initialised")
        STATE.users += 1
        index = getattr(self.environment.runner, "worker_index", 0)
        tag = f"w{index}u{STATE.users}" if STATE.worker else f"u{STATE.users}"
        seed = zlib.crc32(f"{plan.knobs.seed}-{plan.run_id}-{tag}".encode())
        self.rng = random.Random(seed)
        self.lane = Lane(self.client, plan, record, tag, self.rng)
        self.plan = plan
        self.members = list(plan.members)
