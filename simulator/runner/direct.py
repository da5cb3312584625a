"""Run the vendor-neutral features directly: pytest-bdd's gherkin parser reads them, posim's
step library (the same registered step functions) executes them, one World per scenario,
with no pytest session, fixture resolution or per-scenario thread. The rules are the ones
the pytest plugin applies: `needs_*` tags make a scenario not applicable to a dialect whose
codec lacks the capability, and the ledger audit runs after every scenario. Scenarios come
in pytest-bdd's order and carry the pytest node id the same scenario has there, so a report
can point at `pytest <node id>` to run one again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_bdd.exceptions import StepDefinitionNotFoundError
from pytest_bdd.parser import Feature, FeatureParser, Scenario, ScenarioTemplate
from pytest_bdd.scenario import get_python_name_generator
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

from reference_backend.engine import ProgramConfig

from ..backends import SCENARIO_PROGRAM, Backend, ControlPlane
from ..protocol import codec_class
from ..steps.world import World
from .rewrite import STEPS_PACKAGE, import_steps
from .same_thread import SameThreadTransport

STEP_MODULES = ("checkout", "members", "time_faults", "vouchers")
# the module that binds features/ to pytest-bdd (features/test_scenarios.py)
BINDING_MODULE = "test_scenarios.py"


@dataclass
class Outcome:
    feature: str
    scenario: str
    dialect: str
    status: str  # passed | failed | not_applicable
    detail: str = ""


@dataclass(frozen=True)
class ScenarioCase:
    """One scenario, or one example row of an outline, as pytest-bdd would collect it."""

    path: Path  # the .feature file
    feature: Feature
    template: ScenarioTemplate
    scenario: Scenario  # rendered with the example row
    tags: frozenset[str]
    test_name: str  # pytest-bdd's test function name
    example_id: str  # the row's parametrize id ("" for a plain scenario)

    def nodeid(self, features: Path, dialect: str) -> str:
        ids = "-".join(part for part in (dialect, self.example_id) if part)
        return f"{features.name}/{BINDING_MODULE}::{self.test_name}[{ids}]"


def load_steps() -> list[StepFunctionContext]:
    """Every step of posim's library, most specific pattern first (a pattern that extends
    another, like '... as order "{id}"', must win over its prefix)."""
    import_steps(STEP_MODULES)
    found = {
        id(ctx): ctx
        for ctx in step_function_context_registry.values()
        if ctx.step_func.__module__.startswith(STEPS_PACKAGE)
    }
    return sorted(found.values(), key=lambda ctx: -len(ctx.parser.name))


def scenario_cases(features: Path) -> Iterator[ScenarioCase]:
    """Every scenario and example row under `features` (sub-folders included), in the order
    and with the test names `pytest_bdd.scenarios(".")` gives them."""
    parsed = [
        FeatureParser(str(path.parent), path.name).parse()
        for path in sorted(features.glob("**/*.feature"))
    ]
    parsed.sort(key=lambda feature: feature.name or feature.filename)
    taken: set[str] = set()
    for feature in parsed:
        for template in feature.scenarios.values():
            test_name = next(n for n in get_python_name_generator(template.name) if n not in taken)
            taken.add(test_name)
            rule_tags = template.rule.tags if template.rule is not None else set()
            tags = {*feature.tags, *template.tags, *rule_tags}
            rows: list[tuple[Any, dict[str, str]]]
            rows = [(ex, c) for ex in template.examples for c in ex.as_contexts()]
            for examples, context in rows or [(None, {})]:
                row_tags = examples.tags if examples is not None else set()
                yield ScenarioCase(
                    Path(feature.filename),
                    feature,
                    template,
                    template.render(context),
                    frozenset(t.lstrip("@") for t in (*tags, *row_tags)),
                    test_name,
                    "-".join(context.values()),
                )


def not_applicable(dialect: str, tags: frozenset[str], has_control_plane: bool = True) -> str:
    """Why a scenario with these tags cannot run on `dialect` ("" when it can)."""
    reasons = codec_class(dialect).not_applicable
    for tag in sorted(tags):
        if not tag.startswith("needs_"):
            continue
        if tag == "needs_control_plane":
            if not has_control_plane:
                return "the target has no posim control plane (clock, faults, seeding)"
            continue
        reason = reasons.get(tag[len("needs_") :])
        if reason:
            return reason
    return ""


class StepLibrary:
    def __init__(self) -> None:
        self.steps = load_steps()

    def match(self, kind: str, text: str) -> tuple[StepFunctionContext, dict[str, Any]] | None:
        for ctx in self.steps:
            if ctx.type in (kind, None) and ctx.parser.is_matching(text):
                args = dict(ctx.parser.parse_arguments(text) or {})
                for name, convert in ctx.converters.items():
                    args[name] = convert(args[name])
                return ctx, args
        return None


def _not_found(scenario: Scenario, step: Any) -> StepDefinitionNotFoundError:
    """pytest-bdd's own error for a step no definition matches, in its words."""
    return StepDefinitionNotFoundError(
        f"Step definition is not found: {step}. "
        f'Line {step.line_number} in scenario "{scenario.name}" '
        f'in the feature "{scenario.feature.filename}"'
    )


StepHook = Callable[[int, BaseException | None], None]  # step index, its error (None: passed)


def run_steps(
    library: StepLibrary,
    scenario: Scenario,
    world: World,
    before: Callable[[int], None] | None = None,
    after: StepHook | None = None,
) -> None:
    """Run the scenario's steps in order; the first failure propagates."""
    for index, step in enumerate(scenario.steps):
        if before is not None:
            before(index)
        found = library.match(step.type, step.name)
        try:
            if found is None:
                raise _not_found(scenario, step)
            ctx, args = found
            ctx.step_func(world=world, **args)
        except Exception as exc:
            if after is not None:
                after(index, exc)
            raise
        if after is not None:
            after(index, None)


class _RegistryControl(ControlPlane):
    """The control plane of the app in this process: tenant set-up, audit and clean-up go
    straight to the registry; what steps ask for (clock, faults, vouchers) stays HTTP."""

    def __init__(self, client, tenant_id: str, registry) -> None:
        super().__init__(client, tenant_id)
        self.registry = registry

    def audit(self) -> list[dict]:
        return [v.to_dict() for v in self.registry.get(self.tenant_id).engine.audit()]

    def delete(self) -> None:
        self.registry.delete(self.tenant_id)


class DirectRunner:
    def __init__(self, app, features: Path, dialects: list[str]) -> None:
        self.app = app
        self.features = features
        self.dialects = dialects
        self.library = StepLibrary()

    def _backend(self, dialect: str, program: dict[str, Any]) -> Backend:
        transport = SameThreadTransport(self.app)
        registry = self.app.state.registry
        config = ProgramConfig.model_validate({**SCENARIO_PROGRAM, **program})
        tenant = registry.create(None, config)
        control = _RegistryControl(transport.client, tenant.tenant_id, registry)
        return Backend(dialect, tenant.credentials[dialect], transport, control, "embedded")

    def run_one(self, case: ScenarioCase, dialect: str) -> Outcome:
        name, scenario = case.path.name, case.scenario
        reason = not_applicable(dialect, case.tags)
        if reason:
            return Outcome(name, scenario.name, dialect, "not_applicable", reason)
        salt = case.nodeid(self.features, dialect)
        world = World(dialect, lambda program: self._backend(dialect, program), salt=salt)
        try:
            run_steps(self.library, scenario, world)
            if world._backend is not None and world._backend.control is not None:
                violations = world._backend.control.audit()
                if violations:
                    return Outcome(name, scenario.name, dialect, "failed", f"audit: {violations}")
        except Exception as exc:  # a failed step or assertion fails this scenario only
            return Outcome(name, scenario.name, dialect, "failed", f"{type(exc).__name__}: {exc}")
        finally:
            world.close()
        return Outcome(name, scenario.name, dialect, "passed")

    def run(self) -> tuple[list[Outcome], float]:
        """Every scenario over every dialect; returns the outcomes and the seconds taken."""
        started = time.perf_counter()
        outcomes = [
            self.run_one(case, dialect)
            for case in scenario_cases(self.features)
            for dialect in self.dialects
        ]
        return outcomes, time.perf_counter() - started
