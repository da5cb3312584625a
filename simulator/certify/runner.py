"""Run the vendor-neutral scenarios once per dialect, in-process, and judge the checklist.

posim's own features run on the direct runner (`direct_session.py`); a features folder that
carries its own Python (a user's binding module, conftest or steps) runs in a pytest session
with posim's plugin and a Collector, as `pytest` would run it. Both record the same evidence.
The embedded reference backend (or `app`) is shared, a live `target` is reached over HTTP.
A dialect whose codec or checklist is missing is Not ready with the reason, never a crash.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ..protocol import DIALECTS, codec_class
from .checklists import FEATURES_DIR, Checklist, ChecklistError, load_checklist
from .checks import run_checks
from .collector import Collector, Progress
from .evidence import ScenarioRun
from .readiness import ItemResult, Verdict, assess, decide, worst


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("loyalty-posim")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass
class DialectResult:
    dialect: str
    checklist: Checklist | None
    runs: list[ScenarioRun]
    results: list[ItemResult]
    verdict: Verdict

    def unmapped(self) -> list[ScenarioRun]:
        """Runs no checklist item names: reported, but not part of the verdict."""
        refs = self.checklist.scenario_refs() if self.checklist else set()
        return [r for r in self.runs if r.ref not in refs and r.example_ref not in refs]


@dataclass
class CertifyResult:
    dialects: list[DialectResult]
    seed: int
    target: str | None  # None: the embedded reference backend
    credentials: dict[str, dict[str, str]] | None = None  # raw, only for masking
    keyword: str | None = None
    features_dir: Path = FEATURES_DIR
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    version: str = field(default_factory=tool_version)
    command: str = "certify"  # the posim command that made it (`audit` for recorded traffic)
    faults: list[dict[str, Any]] | None = None  # a POS session: which fault hit which request

    @property
    def level(self) -> str:
        return worst(d.verdict.level for d in self.dialects)


def select_dialects(choice: str | Sequence[str]) -> list[str]:
    """`all`, one name, or a comma-separated list; raises ValueError for unknown names."""
    names = [choice] if isinstance(choice, str) else list(choice)
    names = [n.strip() for part in names for n in part.split(",") if n.strip()]
    if not names or "all" in names:
        return list(DIALECTS)
    unknown = [n for n in names if n not in DIALECTS]
    if unknown:
        raise ValueError(f"unknown dialect(s) {', '.join(unknown)}; choose {', '.join(DIALECTS)}")
    return list(dict.fromkeys(names))


def credentials_by_dialect(
    raw: str | dict | None, dialects: Sequence[str]
) -> dict[str, dict[str, str]] | None:
    """`--credentials`: JSON, k=v,k=v or @file; one set for all, or keyed by dialect."""
    from ..backends import parse_credentials

    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("@"):
            text = Path(text[1:]).read_text(encoding="utf-8").strip()
        data: Any = json.loads(text) if text.startswith("{") else parse_credentials(text)
    else:
        data = raw
    if not isinstance(data, dict):
        raise ValueError("credentials must be an object")
    if data and all(k in DIALECTS and isinstance(v, dict) for k, v in data.items()):
        return {d: {str(k): str(v) for k, v in data[d].items()} for d in dialects if d in data}
    shared = {str(k): str(v) for k, v in data.items()}
    return {d: shared for d in dialects}


def codec_problem(dialect: str) -> str | None:
    """Why the dialect's codec cannot be used, or None."""
    try:
        codec_class(dialect)
    except ModuleNotFoundError as exc:
        return f"no {dialect} codec: module {exc.name} is missing"
    except (ImportError, AttributeError, ValueError) as exc:
        return f"the {dialect} codec cannot be loaded: {exc}"
    return None


def _backend_dialects(app: Any) -> set[str] | None:
    dialects = getattr(getattr(app, "state", None), "dialects", None)
    return None if dialects is None else {d.name for d in dialects}


@contextlib.contextmanager
def _clean_environment() -> Iterator[None]:
    """The inner session ignores the caller's PYTEST_ADDOPTS (e.g. -n from xdist)."""
    saved = os.environ.pop("PYTEST_ADDOPTS", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["PYTEST_ADDOPTS"] = saved


RUNNERS = ("direct", "pytest")


def choose_runner(features_dir: Path, runner: str | None = None) -> str:
    """`direct` for posim's own features and for folders of plain .feature files; `pytest`
    where the folder carries Python of its own (steps or fixtures only pytest loads)."""
    if runner is not None:
        if runner not in RUNNERS:
            raise ValueError(f"unknown runner {runner!r}; choose {', '.join(RUNNERS)}")
        return runner
    if features_dir.resolve() == FEATURES_DIR.resolve():
        return "direct"
    return "pytest" if any(features_dir.glob("**/*.py")) else "direct"


def run_scenarios(
    dialect: str,
    *,
    features_dir: Path = FEATURES_DIR,
    app: Any = None,
    target: str | None = None,
    credentials: dict[str, str] | None = None,
    timeout: float = 10.0,
    keyword: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[ScenarioRun], list[str]]:
    """One pytest session over the features for one dialect: its runs and any problems."""
    collector = Collector(dialect, app=app, progress=progress, features_dir=features_dir)
    args = [
        str(features_dir),
        "--rootdir",
        str(features_dir.parent),
        "-p",
        "simulator.steps.pytest_plugin",
        "--capture=sys",  # fd capture would swallow the caller's progress display
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--posim-dialect",
        dialect,
        "--posim-timeout",
        str(timeout),
    ]
    if target:
        args += ["--posim-target", target]
    if credentials:
        args += ["--posim-credentials", json.dumps(credentials)]
    if keyword:
        args += ["-k", keyword]
    output = io.StringIO()
    with _clean_environment(), redirect_stdout(output), redirect_stderr(output):
        code = pytest.main(args, plugins=[collector])
    problems = list(collector.problems)
    said = output.getvalue().strip()
    if code == pytest.ExitCode.INTERRUPTED and not problems:
        raise KeyboardInterrupt
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        tail = " | ".join(line for line in said.splitlines()[-6:] if line.strip())
        problems.append(f"the scenarios could not run (pytest exit {int(code)}): {tail}")
    elif code == pytest.ExitCode.NO_TESTS_COLLECTED and not keyword:
        problems.append(f"no scenarios found under {features_dir}")
    return collector.runs, problems


def certify_dialect(
    dialect: str,
    *,
    checklists_dir: Path | None = None,
    **run_options: Any,
) -> DialectResult:
    problems: list[str] = []
    checklist: Checklist | None = None
    try:
        checklist = load_checklist(dialect, checklists_dir)
    except ChecklistError as exc:
        problems.append(str(exc))
    blocked = codec_problem(dialect)
    app = run_options.get("app")
    if blocked is None and not run_options.get("target") and app is not None:
        served = _backend_dialects(app)
        if served is not None and dialect not in served:
            blocked = f"the reference backend does not serve {dialect} yet"
    runs: list[ScenarioRun] = []
    if blocked:
        problems.append(blocked)
    elif checklist is not None:
        runs, session_problems = _run(dialect, run_options)
        problems += session_problems
    if checklist is None:
        return DialectResult(dialect, None, runs, [], decide([], problems))
    findings = run_checks(checklist, runs)
    results = assess(checklist, [r.outcome() for r in runs], findings)
    return DialectResult(dialect, checklist, runs, results, decide(results, problems))


def _run(dialect: str, options: dict[str, Any]) -> tuple[list[ScenarioRun], list[str]]:
    from .direct_session import run_scenarios_direct

    options = dict(options)
    features = options.setdefault("features_dir", FEATURES_DIR)
    if choose_runner(features, options.pop("runner", None)) == "direct":
        return run_scenarios_direct(dialect, **options)
    return run_scenarios(dialect, **options)


def _not_run(dialect: str, checklists_dir: Path | None, problem: str) -> DialectResult:
    try:
        checklist: Checklist | None = load_checklist(dialect, checklists_dir)
    except ChecklistError as exc:
        checklist, problem = None, f"{problem}; {exc}"
    results = assess(checklist, []) if checklist else []
    return DialectResult(dialect, checklist, [], results, decide(results, [problem]))


def reference_app(seed: int = 0):
    """The embedded reference backend as the scenarios expect it: frozen clocks, audited."""
    from reference_backend.app import create_app
    from reference_backend.settings import Settings

    settings = Settings(seed=seed, running_clock=False, check_invariants=True, demo_tenant=False)
    return create_app(settings)


def certify(
    dialects: str | Sequence[str] = "all",
    *,
    target: str | None = None,
    credentials: str | dict | None = None,
    seed: int = 0,
    app: Any = None,
    features_dir: Path | None = None,
    checklists_dir: Path | None = None,
    keyword: str | None = None,
    timeout: float = 10.0,
    progress: Progress | None = None,
    runner: str | None = None,
) -> CertifyResult:
    """Certify each dialect against `target`, or in-process against `app` (default: the
    embedded reference backend built with `seed`). `runner`: `direct` or `pytest` (default:
    chosen by `choose_runner`)."""
    names = select_dialects(dialects)
    features = Path(features_dir) if features_dir else FEATURES_DIR
    choose_runner(features, runner)  # an unknown runner is a caller's error, before any run
    creds = credentials_by_dialect(credentials, names)
    result = CertifyResult([], seed, target, creds, keyword, features)
    if target is None and app is None:
        try:
            app = reference_app(seed)
        except Exception as exc:  # a backend that cannot start certifies nothing
            problem = f"the reference backend could not start: {type(exc).__name__}: {exc}"
            for dialect in names:
                result.dialects.append(_not_run(dialect, checklists_dir, problem))
            result.finished_at = datetime.now(UTC)
            return result
    for dialect in names:
        result.dialects.append(
            certify_dialect(
                dialect,
                checklists_dir=checklists_dir,
                features_dir=features,
                app=None if target else app,
                target=target,
                credentials=(creds or {}).get(dialect),
                timeout=timeout,
                keyword=keyword,
                progress=progress,
                runner=runner,
            )
        )
    result.finished_at = datetime.now(UTC)
    return result
