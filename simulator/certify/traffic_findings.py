"""What a traffic rule returns (`RuleResult`: what it inspected, every breach with the calls
that show it), and the small helpers the rules share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .traffic_calls import Call, Op, Traffic

SHOWN = 5  # breaches spelled out in a detail line


@dataclass
class Breach:
    message: str
    calls: tuple[Call, ...]


@dataclass
class RuleResult:
    inspected: int = 0
    breaches: list[Breach] = field(default_factory=list)
    what: str = "request(s)"  # what was inspected, for the detail line
    empty: str = "nothing in the traffic exercised it"  # why there is no evidence
    leaves: set[str] = field(default_factory=set)  # raw personal values found: masked later

    def breach(self, message: str, *calls: Call) -> None:
        self.breaches.append(Breach(message, calls))

    @property
    def ok(self) -> bool | None:
        if self.breaches:
            return False
        return True if self.inspected else None

    def detail(self) -> str:
        if self.breaches:
            shown = "; ".join(b.message for b in self.breaches[:SHOWN])
            more = len(self.breaches) - SHOWN
            return shown + (f"; and {more} more" if more > 0 else "")
        if not self.inspected:
            return self.empty
        return f"{self.inspected} {self.what} inspected"


# -- helpers -------------------------------------------------------------------------------
def first_of_each(ops: Iterable[Op]) -> Iterator[Op]:
    """Each op once per client id: a retry of the same id is the same thing again."""
    seen: set[tuple[str, str, str, str]] = set()
    for op in ops:
        if op.key is None:
            yield op
            continue
        mark = (op.pos, op.kind, op.family, op.key)
        if mark not in seen:
            seen.add(mark)
            yield op


def of_kinds(traffic: Traffic, *kinds: str) -> list[Op]:
    return [op for op in traffic.ops if op.kind in kinds]


def shares(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a & b)
