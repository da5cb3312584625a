"""Run posim's features for one dialect on the direct runner and record each run as the
pytest collector does: the same run ids, node ids, step records, exchanges, reasons and
phases, so verdicts, findings and reports do not depend on which runner made them.

Against the embedded backend each scenario gets a fresh tenant over the same-thread
transport; a live target is reached over HTTP as under pytest (`backends.live`).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _pytest.mark import KeywordMatcher
from _pytest.mark.expression import Expression
from pytest_bdd.exceptions import StepDefinitionNotFoundError

from ..backends import Backend, embedded, live
from ..runner.direct import BINDING_MODULE, ScenarioCase, StepLibrary, not_applicable, run_steps
from ..runner.direct import scenario_cases as all_cases
from ..runner.same_thread import SameThreadTransport
from ..steps.world import World
from .collector import Progress, error_message
from .evidence import NOT_RUN, ScenarioRun, StepRecord, attach_exchanges, learn_sensitive
from .readiness import FAILED, NOT_APPLICABLE, PASSED


def _exception_text(exc: BaseException) -> str:
    """The exception as pytest reports a test's crash (its `reprcrash` message)."""
    return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()


def _keywords(case: ScenarioCase, features: Path, dialect: str) -> KeywordMatcher:
    """The names `-k` matches for this scenario under pytest: its folder, module, test id and
    markers (the tags, and the marks the binding module applies)."""
    test_id = case.nodeid(features, dialect).rpartition("::")[2]
    marks = {"usefixtures", *(("parametrize",) if case.example_id else ())}
    return KeywordMatcher({features.name, BINDING_MODULE, test_id, *case.tags, *marks})


def select_cases(features: Path, dialect: str, keyword: str | None) -> list[ScenarioCase]:
    """The scenarios to run; a bad `-k` expression raises ValueError."""
    cases = list(all_cases(features))
    if not keyword:
        return cases
    try:
        expression = Expression.compile(keyword)
    except SyntaxError as exc:
        raise ValueError(f"wrong -k expression {keyword!r}: {exc}") from None
    return [c for c in cases if expression.evaluate(_keywords(c, features, dialect))]


class _CaseRun:
    """Runs one scenario and fills its ScenarioRun like the collector's hooks would."""

    def __init__(self, run: ScenarioRun, world: World) -> None:
        self.run, self.world = run, world
        self.marks: dict[int, tuple[int, int]] = {}
        self.step_start = 0

    def _exchange_count(self) -> int:
        gateway = self.world._gateway
        return len(gateway.log.exchanges) if gateway is not None else 0

    def before(self, index: int) -> None:
        self.step_start = self._exchange_count()

    def after(self, index: int, error: BaseException | None) -> None:
        record = self.run.steps[index]
        record.status = PASSED if error is None else FAILED
        if isinstance(error, StepDefinitionNotFoundError):
            record.error = str(error)
        elif error is not None:
            record.error = error_message(error)
        self.marks[index] = (self.step_start, self._exchange_count())
        if error is not None and self.run.failing_step is None:
            self.run.failing_step = index

    def fail(self, phase: str, exc: BaseException) -> None:
        if self.run.status == FAILED:
            return
        reason = _exception_text(exc)
        self.run.status, self.run.phase = FAILED, phase
        self.run.reason = f"after the scenario: {reason}" if phase == "teardown" else reason

    def teardown(self) -> None:
        """The ledger audit after the scenario, then the tenant's clean-up."""
        backend = self.world._backend
        try:
            if backend is not None and backend.control is not None:
                violations = backend.control.audit()
                if violations:
                    raise AssertionError(f"ledger audit failed after the scenario: {violations}")
        except Exception as exc:
            self.fail("teardown", exc)
        finally:
            try:
                self.world.close()
            except Exception as exc:
                self.fail("teardown", exc)


def run_case(
    case: ScenarioCase,
    run: ScenarioRun,
    library: StepLibrary,
    make_backend: Callable[[dict[str, Any]], Backend],
    has_control_plane: bool,
) -> None:
    run.steps = [StepRecord(step.keyword, step.name) for step in case.scenario.steps]
    reason = not_applicable(run.dialect, case.tags, has_control_plane)
    if reason:
        run.status, run.reason = NOT_APPLICABLE, f"not applicable to {run.dialect}: {reason}"
        return
    world = World(run.dialect, make_backend, salt=run.nodeid)
    case_run = _CaseRun(run, world)
    try:
        run_steps(library, case.scenario, world, case_run.before, case_run.after)
    except Exception as exc:  # a failed step fails this scenario only
        case_run.fail("call", exc)
    finally:
        case_run.teardown()
    if run.status == FAILED and run.phase == "call" and run.failing_step is None:
        run.failing_step = next((i for i, s in enumerate(run.steps) if s.status == NOT_RUN), None)
    attach_exchanges(run, world, case_run.marks)
    learn_sensitive(run, world)


def run_scenarios_direct(
    dialect: str,
    *,
    features_dir: Path,
    app: Any = None,
    target: str | None = None,
    credentials: dict[str, str] | None = None,
    timeout: float = 10.0,
    keyword: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[ScenarioRun], list[str]]:
    """Every selected scenario for one dialect: its runs and any problems."""
    from ..preflight import PreflightError, check_target

    try:
        if target:
            by_dialect = {dialect: credentials} if credentials else None
            check_target(target, [dialect], by_dialect, timeout)
        cases = select_cases(features_dir, dialect, keyword)
        library = StepLibrary()
    except PreflightError as exc:
        return [], [f"the scenarios could not run: posim pre-flight: {exc}"]
    except Exception as exc:  # a feature file that does not parse, a bad -k
        return [], [f"the scenarios could not run: {type(exc).__name__}: {exc}"]
    if not cases and not keyword:
        return [], [f"no scenarios found under {features_dir}"]

    def make_backend(program: dict[str, Any]) -> Backend:
        if target:
            return live(target, dialect, credentials, program, timeout)
        return embedded(app, dialect, program, SameThreadTransport(app))

    runs: list[ScenarioRun] = []
    if progress:
        progress(dialect, 0, len(cases), None)
    for case in cases:
        nodeid = case.nodeid(features_dir, dialect)
        feature = case.path.resolve().relative_to(features_dir.resolve()).as_posix()
        run_id = f"{dialect}-{len(runs) + 1:03d}"
        run = ScenarioRun(run_id, dialect, feature, case.scenario.name, case.template.name, nodeid)
        started = time.perf_counter()
        run_case(case, run, library, make_backend, not target or credentials is None)
        run.duration_s = round(time.perf_counter() - started, 3)
        runs.append(run)
        if progress:
            progress(dialect, len(runs), len(cases), run)
    return runs, []
