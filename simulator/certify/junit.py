"""JUnit XML from the evidence bundle: one test case per scenario and dialect.

Each dialect is a test suite; a failed scenario is a <failure> naming the failing step, a
scenario that is not applicable is <skipped>. One more case per dialect, "go-live verdict",
fails when the dialect is Not ready, so CI shows the verdict itself, not only the scenarios.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from .readiness import FAILED, NOT_APPLICABLE, NOT_READY, SKIPPED


def _failure_text(scenario: dict[str, Any]) -> str:
    lines = []
    index = scenario.get("failing_step")
    if index is not None and index < len(scenario["steps"]):
        step = scenario["steps"][index]
        lines.append(f"failing step: {step['keyword']} {step['text']}")
        if step.get("error"):
            lines.append(step["error"])
    elif scenario.get("reason"):
        lines.append(scenario["reason"])
    if scenario.get("items"):
        lines.append("checklist items: " + ", ".join(scenario["items"]))
    lines.append(f"reproduce: {scenario['reproduce']}")
    return "\n".join(lines)


def _verdict_case(suite: ET.Element, dialect: dict[str, Any], command: str = "certify") -> bool:
    verdict = dialect["verdict"]
    case = ET.SubElement(
        suite, "testcase", classname=f"{dialect['dialect']}.{command}", name="go-live verdict"
    )
    lines = [f"verdict: {verdict['label']}"]
    lines += [f"problem: {p}" for p in verdict["problems"]]
    items = {i["id"]: i for i in dialect["items"]}
    for key, title in (("blockers", "blocker"), ("risks", "risk")):
        for item_id in verdict[key]:
            item = items[item_id]
            lines.append(f"{title}: {item_id} ({item['status']}) {item['text']}")
    if verdict["level"] == NOT_READY:
        failure = ET.SubElement(case, "failure", message=f"Not ready: {dialect['dialect']}")
        failure.text = "\n".join(lines)
        return True
    ET.SubElement(case, "system-out").text = "\n".join(lines)
    return False


def render_junit(document: dict[str, Any]) -> str:
    command = document.get("command", "certify")  # `audit`: rules over recorded traffic
    root = ET.Element("testsuites", name=f"posim {command}")
    totals = {"tests": 0, "failures": 0, "skipped": 0, "time": 0.0}
    for dialect in document["dialects"]:
        suite = ET.SubElement(root, "testsuite", name=f"posim {command} {dialect['dialect']}")
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("dialect", dialect["dialect"]),
            ("verdict", dialect["verdict"]["label"]),
            ("target", document["target"]),
            ("seed", None if document["seed"] is None else str(document["seed"])),
            ("posim version", document["tool"]["version"]),
        ):
            if value is not None:
                ET.SubElement(props, "property", name=name, value=value)
        counts = {"tests": 0, "failures": 0, "skipped": 0, "time": 0.0}
        for scenario in dialect["scenarios"]:
            feature = scenario["feature"].removesuffix(".feature").replace("/", ".")
            where = f"features/{scenario['feature']}" if command == "certify" else feature
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{dialect['dialect']}.{feature}",
                name=scenario["name"],
                file=where,
                time=f"{scenario['duration_s']:.3f}",
            )
            counts["tests"] += 1
            counts["time"] += scenario["duration_s"]
            if scenario["status"] == FAILED:
                counts["failures"] += 1
                message = (scenario["reason"] or "failed").splitlines()[0][:300]
                failure = ET.SubElement(case, "failure", message=message, type="scenario")
                failure.text = _failure_text(scenario)
            elif scenario["status"] in (SKIPPED, NOT_APPLICABLE):
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=scenario["reason"] or scenario["status"])
            elif scenario["items"]:
                ET.SubElement(case, "system-out").text = "checklist items: " + ", ".join(
                    scenario["items"]
                )
        counts["tests"] += 1
        counts["failures"] += int(_verdict_case(suite, dialect, command))
        for key, value in counts.items():
            suite.set(key, f"{value:.3f}" if key == "time" else str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, f"{value:.3f}" if key == "time" else str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"
