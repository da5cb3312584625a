"""docs/parity/gameball.md states how much of Gameball's OpenAPI posim serves; this test
measures it from the facts file and the mounted routes, so the figure is never typed by
hand, and it requires a reason in the table for every operation left out."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.gameball import SPEC, V40, mounted_operations

ROOT = Path(__file__).resolve().parents[2]
PARITY = ROOT / "docs" / "parity" / "gameball.md"
METHODS = {"get", "post", "put", "patch", "delete"}
COVERAGE = re.compile(r"serves \*\*(\d+) of the (\d+)\*\* operations \((\d+)%\)")


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def spec_operations() -> set[tuple[str, str]]:
    paths = json.loads(SPEC.read_text())["paths"]
    return {
        (method.upper(), _shape(path))
        for path, ops in paths.items()
        if path.startswith(V40)
        for method in ops
        if method in METHODS
    }


def served_operations() -> set[tuple[str, str]]:
    return {(m, _shape(p)) for m, p in mounted_operations()} & spec_operations()


def test_the_parity_table_states_the_measured_coverage():
    spec, served = spec_operations(), served_operations()
    found = COVERAGE.search(PARITY.read_text())
    assert found, "the parity table must state 'serves **N of the M** operations (P%)'"
    stated = tuple(int(x) for x in found.groups())
    assert stated == (len(served), len(spec), round(100 * len(served) / len(spec)))


def test_every_operation_left_out_has_a_row_with_a_reason():
    text = PARITY.read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`") and cells[1]:
            method, _, path = cells[0].strip("`").partition(" ")
            rows[(method, _shape(V40 + "/" + path))] = cells[1]
    missing = sorted(spec_operations() - served_operations() - set(rows))
    assert missing == [], f"left out without a reason: {missing}"
    assert not set(rows) & served_operations(), "a served operation is listed as left out"
