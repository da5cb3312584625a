"""The evidence bundle: one JSON document per certify run, already masked.

Everything certify writes or prints (JSON, JUnit XML, HTML, the console table) is rendered
from this document, so masking happens here and only here.
"""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .evidence import ExchangeRecord, ScenarioRun
from .readiness import LABELS, ItemResult
from .redact import SECRET, Redactor
from .runner import CertifyResult, DialectResult

FORMAT = "posim-certify-evidence/1"
EMBEDDED = "embedded reference backend"


def _iso(at: datetime | float | None) -> str | None:
    if at is None:
        return None
    if isinstance(at, int | float):
        at = datetime.fromtimestamp(at, UTC)
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def redactor_for(result: CertifyResult) -> Redactor:
    """A Redactor that knows every secret and personal value the run touched."""
    redactor = Redactor()
    for creds in (result.credentials or {}).values():
        redactor.secret(list(creds.values()))
    for dialect in result.dialects:
        for run in dialect.runs:
            redactor.secret(run.secrets)
            redactor.personal(run.personal)
            for x in run.exchanges:
                redactor.learn_headers(x.request_headers)
                redactor.learn_headers(x.response_headers)
                redactor.learn_json(x.request_json)
                redactor.learn_json(x.params)
                redactor.learn_json(x.response_body)
    return redactor


def reproduce_command(run: ScenarioRun, result: CertifyResult, redactor: Redactor) -> str:
    """A command that runs this one scenario again, from the project root, with its trace."""
    if run.reproduce:
        return redactor.text(run.reproduce) or ""
    parts = ["python", "-m", "pytest", run.nodeid, "--posim-dialect", run.dialect]
    if result.target:
        parts += ["--posim-target", redactor.text(result.target) or ""]
    command = " ".join(shlex.quote(p) for p in parts)
    if result.credentials and result.credentials.get(run.dialect):
        command += ' --posim-credentials "$POSIM_CREDENTIALS"'
    return command


def _exchange(x: ExchangeRecord, redactor: Redactor) -> dict[str, Any]:
    response = None
    if x.status is not None:
        response = {
            "status": x.status,
            "headers": redactor.headers(x.response_headers),
            "body": redactor.json(x.response_body),
        }
    return {
        "id": x.id,
        "step": x.step,
        "op": x.op,
        "request_id": x.request_id,
        "started": _iso(x.started),
        "duration_ms": x.duration_ms,
        "request": {
            "method": x.method,
            "path": redactor.text(x.path),
            "params": redactor.json(x.params),
            "headers": redactor.headers(x.request_headers),
            "json": redactor.json(x.request_json),
        },
        "response": response,
        "error": redactor.text(x.error),
    }


def _scenario(
    run: ScenarioRun, items: list[str], result: CertifyResult, redactor: Redactor
) -> dict[str, Any]:
    return {
        "id": run.run_id,
        "feature": run.feature,
        "name": redactor.text(run.name),
        "outline": redactor.text(run.template) if run.template != run.name else None,
        "nodeid": run.nodeid,
        "status": run.status,
        "reason": redactor.text(run.reason),
        "phase": run.phase or None,
        "duration_s": run.duration_s,
        "failing_step": run.failing_step,
        "items": items,
        "reproduce": reproduce_command(run, result, redactor),
        "steps": [
            {
                "keyword": s.keyword,
                "text": redactor.text(s.text),
                "status": s.status,
                "error": redactor.text(s.error) or None,
                "exchanges": s.exchanges,
            }
            for s in run.steps
        ],
        "exchanges": [_exchange(x, redactor) for x in run.exchanges],
    }


def _item(r: ItemResult, redactor: Redactor) -> dict[str, Any]:
    return {
        "id": r.item.id,
        "section": r.item.section,
        "text": r.item.text,
        "severity": r.item.severity,
        "lane": r.item.lane,
        "status": r.status,
        "detail": redactor.text(r.detail),
        "source": r.item.source or None,
        "note": r.item.note or None,
        "scenarios": list(r.item.scenarios),
        "evidence": [
            {"run": o.run_id, "status": o.status, "reason": redactor.text(o.reason) or None}
            for o in r.runs
        ],
        "checks": [
            {"check": f.check.describe(), "ok": f.ok, "detail": redactor.text(f.detail)}
            for f in r.findings
        ],
    }


def _dialect(d: DialectResult, result: CertifyResult, redactor: Redactor) -> dict[str, Any]:
    naming: dict[str, list[str]] = {}
    for r in d.results:
        for o in r.runs:
            naming.setdefault(o.run_id, []).append(r.item.id)
    v = d.verdict
    return {
        "dialect": d.dialect,
        "checklist": None
        if d.checklist is None
        else {
            "vendor": d.checklist.vendor,
            "title": d.checklist.title,
            "source": d.checklist.source,
        },
        "verdict": {
            "level": v.level,
            "label": v.label,
            "blockers": [r.item.id for r in v.blockers],
            "risks": [r.item.id for r in v.risks],
            "notes": [r.item.id for r in v.notes],
            "manual": [i.id for i in v.manual],
            "problems": [redactor.text(p) for p in v.problems],
        },
        "items": [_item(r, redactor) for r in d.results],
        "scenarios": [
            _scenario(run, naming.get(run.run_id, []), result, redactor) for run in d.runs
        ],
    }


def evidence_document(result: CertifyResult) -> dict[str, Any]:
    redactor = redactor_for(result)
    credentials = None
    if result.credentials:
        credentials = {d: dict.fromkeys(c, SECRET) for d, c in result.credentials.items()}
    return {
        "format": FORMAT,
        "command": result.command,
        "tool": {"name": "posim", "version": result.version},
        "started_at": _iso(result.started_at),
        "finished_at": _iso(result.finished_at),
        "seed": result.seed,
        "target": redactor.text(result.target) if result.target else EMBEDDED,
        "credentials": credentials,
        "keyword": result.keyword,
        "verdict": {"level": result.level, "label": LABELS[result.level]},
        "dialects": [_dialect(d, result, redactor) for d in result.dialects],
        "faults": redactor.json(result.faults) if result.faults is not None else None,
    }


REPORT_FILES = {
    "junit": "certify-junit.xml",
    "json": "certify-evidence.json",
    "html": "certify-report.html",
}


def write_reports(result: CertifyResult, out_dir: str | Path) -> dict[str, Path]:
    """Write the JUnit XML, the JSON evidence bundle and the HTML page; return their paths."""
    from .html import render_html
    from .junit import render_junit

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    document = evidence_document(result)
    prefix = f"{result.command}-"  # certify-*.xml, audit-*.xml: one run never hides another
    paths = {kind: out / name.replace("certify-", prefix, 1) for kind, name in REPORT_FILES.items()}
    paths["json"].write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    paths["junit"].write_text(render_junit(document), encoding="utf-8")
    paths["html"].write_text(render_html(document), encoding="utf-8")
    return paths
