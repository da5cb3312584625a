"""The till corpus through `posim certify --pos`: every correct till is Ready with no finding,
and every till that breaks one go-live rule is Not ready, exits non-zero and is named by the
rule it broke.

The tills (examples/tills) are written from the vendors' documents with plain httpx; each run
starts a fresh backend on 127.0.0.1 with the vendor's fault plan and stops by itself.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from simulator.certify.readiness import NOT_READY, READY

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "till_detection.py"
_spec = importlib.util.spec_from_file_location("till_detection", SCRIPT)
detection = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("till_detection", detection)  # its dataclasses look themselves up here
_spec.loader.exec_module(detection)

RUNS = detection.corpus()
CORRECT = [(d, c) for d, c in RUNS if c == detection.CORRECT]
VARIANTS = [(d, c) for d, c in RUNS if c != detection.CORRECT]


def test_the_corpus_has_a_correct_till_and_variants_per_vendor():
    assert sorted(d for d, _ in CORRECT) == ["capillary", "gameball", "wll"]
    for dialect in ("gameball", "wll", "capillary"):
        names = {c for d, c in VARIANTS if d == dialect}
        # the rules every vendor shares, each broken by a variant of its own
        shared = {"no-balance-read", "over-redeem", "new-id-on-retry", "reuse-order-id"}
        shared |= {"refund-unknown-order", "ignore-retry-after"}
        assert shared <= names and names <= set(detection.EXPECTED), dialect


@pytest.mark.parametrize(("dialect", "condition"), CORRECT)
def test_a_correct_till_is_ready_under_the_fault_plan(tmp_path, dialect, condition):
    outcome = detection.certify(dialect, condition, tmp_path)
    assert outcome.findings == [] and outcome.open_items == [] and outcome.problems == []
    assert (outcome.level, outcome.exit_code) == (READY, 0)


@pytest.mark.parametrize(("dialect", "condition"), VARIANTS)
def test_a_till_that_breaks_one_rule_is_not_ready_and_named(tmp_path, dialect, condition):
    outcome = detection.certify(dialect, condition, tmp_path)
    assert (outcome.level, outcome.exit_code) == (NOT_READY, 1)
    assert detection.EXPECTED[condition] in outcome.rules, outcome.findings
