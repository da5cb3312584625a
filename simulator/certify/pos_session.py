"""`posim certify --pos COMMAND` / `--pos-session`: certify the integrator's own till.

posim is the till's backend and its examiner: the reference backend runs on 127.0.0.1 (a free
port, a fresh tenant, every exchange recorded), the vendor's fault plan is added to the
tenant, the till runs (a command, or a person at the counter), then `posim audit` judges the
recording. The recording stays in the out folder so `posim audit` can judge it again.
"""

from __future__ import annotations

import contextlib
import json
import select
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fault_plan import FaultPlan
from .pos_command import CommandRun, fill, placeholders, run_command
from .readiness import decide
from .runner import CertifyResult
from .traffic_audit import audit
from .traffic_calls import dialect_of, read_lines

STARTUP_S = 15.0  # how long the backend may take to listen


class BackendThread:
    """The reference backend under uvicorn in a thread of this process, on 127.0.0.1."""

    def __init__(self, record_path: Path, seed: int = 0) -> None:
        import uvicorn

        from reference_backend.app import create_app
        from reference_backend.settings import Settings

        from ..backends.server import free_port

        settings = Settings(seed=seed, record_path=str(record_path), demo_tenant=False)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=self.port,
            log_level="critical",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="posim-backend", daemon=True)

    def __enter__(self) -> BackendThread:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the reference backend could not listen on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class SessionSetup:
    dialect: str
    out: Path
    plan: FaultPlan | None  # None: no faults (`--no-faults`)
    client_timeout_s: float = 2.0
    seed: int = 0
    checklists_dir: Path | None = None
    command: str | None = None  # None: a person drives the till (`--pos-session`)
    pos_timeout_s: float | None = 120.0
    say: Callable[[str], None] = print
    values: dict[str, str] = field(default_factory=dict)  # the filled placeholders

    @property
    def recording(self) -> Path:
        return self.out / f"{self.dialect}-pos-traffic.jsonl"


def fault_hits(recording: Path, plan: FaultPlan | None) -> list[dict[str, Any]]:
    """Which fault hit which request, from the recording; each planned fault that never fired
    is listed with `request_id` None."""
    proves = {f.fault_id: list(f.proves) for f in plan.faults} if plan else {}
    lines, _ = read_lines(recording) if recording.exists() else ([], [])
    hits = []
    for number, entry in lines:
        fault = entry.get("fault")
        if not isinstance(fault, dict) or dialect_of(entry) is None:
            continue
        name = str(fault.get("id") or fault.get("rule"))
        hits.append(
            {
                "fault": name,
                "kind": fault.get("kind"),
                "proves": proves.get(name, []),
                "request_id": entry.get("request_id"),
                "line": number,
                "request": f"{entry.get('method')} {entry.get('path')}",
                "on": fault.get("order") or fault.get("member"),  # what a once-per rule hit
                "status": entry.get("status"),
                "started_at": entry.get("started_at"),
            }
        )
    hits.sort(key=lambda h: h["started_at"] or "")
    fired = {h["fault"] for h in hits}
    for fault_id, items in proves.items():
        if fault_id not in fired:
            hits.append({"fault": fault_id, "proves": items, "request_id": None})
    return hits


def _vendors_in(recording: Path) -> Counter[str]:
    """How many exchanges of each vendor the recording holds."""
    lines, _ = read_lines(recording) if recording.exists() else ([], [])
    return Counter(vendor for _, entry in lines if (vendor := dialect_of(entry)))


def _stdin() -> list:
    """Standard input, if select() can watch it (a terminal, a pipe, a file)."""
    try:
        sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return []
    return [sys.stdin]


def _wait_for_person(bound_s: float | None) -> None:
    """Until Enter or end of input (or the bound, when one was given); Ctrl-C ends it too,
    as the KeyboardInterrupt the caller catches."""
    deadline = None if bound_s is None else time.monotonic() + bound_s
    watched = _stdin()
    while deadline is None or time.monotonic() < deadline:
        if select.select(watched, [], [], 0.5)[0]:
            sys.stdin.readline()
            return


def _announce(setup: SessionSetup) -> None:
    say, values = setup.say, setup.values
    say(f"posim: {setup.dialect} backend on {values['url']} (tenant {values['tenant']})")
    for key, value in values.items():
        say(f"  {{{key}}} = {value}")
    say("Drive the till now. Press Enter (or Ctrl-C) to end the session and run the audit.")


def run_session(setup: SessionSetup) -> tuple[CertifyResult, str | None, list[dict[str, Any]]]:
    """Serve, fault, run the till, audit. Returns the result, the one-line error about the
    till (None: it ran and sent traffic) and the fault hits."""
    from ..backends import live

    setup.out.mkdir(parents=True, exist_ok=True)
    setup.recording.write_text("")  # a fresh recording: never judged with an older one
    with BackendThread(setup.recording, setup.seed) as server:
        backend = live(server.url, setup.dialect)
        try:
            control = backend.control
            if control is None:  # a BackendThread is posim: it always has a control plane
                raise RuntimeError("the embedded backend has no control plane")
            tenant = control.tenant_id
            setup.values = placeholders(
                server.url, setup.dialect, tenant, backend.credentials, setup.client_timeout_s
            )
            command = fill(setup.command, setup.values) if setup.command is not None else None
            for fault in setup.plan.faults if setup.plan else ():
                control.add_fault(**fault.control_rule(setup.client_timeout_s))
            if command is None:
                with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the session's end
                    _announce(setup)
                    _wait_for_person(setup.pos_timeout_s)
                run = CommandRun(0)
            else:
                log = setup.out / f"{setup.dialect}-pos-output.log"
                run = run_command(command, setup.pos_timeout_s or 120.0, log)
        finally:
            backend.transport.close()  # the tenant stays: the recording names it
    return _judge(setup, run)


def _judge(setup: SessionSetup, run: CommandRun) -> tuple[CertifyResult, str | None, list]:
    failure = run.failure(setup.pos_timeout_s)
    vendors = _vendors_in(setup.recording)
    if not vendors[setup.dialect]:
        who = "the till" if setup.command is None else "the POS command"
        others = sorted(v for v in vendors if v != setup.dialect)
        hint = f", only {others[0]} (pass --dialect {others[0]})" if others else ""
        nothing = f"{who} sent no {setup.dialect} request to {setup.values.get('url')}{hint}"
        failure = f"{failure or nothing} (no traffic)"
    result = audit(setup.recording, setup.dialect, checklists_dir=setup.checklists_dir)
    result.command = "certify"
    who = "a till driven by hand" if setup.command is None else "the POS command"
    result.target = f"{who}, against the reference backend on 127.0.0.1 (recorded traffic)"
    hits = fault_hits(setup.recording, setup.plan)
    result.faults = hits
    if failure:
        for d in result.dialects:
            d.verdict = decide(d.results, [failure, *d.verdict.problems])
    (setup.out / f"{setup.dialect}-pos-faults.json").write_text(
        json.dumps(hits, indent=2) + "\n", encoding="utf-8"
    )
    return result, failure, hits
