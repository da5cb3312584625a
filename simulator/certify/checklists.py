"""Go-live checklists as data: `fixtures/checklists/<vendor>.yaml`, loaded and validated.

An item says what must hold before go-live, how bad it is when it does not (severity), whether
posim can prove it (lane `automated`) or a person must (lane `manual`), and which vendor-neutral
scenarios verify it. A scenario is named `<file>.feature: <scenario name>`; for a Scenario
Outline either the outline's own name (every example) or one rendered example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reference_backend.data import data_dir

SEVERITIES = ("critical", "important", "advisory")
LANES = ("automated", "manual")
CHECK_KINDS = ("no_personal_data", "call_order")
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")

CHECKLISTS_DIR = data_dir("fixtures") / "checklists"  # the installed copy, else the source
FEATURES_DIR = data_dir("features")


class ChecklistError(ValueError):
    """A checklist file that does not follow the format."""


@dataclass(frozen=True)
class Check:
    """A check certify runs over the recorded exchanges of an item's scenarios.

    no_personal_data: requests whose path matches `path` carry no member's personal data.
    call_order: every request matching `then` follows a successful request matching `first`.
    """

    kind: str
    params: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        if self.kind == "no_personal_data":
            return f"no personal data in requests to {self.params['path']}"
        return f"{self.params['then']} only after a successful {self.params['first']}"


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    severity: str
    lane: str
    section: str = ""
    scenarios: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    source: str = ""
    note: str = ""

    @property
    def automated(self) -> bool:
        return self.lane == "automated"


@dataclass(frozen=True)
class Checklist:
    vendor: str
    title: str
    source: str
    items: tuple[ChecklistItem, ...]

    def item(self, item_id: str) -> ChecklistItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def scenario_refs(self) -> set[str]:
        return {ref for item in self.items for ref in item.scenarios}


def _text(raw: dict, key: str, where: str, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ChecklistError(f"{where}: `{key}` must be a non-empty string")
    return " ".join(value.split())


def _check(raw: Any, where: str) -> Check:
    if not isinstance(raw, dict) or raw.get("kind") not in CHECK_KINDS:
        raise ChecklistError(f"{where}: a check needs `kind`, one of {', '.join(CHECK_KINDS)}")
    params = {str(k): str(v) for k, v in raw.items() if k != "kind"}
    needed = {"no_personal_data": {"path"}, "call_order": {"first", "then"}}[raw["kind"]]
    if set(params) != needed:
        raise ChecklistError(f"{where}: check {raw['kind']} takes {', '.join(sorted(needed))}")
    for key, pattern in params.items():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ChecklistError(f"{where}: check {key} is not a valid pattern: {exc}") from exc
    return Check(raw["kind"], params)


def _item(raw: Any, index: int, vendor: str) -> ChecklistItem:
    where = f"{vendor} item {index + 1}"
    if not isinstance(raw, dict):
        raise ChecklistError(f"{where}: must be a mapping")
    known = {"id", "text", "severity", "lane", "section", "scenarios", "checks", "source", "note"}
    unknown = set(raw) - known
    if unknown:
        raise ChecklistError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    item_id = _text(raw, "id", where)
    where = f"{vendor} {item_id}"
    if not ID_PATTERN.match(item_id):
        raise ChecklistError(f"{where}: ids look like GB-ORD-02 (upper case, dash separated)")
    severity, lane = raw.get("severity"), raw.get("lane")
    if severity not in SEVERITIES:
        raise ChecklistError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    if lane not in LANES:
        raise ChecklistError(f"{where}: lane must be one of {', '.join(LANES)}")
    scenarios = raw.get("scenarios") or []
    if not isinstance(scenarios, list) or not all(isinstance(s, str) for s in scenarios):
        raise ChecklistError(f"{where}: scenarios must be a list of '<file>.feature: <name>'")
    for ref in scenarios:
        if ".feature: " not in ref:
            raise ChecklistError(f"{where}: scenario {ref!r} is not '<file>.feature: <name>'")
    checks = raw.get("checks") or []
    if not isinstance(checks, list):
        raise ChecklistError(f"{where}: checks must be a list")
    return ChecklistItem(
        id=item_id,
        text=_text(raw, "text", where),
        severity=severity,
        lane=lane,
        section=_text(raw, "section", where, required=False),
        scenarios=tuple(scenarios),
        checks=tuple(_check(c, where) for c in checks),
        source=_text(raw, "source", where, required=False),
        note=_text(raw, "note", where, required=False),
    )


def parse_checklist(document: Any, vendor: str | None = None) -> Checklist:
    """A checklist from its YAML document (already parsed); raises ChecklistError."""
    if not isinstance(document, dict):
        raise ChecklistError("a checklist is a mapping with vendor, title, source and items")
    name = document.get("vendor")
    if not isinstance(name, str) or (vendor is not None and name != vendor):
        raise ChecklistError(f"checklist vendor must be {vendor!r}, got {name!r}")
    raw_items = document.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ChecklistError(f"{name}: `items` must be a non-empty list")
    items = tuple(_item(raw, i, name) for i, raw in enumerate(raw_items))
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ChecklistError(f"{name}: item id {item.id} is used twice")
        seen.add(item.id)
        if item.automated and not item.scenarios:
            raise ChecklistError(f"{name} {item.id}: an automated item needs scenarios")
    return Checklist(
        vendor=name,
        title=_text(document, "title", name),
        source=_text(document, "source", name),
        items=items,
    )


def checklist_path(vendor: str, directory: Path | None = None) -> Path:
    return (directory or CHECKLISTS_DIR) / f"{vendor}.yaml"


def load_checklist(vendor: str, directory: Path | None = None) -> Checklist:
    path = checklist_path(vendor, directory)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ChecklistError(f"no checklist for {vendor}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{path.name} is not valid YAML: {exc}") from exc
    return parse_checklist(document, vendor)


# -- the scenarios a checklist can name ----------------------------------------------------
@dataclass(frozen=True)
class ScenarioInfo:
    """One scenario of the feature files, as a checklist names it."""

    feature: str  # file name, e.g. checkout.feature
    name: str  # the scenario's (or outline's) own name
    tags: frozenset[str]
    examples: tuple[str, ...] = ()  # rendered names of an outline's examples

    @property
    def ref(self) -> str:
        return f"{self.feature}: {self.name}"

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(sorted(t[len("needs_") :] for t in self.tags if t.startswith("needs_")))


def feature_scenarios(features_dir: Path | None = None) -> dict[str, ScenarioInfo]:
    """Every scenario under `features_dir`, keyed by its reference (`file.feature: name`)."""
    from pytest_bdd.parser import FeatureParser

    base = features_dir or FEATURES_DIR
    found: dict[str, ScenarioInfo] = {}
    for path in sorted(base.rglob("*.feature")):
        rel = path.relative_to(base).as_posix()
        feature = FeatureParser(str(base), rel).parse()
        for template in feature.scenarios.values():
            examples = tuple(
                template.render(context).name
                for group in template.examples
                for context in group.as_contexts()
            )
            tags = frozenset(template.tags | feature.tags)
            info = ScenarioInfo(rel, template.name, tags, examples)
            found[info.ref] = info
    return found


def resolve(ref: str, scenarios: dict[str, ScenarioInfo]) -> ScenarioInfo | None:
    """The scenario a reference names: the scenario itself or one example of an outline."""
    if ref in scenarios:
        return scenarios[ref]
    feature, _, name = ref.partition(": ")
    for info in scenarios.values():
        if info.feature == feature and name in info.examples:
            return info
    return None


def traceability_problems(
    checklist: Checklist,
    scenarios: dict[str, ScenarioInfo],
    not_applicable: dict[str, str] | None = None,
) -> list[str]:
    """What breaks the link between checklist items and scenarios (empty when all is well).

    `not_applicable` is the vendor codec's map of capabilities it cannot express; when given,
    an automated item must name at least one scenario the vendor can run.
    """
    problems = []
    for item in checklist.items:
        if item.automated and not item.scenarios:
            problems.append(f"{checklist.vendor} {item.id}: automated but names no scenario")
        resolved = []
        for ref in item.scenarios:
            info = resolve(ref, scenarios)
            if info is None:
                problems.append(f"{checklist.vendor} {item.id}: no scenario {ref!r}")
            else:
                resolved.append(info)
        if item.automated and resolved and not_applicable is not None:
            runnable = [
                info for info in resolved if not any(c in not_applicable for c in info.needs)
            ]
            if not runnable:
                problems.append(
                    f"{checklist.vendor} {item.id}: every scenario it names is not applicable"
                    f" to {checklist.vendor}; list it as manual instead"
                )
    return problems
