"""The inspector's routes under /_posim/ui: the page, its assets, JSON reads and a live stream.

Every read here is a view of the control plane's own data (the traffic ring, the engine,
the audit rules); actions on the page call the control plane itself.
"""

from __future__ import annotations

import asyncio
import json
import time
from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse

from reference_backend.control.guard import ControlRoute
from reference_backend.engine import EngineError

from ..certify.fault_plan import FaultPlanError, load_fault_plan
from . import checklist_live, ledger_view, reports
from .journal import Journal

# the page and its assets hold no data, so a browser can load them by navigation; every
# read of a tenant goes through the control plane's guard (Host check, admin token)
router = APIRouter(prefix="/_posim/ui", tags=["inspector"], include_in_schema=False)
api = APIRouter(
    prefix="/_posim/ui", tags=["inspector"], include_in_schema=False, route_class=ControlRoute
)
ASSETS = {"inspector.js": "text/javascript", "inspector.css": "text/css"}
STREAM_PERIOD_S = 1.0  # journal rows are batched: at most one push a second
STREAM_BATCH = 25  # and at most this many rows per push: under load the page samples
STREAM_MAX_S = 600.0  # a stream ends by itself; EventSource reconnects where it left off


def _asset(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def _tenant(request: Request, tenant_id: str):
    tenant = request.app.state.registry.get(tenant_id)
    if tenant is None:
        raise HTTPException(404, f"tenant {tenant_id!r} not found")
    return tenant


def _journal(request: Request, tenant) -> Journal:
    marks = getattr(request.app.state, "inspector_marks", None)
    return Journal(tenant, request.app.state.dialects, marks)


@router.get("/")
def page():
    return Response(_asset("index.html"), media_type="text/html; charset=utf-8")


@router.get("/assets/{name}")
def asset(name: str):
    if name not in ASSETS:
        raise HTTPException(404, "no such asset")
    return Response(_asset(name), media_type=ASSETS[name])


@api.get("/api/tenants")
def tenants(request: Request):
    found = request.app.state.registry.all()
    return {
        "tenants": [t.tenant_id for t in found],
        "dialects": [d.name for d in request.app.state.dialects],
    }


@api.get("/api/tenants/{tenant_id}/journal")
def journal(request: Request, tenant_id: str, after: int = Query(0, ge=0)):
    tenant = _tenant(request, tenant_id)
    return {
        "tenant": tenant_id,
        "clock": tenant.engine.now().isoformat(),
        "rows": _rows(request, tenant, after),
    }


def _rows(request: Request, tenant, after: int) -> list[dict[str, Any]]:
    return _journal(request, tenant).rows(after)


@api.get("/api/tenants/{tenant_id}/exchanges/{request_id}")
def exchange(request: Request, tenant_id: str, request_id: str):
    tenant = _tenant(request, tenant_id)
    view = _journal(request, tenant)
    n = view.find(request_id)
    if n is None:
        raise HTTPException(404, f"exchange {request_id!r} is not in the traffic ring")
    return view.detail(n, str(request.base_url))


AUDIT_EVERY_S = 5.0  # the full audit reads the whole log: a busy page reuses a recent one
_audits: dict[str, tuple[int, float, list[dict[str, Any]]]] = {}


def _audit(tenant) -> dict[str, Any]:
    """The ledger audit, re-run when the ledger moved and the last run is not too recent."""
    postings = tenant.engine.state.ledger.postings
    last = postings[-1].seq if postings else 0
    cached = _audits.get(tenant.tenant_id)
    now = time.monotonic()
    if cached is None or (cached[0] != last and now - cached[1] >= AUDIT_EVERY_S):
        violations = [v.to_dict() for v in tenant.engine.audit()]
        cached = _audits[tenant.tenant_id] = (last, now, violations)
    return {"ok": not cached[2], "violations": cached[2], "as_of_posting": cached[0]}


@api.get("/api/tenants/{tenant_id}/members")
def members(request: Request, tenant_id: str):
    tenant = _tenant(request, tenant_id)
    view = _journal(request, tenant)
    return {
        "tenant": tenant_id,
        "clock": tenant.engine.now().isoformat(),
        "members": ledger_view.members(tenant, view.redactor),
        "audit": _audit(tenant),
    }


@api.get("/api/tenants/{tenant_id}/members/{member_id}")
def member(request: Request, tenant_id: str, member_id: str):
    tenant = _tenant(request, tenant_id)
    try:
        return ledger_view.member(tenant, member_id, _journal(request, tenant).redactor)
    except EngineError as exc:
        raise HTTPException(404, exc.message) from exc


@api.get("/api/tenants/{tenant_id}/checklist")
def checklist(request: Request, tenant_id: str, dialect: str = Query(...)):
    tenant = _tenant(request, tenant_id)
    if dialect not in {d.name for d in request.app.state.dialects}:
        raise HTTPException(400, f"unknown dialect {dialect!r}")
    return checklist_live.evaluate(tenant, dialect)


@api.get("/api/tenants/{tenant_id}/checklist/report")
def checklist_report(request: Request, tenant_id: str, dialect: str = Query(...)):
    """The full audit report (the same HTML `posim audit` writes) for the traffic so far."""
    tenant = _tenant(request, tenant_id)
    if dialect not in {d.name for d in request.app.state.dialects}:
        raise HTTPException(400, f"unknown dialect {dialect!r}")
    html = checklist_live.report_html(tenant, dialect)
    return Response(html, media_type="text/html; charset=utf-8")


@api.get("/api/tenants/{tenant_id}/stream")
async def stream(request: Request, tenant_id: str, after: int = Query(0, ge=0)):
    """Server-sent events: new journal rows in batches, and the tenant's clock."""
    tenant = _tenant(request, tenant_id)

    def batch(cursor: int) -> tuple[list[dict[str, Any]], int]:
        view = _journal(request, tenant)
        return view.rows(cursor, limit=STREAM_BATCH), view.skipped

    async def events():
        cursor, waited = after, 0.0
        yield "retry: 1000\n\n"
        while waited < STREAM_MAX_S and not await request.is_disconnected():
            if _has_news(request, tenant, cursor):
                # built off the event loop: the vendor calls it serves keep their latency
                rows, skipped = await asyncio.to_thread(batch, cursor)
                cursor = max([cursor] + [r["seq"] or 0 for r in rows])
                if rows:
                    yield _event("journal", {"rows": rows, "skipped": skipped}, cursor)
            yield _event("clock", {"clock": tenant.engine.now().isoformat()})
            await asyncio.sleep(STREAM_PERIOD_S)
            waited += STREAM_PERIOD_S

    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


def _has_news(request: Request, tenant, cursor: int) -> bool:
    """Cheap test before building rows: has any exchange been stamped after `cursor`?"""
    marks = getattr(request.app.state, "inspector_marks", None)
    if marks is None:
        return bool(tenant.traffic)
    return marks.latest(tenant.tenant_id) > cursor or (cursor > 0 and not tenant.traffic)


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


@api.get("/api/fault-plans")
def fault_plans(request: Request, client_timeout_s: float = Query(2.0, gt=0, le=600)):
    """Each dialect's certification fault plan as control-plane fault rules: the page posts
    them to /_posim/tenants/{id}/faults itself, as `posim certify --pos` does."""
    plans = []
    for dialect in request.app.state.dialects:
        try:
            plan = load_fault_plan(dialect.name)
        except FaultPlanError as exc:
            plans.append({"dialect": dialect.name, "error": str(exc), "faults": []})
            continue
        faults = [
            {
                "id": fault.fault_id,
                "proves": list(fault.proves),
                "why": fault.why,
                "rule": {**fault.control_rule(client_timeout_s), "dialect": dialect.name},
            }
            for fault in plan.faults
        ]
        plans.append({"dialect": dialect.name, "faults": faults})
    return {"client_timeout_s": client_timeout_s, "plans": plans}


@api.get("/api/reports")
def report_list(request: Request):
    folder = getattr(request.app.state, "inspector_reports", None)
    return {"folder": str(folder) if folder else None, "reports": reports.listing(folder)}


@api.get("/reports/{relative:path}")
def report_file(request: Request, relative: str):
    path = reports.resolve(getattr(request.app.state, "inspector_reports", None), relative)
    if path is None:
        raise HTTPException(404, "no such report")
    return FileResponse(path)
