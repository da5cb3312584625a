"""The HTML report escapes everything it shows: a hostile member id, response body, item or
fault never becomes markup."""

from __future__ import annotations

import re

from simulator.certify.html import render_html

HOSTILE = "<script>alert(1)</script>"
MEMBER = f'm1"><img src=x onerror=alert(1)>{HOSTILE}'


def _exchange() -> dict:
    return {
        "id": "x-1",
        "step": 0,
        "op": "balance",
        "request_id": "req1",
        "started": "2026-03-01T09:00:00.000Z",
        "duration_ms": 2.0,
        "request": {"method": "GET", "path": f"/v1/users/{MEMBER}/wallet", "json": None},
        "response": {"status": 400, "headers": {}, "body": {"message": HOSTILE}},
        "error": None,
    }


def _document() -> dict:
    scenario = {
        "id": "run-1",
        "feature": f"feature {HOSTILE}",
        "name": f"balance of {MEMBER}",
        "status": "failed",
        "reason": HOSTILE,
        "duration_s": 0.5,
        "failing_step": 0,
        "items": ["GB-1"],
        "reproduce": f"posim certify -k '{MEMBER}'",
        "steps": [
            {
                "keyword": "When",
                "text": f'member "{MEMBER}" asks',
                "status": "failed",
                "error": HOSTILE,
                "exchanges": ["x-1"],
            }
        ],
        "exchanges": [_exchange()],
    }
    item = {
        "id": "GB-1",
        "text": f"item {HOSTILE}",
        "severity": "critical",
        "lane": "automated",
        "status": "failed",
        "detail": HOSTILE,
        "note": HOSTILE,
        "evidence": [{"run": "run-1", "status": "failed"}],
        "checks": [{"check": HOSTILE, "detail": HOSTILE}],
    }
    verdict = {"level": "not_ready", "label": "Not ready"}
    dialect = {
        "dialect": "gameball",
        "checklist": {"title": HOSTILE, "source": HOSTILE},
        "verdict": {
            **verdict,
            "blockers": ["GB-1"],
            "risks": [],
            "notes": [],
            "manual": [],
            "problems": [HOSTILE],
        },
        "items": [item],
        "scenarios": [scenario],
    }
    fault = {
        "fault": "f1",
        "kind": "error",
        "proves": ["GB-1"],
        "request_id": "req1",
        "line": 3,
        "request": f"GET /v1/users/{MEMBER}/wallet",
        "status": 503,
        "on": HOSTILE,
    }
    return {
        "command": "certify",
        "tool": {"version": "0.1.0"},
        "target": HOSTILE,
        "seed": 7,
        "started_at": "2026-03-01T09:00:00Z",
        "finished_at": "2026-03-01T09:00:01Z",
        "keyword": HOSTILE,
        "verdict": verdict,
        "dialects": [dialect],
        "faults": [fault, {"fault": "f2", "kind": None, "proves": None}],
    }


def test_hostile_content_is_escaped_everywhere():
    page = render_html(_document())
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|img)\b", page, re.IGNORECASE)
    assert "onerror=alert(1)&gt;" in page  # shown as text, inside no tag
    # every place that shows a value shows it escaped
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 15


def test_the_report_shows_what_it_is_given():
    page = render_html(_document())
    for text in ("Go-live certification", "Failing step", "Request it hit", "seed 7"):
        assert text in page
    assert "never fired: no request matched it" in page  # the fault without a request
    assert 'href="#item-GB-1"' in page and 'id="run-1"' in page
    assert "2.0 ms" in page and "0.50 s" in page and "1 failed" in page
