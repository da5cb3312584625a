"""`posim certify` gives the same answer on the direct runner as in a pytest-bdd session:
the same verdicts and item statuses, and per scenario the same run, node id, outcome,
failing step, reason and exchanges, in all three reports."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET

import pytest

from simulator.certify import certify, write_reports
from simulator.certify.cli import add_certify_parser
from simulator.certify.runner import FEATURES_DIR, choose_runner, reference_app

FILES = {"json": "evidence.json", "junit": "junit.xml", "html": "report.html"}


def _first_line(text: str | None) -> str:
    return (text or "").splitlines()[0] if text else ""


def _scenario(s: dict) -> tuple:
    """What must not depend on the runner (durations, timestamps and object addresses do)."""
    steps = [
        (st["keyword"], st["text"], st["status"], _first_line(st["error"])) for st in s["steps"]
    ]
    exchanges = [
        (x["step"], x["op"], x["request"]["method"], (x["response"] or {}).get("status"))
        for x in s["exchanges"]
    ]
    return (
        s["id"],
        s["feature"],
        s["name"],
        s["nodeid"],
        s["status"],
        s["phase"],
        s["failing_step"],
        _first_line(s["reason"]),
        tuple(s["items"]),
        s["reproduce"],
        tuple(steps),
        tuple(exchanges),
    )


def _summary(paths: dict) -> dict:
    document = json.loads(paths["json"].read_text())
    junit = ET.parse(paths["junit"]).getroot()
    return {
        "verdict": document["verdict"],
        "dialects": [
            (
                d["dialect"],
                d["verdict"],
                [(i["id"], i["status"], i["detail"]) for i in d["items"]],
                [_scenario(s) for s in d["scenarios"]],
            )
            for d in document["dialects"]
        ],
        "junit": [
            (c.get("classname"), c.get("name"), [child.tag for child in c])
            for c in junit.iter("testcase")
        ],
        "html_verdict": "Not ready" in paths["html"].read_text(),
    }


def _both_ways(tmp_path, **options) -> tuple[dict, dict]:
    found = {}
    for runner in ("direct", "pytest"):
        result = certify(**options, runner=runner)
        found[runner] = _summary(write_reports(result, tmp_path / runner))
    return found["direct"], found["pytest"]


def test_a_broken_target_gets_the_same_report_from_both_runners(broken_target, tmp_path):
    _, url = broken_target
    direct, session = _both_ways(tmp_path, dialects="gameball", target=url, seed=3, timeout=1.0)
    assert direct["verdict"]["level"] == "not_ready"
    (scenarios,) = [d[3] for d in direct["dialects"]]
    assert {s[4] for s in scenarios} == {"passed", "failed", "not applicable"}
    assert direct == session


def test_the_embedded_backend_gets_the_same_report_from_both_runners(tmp_path):
    direct, session = _both_ways(tmp_path, dialects="wll", app=reference_app(seed=5), seed=5)
    assert direct["verdict"]["level"] == "ready"
    assert direct == session


def test_the_runner_is_chosen_by_what_the_features_folder_holds(tmp_path):
    assert choose_runner(FEATURES_DIR) == "direct"  # posim's own, binding module and all
    (tmp_path / "mine.feature").write_text("Feature: x\n")
    assert choose_runner(tmp_path) == "direct"  # plain feature files
    (tmp_path / "conftest.py").write_text("")
    assert choose_runner(tmp_path) == "pytest"  # the folder's own Python runs under pytest
    assert choose_runner(tmp_path, "direct") == "direct"
    with pytest.raises(ValueError, match="unknown runner"):
        certify("gameball", runner="nose")


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="posim")
    add_certify_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["certify", *argv])
    return args.func(args)


@pytest.mark.parametrize("keyword", ["earn_on_a_sale", "checkout and not needs_holds", "kind"])
def test_the_cli_selects_and_judges_the_same_scenarios_either_way(tmp_path, keyword):
    found = {}
    for runner in ("direct", "pytest"):
        out = tmp_path / runner
        argv = ["--dialect", "gameball", "-k", keyword, "--out", str(out), "--no-progress"]
        code = _cli([*argv, "--runner", runner])
        found[runner] = (code, _summary({k: out / f"certify-{n}" for k, n in FILES.items()}))
    assert found["direct"][1]["dialects"][0][3], "the expression selects some scenarios"
    assert found["direct"] == found["pytest"]
