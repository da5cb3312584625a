"""Run the vendor-neutral features directly: pytest-bdd's gherkin parser reads them, posim's
step library (the same registered step functions) executes them, one World per scenario,
with no pytest session, fixture resolution or per-scenario thread. The rules are the ones
the pytest plugin applies: `needs_*` tags make a scenario not applicable to a dialect whose
codec lacks the capability, and the ledger audit runs after every scenario.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_bdd.parser import FeatureParser, Scenario
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

from reference_backend.engine import ProgramConfig

from ..backends import SCENARIO_PROGRAM, Backend, ControlPlane
from ..protocol import codec_class
from ..steps.world import World
from .same_thread import SameThreadTransport

STEP_MODULES = ("checkout", "members", "time_faults", "vouchers")


@dataclass
class Outcome:
    feature: str
    scenario: str
    dialect: str
    status: str  # passed | failed | not_applicable
    detail: str = ""


def load_steps() -> list[StepFunctionContext]:
    """Every step of posim's library, most specific pattern first (a pattern that extends
    another, like '... as order "{id}"', must win over its prefix)."""
    for name in STEP_MODULES:
        importlib.import_module(f"simulator.steps.{name}")
    found = {
        id(ctx): ctx
        for ctx in step_function_context_registry.values()
        if ctx.step_func.__module__.startswith("simulator.steps")
    }
    return sorted(found.values(), key=lambda ctx: -len(ctx.parser.name))


def scenarios(features: Path) -> Iterator[tuple[str, Scenario, set[str]]]:
    """(feature file, rendered scenario, tags) for every scenario and example row."""
    for path in sorted(features.glob("*.feature")):
        feature = FeatureParser(str(path.parent), path.name).parse()
        for template in feature.scenarios.values():
            tags = {t.lstrip("@") for t in (*feature.tags, *template.tags)}
            contexts = [c for ex in template.examples for c in ex.as_contexts()] or [{}]
            for context in contexts:
                yield path.name, template.render(context), tags


def _not_applicable(dialect: str, tags: set[str]) -> str | None:
    reasons = codec_class(dialect).not_applicable
    for tag in sorted(tags):
        if tag.startswith("needs_") and tag != "needs_control_plane":
            reason = reasons.get(tag[len("needs_") :])
            if reason:
                return reason
    return None


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
        self.steps = load_steps()

    def _backend(self, dialect: str, program: dict[str, Any]) -> Backend:
        transport = SameThreadTransport(self.app)
        registry = self.app.state.registry
        config = ProgramConfig.model_validate({**SCENARIO_PROGRAM, **program})
        tenant = registry.create(None, config)
        control = _RegistryControl(transport.client, tenant.tenant_id, registry)
        return Backend(dialect, tenant.credentials[dialect], transport, control, "embedded")

    def _step(self, kind: str, text: str) -> tuple[StepFunctionContext, dict[str, Any]]:
        for ctx in self.steps:
            if ctx.type in (kind, None) and ctx.parser.is_matching(text):
                args = dict(ctx.parser.parse_arguments(text) or {})
                for name, convert in ctx.converters.items():
                    args[name] = convert(args[name])
                return ctx, args
        raise LookupError(f"no step matches {kind} {text!r}")

    def run_one(self, name: str, scenario: Scenario, tags: set[str], dialect: str) -> Outcome:
        reason = _not_applicable(dialect, tags)
        if reason:
            return Outcome(name, scenario.name, dialect, "not_applicable", reason)
        salt = f"{name}::{scenario.name}[{dialect}]"
        world = World(dialect, lambda program: self._backend(dialect, program), salt=salt)
        try:
            for step in scenario.steps:
                ctx, args = self._step(step.type, step.name)
                ctx.step_func(world=world, **args)
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
            self.run_one(name, scenario, tags, dialect)
            for name, scenario, tags in scenarios(self.features)
            for dialect in self.dialects
        ]
        return outcomes, time.perf_counter() - started
