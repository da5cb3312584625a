"""A vendor's fault plan: `fixtures/checklists/<vendor>.faults.yaml`, beside its checklist.

Some checklist items can only be seen under faults (a resent sale after a 5xx, a lost answer
or a timeout; a back-off after a 429). The plan says which fault proves which item; its rules
are the control plane's own fault rules, sequenced (`once_per: order`, `after`, `count`) so
that each fault lands on a different sale. `slower_than_client: true` makes the rule outlast
the till's own timeout: its latency (or, for a lost answer, its hang) becomes the client
timeout plus one second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..cli.control import FAULT_FIELDS
from .checklists import CHECKLISTS_DIR, Checklist

# the fields of `posim faults add`, less those the session sets itself
RULE_FIELDS = frozenset(FAULT_FIELDS) - {"dialect", "fault_id"}
KINDS = ("latency", "error", "rate_limit", "drop", "lose_response")


class FaultPlanError(ValueError):
    """A fault plan that does not follow the format."""


@dataclass(frozen=True)
class PlannedFault:
    fault_id: str
    proves: tuple[str, ...]  # checklist item ids
    why: str
    rule: dict[str, Any]  # the control plane's fault fields
    slower_than_client: bool = False

    def control_rule(self, client_timeout_s: float) -> dict[str, Any]:
        """The rule as POST /_posim/tenants/{id}/faults takes it."""
        rule = {**self.rule, "fault_id": self.fault_id}
        if self.slower_than_client:
            outlast = client_timeout_s + 1.0
            if rule["kind"] == "latency":
                rule["latency_ms"] = round(outlast * 1000)
            else:
                rule["hang_s"] = outlast
        return rule


@dataclass(frozen=True)
class FaultPlan:
    vendor: str
    faults: tuple[PlannedFault, ...]

    def proving(self) -> dict[str, list[str]]:
        """Checklist item id -> the ids of the faults that prove it."""
        out: dict[str, list[str]] = {}
        for fault in self.faults:
            for item in fault.proves:
                out.setdefault(item, []).append(fault.fault_id)
        return out


def fault_plan_path(vendor: str, directory: Path | None = None) -> Path:
    return (directory or CHECKLISTS_DIR) / f"{vendor}.faults.yaml"


def _fault(raw: Any, n: int, checklist: Checklist | None) -> PlannedFault:
    where = f"fault {n}"
    if not isinstance(raw, dict):
        raise FaultPlanError(f"{where} is not a mapping")
    fault_id = raw.get("id")
    if not isinstance(fault_id, str) or not fault_id:
        raise FaultPlanError(f"{where} has no id")
    where = f"fault {fault_id!r}"
    unknown = set(raw) - {"id", "proves", "why", "rule", "slower_than_client"}
    if unknown:
        raise FaultPlanError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    proves = raw.get("proves")
    if not isinstance(proves, list) or not proves or not all(isinstance(p, str) for p in proves):
        raise FaultPlanError(f"{where}: proves must list checklist item ids")
    if checklist is not None:
        known = {item.id for item in checklist.items}
        missing = [p for p in proves if p not in known]
        if missing:
            raise FaultPlanError(f"{where} proves {', '.join(missing)}: not in the checklist")
    rule = raw.get("rule")
    if not isinstance(rule, dict) or rule.get("kind") not in KINDS:
        raise FaultPlanError(f"{where}: rule needs a kind ({', '.join(KINDS)})")
    extra = set(rule) - RULE_FIELDS
    if extra:
        raise FaultPlanError(f"{where}: rule has unknown field(s) {', '.join(sorted(extra))}")
    slower = raw.get("slower_than_client", False)
    if not isinstance(slower, bool):
        raise FaultPlanError(f"{where}: slower_than_client is true or false")
    if slower and rule["kind"] not in ("latency", "drop", "lose_response"):
        raise FaultPlanError(f"{where}: only a latency, drop or lost answer can outlast the till")
    return PlannedFault(fault_id, tuple(proves), str(raw.get("why") or ""), dict(rule), slower)


def parse_fault_plan(document: Any, vendor: str, checklist: Checklist | None) -> FaultPlan:
    if not isinstance(document, dict) or not isinstance(document.get("faults"), list):
        raise FaultPlanError("a fault plan is a mapping with a list of faults")
    if document.get("vendor") != vendor:
        raise FaultPlanError(f"the fault plan is for {document.get('vendor')!r}, not {vendor}")
    faults = tuple(_fault(raw, n, checklist) for n, raw in enumerate(document["faults"], 1))
    ids = [f.fault_id for f in faults]
    if len(set(ids)) != len(ids):
        raise FaultPlanError("fault ids must be unique")
    return FaultPlan(vendor, faults)


def load_fault_plan(
    vendor: str, path: Path | None = None, checklist: Checklist | None = None
) -> FaultPlan:
    """The plan at `path` (default: beside the vendor's checklist); FaultPlanError if it is
    missing or malformed, or names an item the checklist lacks."""
    path = path or fault_plan_path(vendor)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FaultPlanError(f"no fault plan for {vendor}: {exc.strerror}: {path}") from exc
    except yaml.YAMLError as exc:
        raise FaultPlanError(
            f"{path.name} is not valid YAML: {' '.join(str(exc).split())}"
        ) from exc
    return parse_fault_plan(document, vendor, checklist)
