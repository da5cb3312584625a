"""The checklist, live: the certification audit run over a tenant's traffic as it stands."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ..certify.bundle import evidence_document
from ..certify.traffic_audit import audit


def _audit(tenant, dialect: str) -> tuple[dict[str, Any], int]:
    """`posim audit`'s evidence document for the tenant's traffic ring, and its length."""
    entries = [entry.to_dict() for entry in tenant.traffic]
    with tempfile.TemporaryDirectory(prefix="posim-ui-") as folder:
        path = Path(folder) / f"{tenant.tenant_id}.jsonl"
        path.write_text("".join(json.dumps(e, default=str) + "\n" for e in entries), "utf-8")
        result = audit(path, dialect)
    return evidence_document(result), len(entries)


def report_html(tenant, dialect: str) -> str:
    from ..certify.html import render_html

    return render_html(_audit(tenant, dialect)[0])


def evaluate(tenant, dialect: str) -> dict[str, Any]:
    """Run `posim audit`'s rules on the tenant's traffic ring; the verdict it would get now."""
    document, count = _audit(tenant, dialect)
    judged = document["dialects"][0]
    items = [
        {
            "id": item["id"],
            "text": item["text"],
            "severity": item["severity"],
            "status": item["status"],
            "detail": item["detail"],
            "findings": [c["detail"] for c in item["checks"] if not c["ok"]],
        }
        for item in judged["items"]
    ]
    return {
        "dialect": dialect,
        "exchanges": count,
        "verdict": judged["verdict"],
        "label": document["verdict"]["label"],
        "items": items,
    }
