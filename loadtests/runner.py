"""Run one load profile end to end, in ordinary Python (Locust runs in child processes).

    result = run(LoadOptions(profile="race", dialect="gameball", users=20, duration=10))

With no target it starts `posim serve` on 127.0.0.1 and stops it after. It prepares the
plan (tenant, members, points), starts Locust (one process, or a master bound to
127.0.0.1 plus N local workers), waits for it to stop by itself (every child is bounded
by a timeout and stopped by its PID), then reads the result the Locust process wrote:
throughput, latency, thresholds, the oracle's report and the exit code.

Exit codes: 0 pass, 2 a threshold breached, 3 oracle violations, 4 the run did not finish
in time, 1 Locust failed before judging.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.backends.processes import stop_process
from simulator.backends.server import ServerProcess, free_port
from simulator.transports import HttpTransport

from .plan import Knobs, Plan, prepare

LOCUSTFILES = Path(__file__).resolve().parent / "locustfiles"
ROOT = Path(__file__).resolve().parent.parent
EXIT_TIMEOUT, EXIT_CRASHED, EXIT_INTERRUPTED = 4, 1, 130
SETUP_GRACE_S = 90.0  # workers connecting, the oracle reading balances, the reports


@dataclass
class LoadOptions:
    profile: str = "race"
    dialect: str = "gameball"
    users: int = 20
    spawn_rate: float = 20.0
    duration: float = 10.0  # seconds
    target: str | None = None  # None: start `posim serve` on 127.0.0.1
    credentials: dict[str, str] | None = None  # a non-posim target's credentials
    workers: int = 0  # local Locust workers (0: one process)
    remote_workers: int = 0  # more workers the master waits for, started on other machines
    master_bind_host: str = "127.0.0.1"
    master_port: int | None = None
    html: str | None = None
    csv: str | None = None
    max_fail_ratio: float = 0.0
    max_p95_ms: float = 0.0  # 0: no limit
    max_p99_ms: float = 0.0
    stop_timeout: float = 3.0  # users finish the checkout they are in
    knobs: Knobs = field(default_factory=Knobs)
    keep_tenant: bool = False
    stream_output: bool = False  # Locust's own log on this terminal
    workdir: str | None = None  # plan, result and logs (a temporary folder by default)
    progress: Callable[[dict[str, Any]], None] | None = None  # live totals, about 1/s


@dataclass
class RunResult:
    exit_code: int
    result: dict[str, Any] | None
    workdir: str
    log_tail: str = ""
    started_server: bool = False
    pids: list[int] = field(default_factory=list)  # the Locust processes (all stopped)
    seconds: float = 0.0  # wall time, preparation included
    interrupted: bool = False  # Ctrl-C: the result, if any, is partial
    last_progress: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def locustfile(profile: str) -> Path:
    path = LOCUSTFILES / f"{profile}.py"
    if not path.exists():
        known = sorted(p.stem for p in LOCUSTFILES.glob("*.py") if not p.stem.startswith("_"))
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(known)}")
    return path


def _env() -> dict[str, str]:
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONUNBUFFERED": "1"}


def locust_args(
    options: LoadOptions, plan_path: Path, result_path: Path, target: str, progress: Path
):
    """The master's (or single process's) command line."""
    args = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile(options.profile)),
        "--headless",
        "--only-summary",
        "-u",
        str(options.users),
        "-r",
        str(options.spawn_rate),
        "-t",
        f"{options.duration:g}s",
        "--host",
        target,
        "--stop-timeout",
        f"{options.stop_timeout:g}",
        "--posim-plan",
        str(plan_path),
        "--posim-result",
        str(result_path),
        "--posim-progress",
        str(progress),
        "--posim-max-fail-ratio",
        str(options.max_fail_ratio),
        "--posim-max-p95-ms",
        str(options.max_p95_ms),
        "--posim-max-p99-ms",
        str(options.max_p99_ms),
    ]
    if options.html:
        args += ["--html", options.html]
    if options.csv:
        args += ["--csv", options.csv]
    return args


def run(options: LoadOptions) -> RunResult:
    began = time.monotonic()
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="posim-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    locustfile(options.profile)  # fail early on a bad name
    server = None
    procs: list[subprocess.Popen] = []
    logs: list[Path] = []
    plan: Plan | None = None
    interrupted = False
    try:
        target = options.target
        if target is None:
            server = ServerProcess().start()
            target = server.url
        plan = prepare(target, options.dialect, options.profile, options.knobs, options.credentials)
        plan_path, result_path = workdir / "plan.json", workdir / "result.json"
        plan_path.write_text(plan.to_json())
        result_path.unlink(missing_ok=True)
        progress_path = workdir / "progress.json"
        args = locust_args(options, plan_path, result_path, target, progress_path)
        expected_workers = options.workers + options.remote_workers
        port = options.master_port or free_port()
        if expected_workers:
            args += [
                "--master",
                "--master-bind-host",
                options.master_bind_host,
                "--master-bind-port",
                str(port),
                "--expect-workers",
                str(expected_workers),
                "--expect-workers-max-wait",
                "60",
            ]
        procs.append(_spawn(args, workdir / "master.log", options.stream_output, logs))
        for i in range(options.workers):
            worker = [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(locustfile(options.profile)),
                "--worker",
                "--master-host",
                "127.0.0.1",
                "--master-port",
                str(port),
            ]
            procs.append(_spawn(worker, workdir / f"worker{i + 1}.log", False, logs))
        deadline = options.duration + options.stop_timeout + SETUP_GRACE_S
        try:
            code, last = _wait(procs[0], deadline, progress_path, options.progress)
        except KeyboardInterrupt:  # Ctrl-C: Locust stops its users and writes what it has
            interrupted = True
            code, last = EXIT_INTERRUPTED, _read_progress(progress_path)
            for proc in procs:
                # Locust got SIGINT with us (same terminal); if it did not stop, SIGTERM
                # (Locust's graceful stop) still lets it write the partial result
                stop_process(proc, let_exit_s=2.0, grace_s=options.stop_timeout + 10.0)
        for proc in procs[1:]:  # the master told its workers to quit; they may be sleeping
            stop_process(proc, let_exit_s=options.stop_timeout + 3.0)
        result = json.loads(result_path.read_text()) if result_path.exists() else None
        if interrupted:
            code = EXIT_INTERRUPTED
        elif code == EXIT_TIMEOUT:
            result = result or None
        elif result is None:
            code = code or EXIT_CRASHED
        tail = "" if code in (0, EXIT_INTERRUPTED) else _tail(logs)
        pids = [proc.pid for proc in procs]
        seconds = time.monotonic() - began
        return RunResult(
            code, result, str(workdir), tail, server is not None, pids, seconds, interrupted, last
        )
    finally:
        for proc in procs:
            stop_process(proc)
        if plan is not None and plan.posim and server is None and not options.keep_tenant:
            _delete_tenant(plan)
        if server is not None:
            server.stop()
        if options.workdir is None and (interrupted or not options.stream_output):
            _tidy(workdir, everything=interrupted)


def _spawn(args: list[str], log: Path, stream: bool, logs: list[Path]) -> subprocess.Popen:
    logs.append(log)
    out = None if stream else log.open("w")
    try:
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT if out else None, env=_env(), cwd=ROOT
        )
    finally:
        if out is not None:
            out.close()


def _tail(logs: list[Path], lines: int = 40) -> str:
    out = []
    for log in logs:
        if log.exists():
            text = log.read_text(errors="replace").splitlines()
            out.append(f"--- {log.name}")
            out.extend(text[-lines:])
    return "\n".join(out)


def _wait(proc, deadline: float, progress: Path, report) -> tuple[int, dict | None]:
    """Wait for Locust to exit, passing its live totals to `report` as they change."""
    ends = time.monotonic() + deadline
    last = None
    while True:
        try:
            return proc.wait(timeout=1.0), last
        except subprocess.TimeoutExpired:
            if time.monotonic() > ends:
                return EXIT_TIMEOUT, last
        snapshot = _read_progress(progress)
        if snapshot is not None and snapshot != last:
            last = snapshot
            if report is not None:
                report(snapshot)


def _read_progress(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _tidy(workdir: Path, everything: bool = False) -> None:
    """Keep a temporary workdir only while it holds something to look at (a failed run);
    an interrupted run leaves nothing behind."""
    if everything:
        shutil.rmtree(workdir, ignore_errors=True)
        return
    result = workdir / "result.json"
    if result.exists():
        try:
            if json.loads(result.read_text()).get("exit_code") == 0:
                shutil.rmtree(workdir, ignore_errors=True)
        except ValueError:
            pass


def _delete_tenant(plan: Plan) -> None:
    transport = HttpTransport(plan.target)
    try:
        transport.client.delete(f"/_posim/tenants/{plan.tenant}")
    except Exception:  # noqa: BLE001 - best effort: the target may be gone
        pass
    finally:
        transport.close()


# -- printing -----------------------------------------------------------------------------
def describe(run_result: RunResult, options: LoadOptions | None = None) -> str:
    """Throughput, latency percentiles, the oracle's result and the verdict, as text."""
    r = run_result.result
    if r is None and run_result.interrupted:
        return _interrupted_early(run_result)
    if r is None:
        reason = "did not finish in time" if run_result.exit_code == EXIT_TIMEOUT else "crashed"
        head = f"verdict: FAIL (exit {run_result.exit_code}): Locust {reason}"
        return f"{head}\n{run_result.log_tail}"
    total = r["total"]
    where = r["target"] + (" (started for this run)" if run_result.started_server else "")
    mode = f"master + {r['workers']} workers" if r.get("workers") else "one process"
    width = max([36, *(len(op["method"]) + 1 + len(op["name"]) for op in r["operations"])])
    lines = [
        f"posim load: {r['profile']} on {r['dialect']}, {r['users']} users, "
        f"{r['duration_s'] or 0:g} s, {mode}, target {where}",
        f"throughput: {total['rps']:,.1f} req/s ({total['requests']:,} requests, "
        f"{total['failures']:,} failures, {total['fail_ratio']:.2%})",
        f"latency: p50 {total['p50_ms']} ms, p95 {total['p95_ms']} ms, p99 {total['p99_ms']} ms",
        "",
        f"{'operation':<{width}} {'requests':>9} {'fails':>6} {'req/s':>8} {'p50':>5} "
        f"{'p95':>5} {'p99':>5}",
    ]
    for op in r["operations"]:
        lines.append(
            f"{op['method'] + ' ' + op['name']:<{width}} {op['requests']:>9,} {op['failures']:>6,} "
            f"{op['rps']:>8,.1f} {op['p50_ms']:>5} {op['p95_ms']:>5} {op['p99_ms']:>5}"
        )
    for failure in r.get("failures", [])[:5]:
        lines.append(f"  failure x{failure['occurrences']}: {failure['name']}: {failure['error']}")
    oracle = r["oracle"]
    lines.append("")
    if run_result.interrupted:  # users were cut off mid-operation: no ledger verdict
        lines.append("oracle: not judged: the run was interrupted")
    elif oracle.get("skipped"):
        lines.append(f"oracle: skipped ({oracle['skipped']})")
    else:
        counts = oracle.get("counts", {})
        checks = ", ".join(f"{k} {v}" for k, v in oracle.get("checks", {}).items())
        lines.append(
            f"oracle: {'OK' if oracle['ok'] else 'VIOLATIONS'}: "
            f"{oracle.get('violation_count', 0)} violations; {checks}"
        )
        shown = ("reserve", "release", "sale", "refund", "burn", "reject")
        recorded = ", ".join(f"{k} {counts.get(k, 0):,}" for k in shown)
        unknown = counts.get("unknown_outcomes", 0)
        lines.append(f"  recorded: {recorded}; unknown or partial outcomes {unknown:,}")
        members = [counts.get(f"members_{k}", 0) for k in ("exact", "bounded", "inconclusive")]
        lines.append(
            "  members: {} exact, {} bounded, {} inconclusive".format(*members)
            + (f"; 429s {counts['requests_429']:,}" if "requests_429" in counts else "")
        )
        for v in oracle.get("violations", [])[:15]:
            member = f" {v['member']}" if v.get("member") else ""
            lines.append(f"  violation [{v['check']}]{member}: {v['detail']}")
    for breach in r["thresholds"]["breaches"]:
        lines.append(f"threshold breached: {breach}")
    verdict = "PASS" if run_result.exit_code == 0 else "FAIL"
    if run_result.interrupted:
        verdict = "INTERRUPTED (partial results above)"
    lines.append(f"verdict: {verdict} (exit {run_result.exit_code})")
    if run_result.exit_code and run_result.log_tail:
        lines.append(f"logs: {run_result.workdir}")
    return "\n".join(lines)


def _interrupted_early(run_result: RunResult) -> str:
    """Ctrl-C before Locust wrote a result: the last live totals are all there is."""
    seen = run_result.last_progress
    if seen is None:
        totals = "no request was made"
    else:
        totals = (
            f"{seen['requests']:,} requests, {seen['failures']:,} failures, "
            f"{seen['rps']:,.1f} req/s after {seen['elapsed_s']:g} s"
        )
    return (
        f"posim load: interrupted: {totals}; the oracle did not run\n"
        f"verdict: INTERRUPTED (exit {run_result.exit_code})"
    )
