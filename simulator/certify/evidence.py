"""What one scenario run leaves behind: its steps, its exchanges and how it ended.

These records hold the raw values (so the checks can look for personal data); they are
masked once, by `bundle.evidence_document`, before anything is written or printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..protocol.base import BadAnswer
from .readiness import PASSED, RunOutcome

NOT_RUN = "not run"


@dataclass
class ExchangeRecord:
    """One request the simulated POS sent and what came back."""

    id: str
    op: str  # the neutral operation (e.g. SubmitSale) that sent it
    method: str
    path: str
    params: dict[str, Any] | None
    request_headers: dict[str, str]
    request_json: Any
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: Any = None  # JSON when it parses, else text
    error: str | None = None  # e.g. a timeout: no response
    started: float = 0.0  # epoch seconds
    duration_ms: float = 0.0
    step: int | None = None  # index of the step that sent it

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400

    @property
    def request_id(self) -> str | None:
        headers = {k.lower(): v for k, v in self.response_headers.items()}
        return headers.get("x-request-id")


@dataclass
class StepRecord:
    keyword: str
    text: str
    status: str = NOT_RUN  # passed | failed | not run
    error: str = ""
    exchanges: list[str] = field(default_factory=list)


@dataclass
class ScenarioRun:
    """One scenario (one outline example) on one dialect."""

    run_id: str
    dialect: str
    feature: str  # file name relative to the features folder
    name: str  # rendered name (an outline's example)
    template: str  # the scenario's own name (an outline's name with <placeholders>)
    nodeid: str
    status: str = PASSED
    reason: str = ""  # why it failed or was skipped
    phase: str = ""  # setup | call | teardown, where it failed
    duration_s: float = 0.0
    steps: list[StepRecord] = field(default_factory=list)
    exchanges: list[ExchangeRecord] = field(default_factory=list)
    failing_step: int | None = None
    personal: list[str] = field(default_factory=list)  # raw values, never written
    secrets: list[str] = field(default_factory=list)  # raw values, never written
    reproduce: str = ""  # a command that runs it again (default: its pytest node)

    @property
    def ref(self) -> str:
        return f"{self.feature}: {self.template}"

    @property
    def example_ref(self) -> str:
        return f"{self.feature}: {self.name}"

    def outcome(self) -> RunOutcome:
        return RunOutcome(self.run_id, self.ref, self.status, self.reason, self.example_ref)

    def exchanges_of_step(self, index: int) -> list[ExchangeRecord]:
        return [x for x in self.exchanges if x.step == index]


def exchange_record(exchange_id: str, exchange: Any, step: int | None) -> ExchangeRecord:
    """An ExchangeRecord from the gateway's Exchange(op, request, response, error, ...)."""
    request, response = exchange.request, exchange.response
    record = ExchangeRecord(
        id=exchange_id,
        op=exchange.op,
        method=request.method,
        path=request.path,
        params=dict(request.params) if request.params else None,
        request_headers=dict(request.headers or {}),
        request_json=request.json,
        error=exchange.error,
        started=exchange.started,
        duration_ms=round(exchange.duration_ms, 3),
        step=step,
    )
    if response is not None:
        record.status = response.status
        record.response_headers = dict(response.headers or {})
        try:
            body = response.json()
        except BadAnswer:
            body = None
        if body is None and response.body:
            body = response.body[:8192].decode("utf-8", "replace")
        record.response_body = body
    return record


def attach_exchanges(run: ScenarioRun, world: Any, marks: dict[int, tuple[int, int]]) -> None:
    """Record the world's exchanges on the run; `marks` gives each step's (first, end)
    positions in the gateway log, so every exchange names the step that sent it."""
    gateway = getattr(world, "_gateway", None)
    exchanges = list(gateway.log.exchanges) if gateway is not None else []
    owner: dict[int, int] = {}
    for index, (start, end) in marks.items():
        for n in range(start, end):
            owner[n] = index
    for n, exchange in enumerate(exchanges):
        step = owner.get(n)
        record = exchange_record(f"{run.run_id}-x{n + 1:02d}", exchange, step)
        run.exchanges.append(record)
        if step is not None:
            run.steps[step].exchanges.append(record.id)


def learn_sensitive(run: ScenarioRun, world: Any) -> None:
    """Keep the raw secrets and personal data of the run, so reports can mask them."""
    backend = getattr(world, "_backend", None)
    for value in (getattr(backend, "credentials", None) or {}).values():
        run.secrets.append(str(value))
    for persona in (getattr(world, "personas", None) or {}).values():
        for attr in ("mobile", "email", "card_number"):
            value = getattr(persona, attr, None)
            if value:
                run.personal.append(str(value))
