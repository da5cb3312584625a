"""Many scenarios failing for one reason (a target that answers garbage, keys that expired)
are one root cause: the report says it once, with how many scenarios and items it took."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .readiness import FAILED

FAILING = (FAILED,)
_VARYING = re.compile(r"[\w.-]*\d[\w.-]*")  # ids, references, numbers: differ per scenario


@dataclass(frozen=True)
class RootCause:
    reason: str  # the first scenario's own words
    scenarios: int
    items: tuple[str, ...]


def _key(reason: str) -> str:
    first = reason.strip().splitlines()[0] if reason.strip() else ""
    return _VARYING.sub("#", first)


def root_causes(dialect: dict[str, Any], least: int = 2) -> list[RootCause]:
    """Failure reasons shared by at least `least` scenarios of one dialect, most common first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for run in dialect.get("scenarios", []):
        if run.get("status") in FAILING and (run.get("reason") or "").strip():
            groups.setdefault(_key(run["reason"]), []).append(run)
    found = [
        RootCause(
            reason=runs[0]["reason"].strip().splitlines()[0],
            scenarios=len(runs),
            items=tuple(sorted({item for run in runs for item in run.get("items", [])})),
        )
        for runs in groups.values()
        if len(runs) >= least
    ]
    return sorted(found, key=lambda cause: -cause.scenarios)
