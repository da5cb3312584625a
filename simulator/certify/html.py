"""One self-contained HTML page from the evidence bundle: inline CSS, no scripts, no links out.

The verdict first, then per dialect the checklist with links to each item's evidence, every
failure with its failing step, the exchange behind it and a command that reproduces it, and
finally every scenario with its steps and exchanges. The page is `templates/report.html`
(pieces in `templates/parts.html`), rendered by Jinja2 with autoescape: every value from the
bundle (member ids, response bodies, error messages) is escaped.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from .readiness import FAILED, MANUAL, NO_EVIDENCE, NOT_APPLICABLE, PASSED, SKIPPED

LEGEND = (
    (PASSED, "every applicable scenario passed (and every check found what it looks for)"),
    (FAILED, "a scenario failed or a check found a breach"),
    (SKIPPED, "a scenario was skipped for a reason other than not applicable"),
    (NO_EVIDENCE, "nothing applicable ran; not applicable scenarios are never evidence"),
    (NOT_APPLICABLE, "the vendor's API cannot express the scenario"),
    (MANUAL, "a person must review the item"),
)


TITLES = {"certify": "Go-live certification", "audit": "Traffic audit"}


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _without_empty(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if v not in (None, {}, [])}


def _items_by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def _status_counts(scenarios: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for s in scenarios:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("simulator.certify", "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a field the bundle lacks is a bug, not a blank
        finalize=lambda value: "" if value is None else value,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pretty=_pretty,
        without_empty=_without_empty,
        items_by_id=_items_by_id,
        status_counts=_status_counts,
    )
    env.globals.update(PASSED=PASSED, MANUAL=MANUAL, FAILED=FAILED, SKIPPED=SKIPPED)
    return env


def render_html(document: dict[str, Any]) -> str:
    command = document.get("command", "certify")  # `audit`: rules over recorded traffic
    return (
        _environment()
        .get_template("report.html")
        .render(
            command=command,
            title=TITLES.get(command, "Go-live certification"),
            legend=LEGEND,
            verdict=document["verdict"],
            tool=document["tool"],
            target=document["target"],
            seed=document["seed"],
            started_at=document["started_at"],
            finished_at=document["finished_at"],
            keyword=document.get("keyword"),
            dialects=document["dialects"],
            faults=document.get("faults"),
        )
    )
