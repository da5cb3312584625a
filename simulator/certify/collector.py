"""A pytest plugin object that records each scenario run while the scenarios execute.

It listens to pytest-bdd's scenario and step hooks and to pytest's reports, and reads the
`world` fixture's gateway log for the exchanges. Nothing here changes how a scenario runs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .evidence import NOT_RUN, ScenarioRun, StepRecord, attach_exchanges, learn_sensitive
from .readiness import FAILED, NOT_APPLICABLE, PASSED, SKIPPED

Progress = Callable[[str, int, int, ScenarioRun | None], None]  # dialect, done, total, run


def _template(item: Any):
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    obj = getattr(item, "obj", None)
    if obj is None:
        return None
    try:
        return scenario_wrapper_template_registry.get(obj)
    except TypeError:  # an object a weak mapping cannot key
        return None


def _short(report: Any) -> str:
    """The one-line cause of a failure or skip."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, message)
        message = str(longrepr[2])
        return message.removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message)
    text = getattr(report, "longreprtext", "") or str(longrepr or "")
    return text.strip().splitlines()[-1] if text.strip() else "failed"


def error_message(exception: BaseException, limit: int = 1500) -> str:
    """The exception as a reader needs it: pytest's explanation lines, without reprs of the
    scenario's internals (the world, functions, objects), at most `limit` characters."""
    lines = f"{type(exception).__name__}: {exception}".splitlines()
    noise = ("World(", "<function ", " object at 0x")
    kept = [lines[0]] + [line for line in lines[1:] if not any(n in line for n in noise)]
    text = "\n".join(kept)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class AppFixture:
    """Provides `posim_app` (the embedded backend) so certify chooses the app and its seed."""

    def __init__(self, app: Any) -> None:
        self.app = app

    @pytest.fixture(scope="session")
    def posim_app(self):
        return self.app


class Collector:
    """Records every scenario run of one pytest session (one dialect)."""

    def __init__(
        self,
        dialect: str,
        app: Any = None,
        progress: Progress | None = None,
        features_dir: Path | None = None,
    ) -> None:
        self.dialect = dialect
        self.features_dir = features_dir
        self.app = app
        self.progress = progress
        self.runs: list[ScenarioRun] = []
        self.problems: list[str] = []
        self.total = 0
        self._run: ScenarioRun | None = None
        self._world: Any = None
        self._marks: dict[int, tuple[int, int]] = {}
        self._step_start = 0
        self._started = 0.0

    # -- session ------------------------------------------------------------------------
    def pytest_configure(self, config):
        if self.app is not None:  # registered last, so it overrides the plugin's posim_app
            config.pluginmanager.register(AppFixture(self.app), "posim-certify-app")

    def pytest_collectreport(self, report):
        if report.failed:
            self.problems.append(
                f"could not collect {report.nodeid or 'the scenarios'}: {_short(report)}"
            )

    def pytest_collection_finish(self, session):
        self.total = len(session.items)
        if self.progress:
            self.progress(self.dialect, 0, self.total, None)

    # -- one test -----------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self._run = self._new_run(item)
        self._world, self._marks, self._started = None, {}, time.perf_counter()
        try:
            return (yield)
        finally:
            self._finish()

    def _new_run(self, item: Any) -> ScenarioRun:
        template = _template(item)
        params = getattr(getattr(item, "callspec", None), "params", {})
        example = params.get("_pytest_bdd_example") or {}
        if template is not None:
            feature = self._feature_name(template.feature)
            template_name = template.name
            name = template.render(example).name if example else template.name
        else:  # a plain test that is not a scenario
            feature, template_name, name = item.path.name, item.name, item.name
        run_id = f"{self.dialect}-{len(self.runs) + 1:03d}"
        run = ScenarioRun(run_id, self.dialect, feature, name, template_name, item.nodeid)
        if template is not None:  # known up front, so a setup failure still lists them
            steps = template.render(example).steps
            run.steps = [StepRecord(step.keyword, step.name) for step in steps]
        return run

    def _feature_name(self, feature: Any) -> str:
        """The feature file's path relative to the features folder, as checklists name it."""
        path = Path(feature.filename).resolve()
        if self.features_dir is not None:
            with contextlib.suppress(ValueError):
                return path.relative_to(self.features_dir.resolve()).as_posix()
        return path.name

    def pytest_bdd_before_scenario(self, request, feature, scenario):
        if self._run is None:
            return
        self._run.name = scenario.name
        self._run.steps = [StepRecord(step.keyword, step.name) for step in scenario.steps]
        if "world" in request.fixturenames:
            self._world = request.getfixturevalue("world")

    def _exchange_count(self) -> int:
        gateway = getattr(self._world, "_gateway", None)
        return len(gateway.log.exchanges) if gateway is not None else 0

    def _step_index(self, scenario: Any, step: Any) -> int:
        return next((i for i, s in enumerate(scenario.steps) if s is step), -1)

    def pytest_bdd_before_step(self, request, feature, scenario, step, step_func):
        self._step_start = self._exchange_count()

    def _end_step(self, scenario, step, status: str, error: str = "") -> None:
        if self._run is None:
            return
        index = self._step_index(scenario, step)
        if 0 <= index < len(self._run.steps):
            record = self._run.steps[index]
            record.status, record.error = status, error
            self._marks[index] = (self._step_start, self._exchange_count())
            if status == FAILED and self._run.failing_step is None:
                self._run.failing_step = index

    def pytest_bdd_after_step(self, request, feature, scenario, step, step_func, step_func_args):
        self._end_step(scenario, step, PASSED)

    def pytest_bdd_step_error(
        self, request, feature, scenario, step, step_func, step_func_args, exception
    ):
        self._end_step(scenario, step, FAILED, error_message(exception))

    def pytest_bdd_step_func_lookup_error(self, request, feature, scenario, step, exception):
        self._step_start = self._exchange_count()
        self._end_step(scenario, step, FAILED, str(exception))

    def pytest_runtest_logreport(self, report):
        run = self._run
        if run is None:
            return
        if report.skipped and run.status == PASSED:
            reason = _short(report)
            run.status = NOT_APPLICABLE if reason.startswith("not applicable") else SKIPPED
            run.reason = reason
        elif report.failed and run.status != FAILED:
            run.status, run.phase, run.reason = FAILED, report.when, _short(report)
            if report.when == "teardown":
                run.reason = f"after the scenario: {run.reason}"
            elif report.when == "setup":
                run.reason = f"before the scenario: {run.reason}"

    # -- after the test -----------------------------------------------------------------
    def _finish(self) -> None:
        run, world = self._run, self._world
        self._run = self._world = None
        if run is None:
            return
        run.duration_s = round(time.perf_counter() - self._started, 3)
        if run.status == FAILED and run.phase == "call" and run.failing_step is None:
            run.failing_step = next(
                (i for i, s in enumerate(run.steps) if s.status == NOT_RUN), None
            )
        attach_exchanges(run, world, self._marks)
        learn_sensitive(run, world)
        self.runs.append(run)
        if self.progress:
            self.progress(self.dialect, len(self.runs), self.total, run)
