"""Control-plane routes under /_posim (never under a vendor path)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from ..engine import EngineError, ProgramConfig
from ..engine import snapshot as snapshots
from ..hardening import MAX_NUMBER
from . import forked
from .engine_status import engine_status
from .faults import FaultRule
from .guard import ControlRoute
from .stream_json import iter_json
from .tenants import Tenant

router = APIRouter(prefix="/_posim", tags=["control plane"], route_class=ControlRoute)
TENANT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_ADVANCE_S = 100 * 366 * 86_400  # a century per call; the clock itself stops at year 9999
MAX_VALID_DAYS = 100 * 366
Name = Field(None, max_length=256)


class Advance(BaseModel):
    seconds: float = Field(ge=0, le=MAX_ADVANCE_S, allow_inf_nan=False)


class FaultIn(BaseModel):
    kind: Literal["latency", "error", "rate_limit", "drop", "lose_response"]
    dialect: str | None = Name
    route: str | None = Name
    method: str | None = Name
    member: str | None = Name
    probability: float = Field(1.0, ge=0, le=1)
    seed: int = Field(0, ge=0, le=2**63)
    count: int | None = Field(None, ge=1, le=MAX_NUMBER)
    latency_ms: int = Field(0, ge=0, le=60_000)
    jitter_ms: int = Field(0, ge=0, le=60_000)
    status: int = Field(503, ge=500, le=599)
    retry_after_s: float = Field(1.0, ge=0, le=3600)
    hang_s: float = Field(5.0, ge=0, le=120)
    body: str | None = Field(None, max_length=1000)
    after: int = Field(0, ge=0, le=1_000_000)
    every: int = Field(1, ge=1, le=1_000_000)
    once_per: Literal["order", "member"] | None = None
    fault_id: str | None = Field(None, pattern=r"^[A-Za-z0-9._-]{1,64}$")


class VoucherIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    member_id: str | None = Name
    uses: int = Field(1, ge=1, le=1_000_000)
    discount_kind: Literal["fixed", "percent", "points"] = "fixed"
    discount_value: int = Field(0, ge=0, le=MAX_NUMBER)
    series_id: str | None = Name
    name: str | None = Name
    valid_days: int | None = Field(None, ge=1, le=MAX_VALID_DAYS)


class RateLimits(BaseModel):
    enabled: bool = True
    scale: float = Field(1.0, gt=0, le=1000)


def _registry(request: Request):
    return request.app.state.registry


def _tenant(request: Request, tenant_id: str) -> Tenant:
    tenant = _registry(request).get(tenant_id)
    if tenant is None:
        raise HTTPException(404, f"tenant {tenant_id!r} not found")
    return tenant


def _describe(tenant: Tenant) -> dict[str, Any]:
    return {
        "tenant": tenant.tenant_id,
        "credentials": tenant.credentials,
        "clock": tenant.engine.now().isoformat(),
        "members": len(tenant.engine.state.members),
        "rate_limits": {"enabled": tenant.rate_limits, "scale": tenant.rate_scale},
    }


@router.post("/tenants", status_code=201)
def create_tenant(request: Request, body: dict[str, Any] | None = Body(None)):
    """Create an isolated tenant. Body: a program config, or {"tenant", "config"}."""
    body = body or {}
    wrapped = "config" in body or "tenant" in body or "dialects" in body
    raw_config = body.get("config") or {} if wrapped else body
    try:
        config = ProgramConfig.model_validate(raw_config)
    except ValidationError as exc:
        raise HTTPException(400, f"invalid program config: {exc.errors()[0]['msg']}") from exc
    tenant_id = body.get("tenant") if wrapped else None
    if tenant_id is not None and not (
        isinstance(tenant_id, str) and TENANT_ID.fullmatch(tenant_id)
    ):
        raise HTTPException(400, "tenant ids are 1-64 letters, digits, '.', '_' or '-'")
    dialects = body.get("dialects") or {} if wrapped else {}
    if not isinstance(dialects, dict):
        raise HTTPException(400, "dialects must map a dialect name to its settings")
    try:
        limit = request.app.state.settings.max_tenants
        tenant = _registry(request).create(tenant_id, config, limit=limit)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    try:
        for name, settings in dialects.items():
            _configure(request, tenant, name, settings)
    except HTTPException:
        _registry(request).delete(tenant.tenant_id)  # all or nothing
        raise
    return _describe(tenant)


@router.get("/tenants")
def list_tenants(request: Request):
    """Tenant ids only: a tenant's credentials come from its own route."""
    return {"tenants": [{"tenant": t.tenant_id} for t in _registry(request).all()]}


@router.get("/tenants/{tenant_id}")
def describe_tenant(request: Request, tenant_id: str):
    """One tenant: its credentials for every vendor, clock, members and rate limits."""
    return _describe(_tenant(request, tenant_id))


@router.delete("/tenants/{tenant_id}")
def delete_tenant(request: Request, tenant_id: str):
    if not _registry(request).delete(tenant_id):
        raise HTTPException(404, f"tenant {tenant_id!r} not found")
    return {"deleted": tenant_id}


@router.post("/tenants/{tenant_id}/reset")
def reset(request: Request, tenant_id: str):
    tenant = _tenant(request, tenant_id)
    tenant.engine.reset()
    tenant.traffic.clear()
    tenant.data.clear()
    return {"tenant": tenant_id, "reset": True}


@router.get("/tenants/{tenant_id}/snapshot")
async def snapshot(request: Request, tenant_id: str):
    """The engine's whole state plus each dialect's own records, as JSON, streamed. The copy
    is taken under the tenant's lock; encoding happens elsewhere (a forked child, or a
    worker thread where fork is missing), never on the event loop."""
    tenant = _tenant(request, tenant_id)
    if forked.AVAILABLE:  # the encoding runs in a forked copy: see forked.py
        body = forked.stream(tenant.engine.lock, lambda: _snapshot_document(tenant))
        return StreamingResponse(body, media_type="application/json")
    with_lock = await run_in_threadpool(_locked_document, tenant)
    return StreamingResponse(iter_json(with_lock), media_type="application/json")


def _snapshot_document(tenant: Tenant) -> dict[str, Any]:
    document = snapshots.dump(tenant.engine.state)
    document["dialect_data"] = snapshots.encode(tenant.data)
    return document


def _locked_document(tenant: Tenant) -> dict[str, Any]:
    with tenant.engine.lock:
        return _snapshot_document(tenant)


@router.post("/tenants/{tenant_id}/restore")
def restore(request: Request, tenant_id: str, body: dict[str, Any] = Body(...)):
    tenant = _tenant(request, tenant_id)
    engine = tenant.engine
    try:
        state = snapshots.load(body, running=engine.clock.running)
        data = snapshots.decode(body.get("dialect_data", {"$map": {}}))
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise HTTPException(400, f"invalid snapshot: {exc}") from exc
    if not isinstance(data, dict):
        raise HTTPException(400, "invalid snapshot: dialect_data must be an object")
    with engine.lock:
        engine.state = state
        tenant.data.clear()
        tenant.data.update(data)
    return {"tenant": tenant_id, "restored": True, "clock": engine.now().isoformat()}


@router.put("/tenants/{tenant_id}/dialects/{dialect}")
def configure_dialect(
    request: Request, tenant_id: str, dialect: str, body: dict[str, Any] = Body(...)
):
    """A vendor's own program settings (e.g. Capillary's billing rules) for this tenant."""
    tenant = _tenant(request, tenant_id)
    _configure(request, tenant, dialect, body)
    return {"tenant": tenant_id, "dialect": dialect, "configured": True}


def _configure(request: Request, tenant: Tenant, dialect: str, settings: dict) -> None:
    found = next((d for d in request.app.state.dialects if d.name == dialect), None)
    if found is None:
        raise HTTPException(404, f"dialect {dialect!r} not found")
    if found.configure is None:
        raise HTTPException(400, f"dialect {dialect!r} has no settings of its own")
    try:
        found.configure(tenant, settings)
    except (ValueError, ValidationError) as exc:
        raise HTTPException(400, f"invalid {dialect} settings: {exc}") from exc


@router.get("/tenants/{tenant_id}/clock")
def clock(request: Request, tenant_id: str):
    engine = _tenant(request, tenant_id).engine
    return {"now": engine.now().isoformat(), "running": engine.clock.running}


@router.post("/tenants/{tenant_id}/clock/advance")
def advance(request: Request, tenant_id: str, body: Advance):
    engine = _tenant(request, tenant_id).engine
    try:
        now = engine.advance_clock(body.seconds)
    except EngineError as exc:
        raise HTTPException(400, exc.message) from exc
    return {"now": now.isoformat()}


@router.get("/tenants/{tenant_id}/audit")
def audit(request: Request, tenant_id: str):
    engine = _tenant(request, tenant_id).engine
    return {"violations": [v.to_dict() for v in engine.audit()]}


@router.get("/tenants/{tenant_id}/traffic")
def traffic(request: Request, tenant_id: str, limit: int = Query(100, ge=1, le=10000)):
    tenant = _tenant(request, tenant_id)
    entries = [entry.to_dict() for entry in list(tenant.traffic)[-limit:]]
    return {"tenant": tenant_id, "traffic": entries}


@router.put("/tenants/{tenant_id}/rate-limits")
def rate_limits(request: Request, tenant_id: str, body: RateLimits):
    """Turn the vendor rate limits off or scale them (1.0 = as documented)."""
    tenant = _tenant(request, tenant_id)
    tenant.set_rate_limits(body.enabled, body.scale)
    return {"tenant": tenant_id, "rate_limits": body.model_dump()}


@router.post("/tenants/{tenant_id}/faults", status_code=201)
def add_fault(request: Request, tenant_id: str, body: FaultIn):
    """Add a fault rule; rules are tried in order and the first match fires."""
    tenant = _tenant(request, tenant_id)
    try:
        rule = FaultRule(rule_id=f"f{len(tenant.faults) + 1}", **body.model_dump())
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    tenant.faults.append(rule)
    return rule.public()


@router.get("/tenants/{tenant_id}/faults")
def list_faults(request: Request, tenant_id: str):
    return {"faults": [rule.public() for rule in _tenant(request, tenant_id).faults]}


@router.delete("/tenants/{tenant_id}/faults")
def clear_faults(request: Request, tenant_id: str):
    tenant = _tenant(request, tenant_id)
    cleared = len(tenant.faults)
    tenant.faults.clear()
    return {"cleared": cleared}


@router.post("/tenants/{tenant_id}/vouchers", status_code=201)
def seed_voucher(request: Request, tenant_id: str, body: VoucherIn):
    """Issue a voucher code (to a member, or to nobody): test data for any dialect."""
    engine = _tenant(request, tenant_id).engine
    series_id = body.series_id or f"seed-{body.code}"
    try:
        if series_id not in engine.state.series:
            until = None
            if body.valid_days:
                until = engine.now() + timedelta(days=body.valid_days)
            engine.create_series(
                body.name or body.code,
                discount_kind=body.discount_kind,
                discount_value=body.discount_value,
                uses_per_code=body.uses,
                valid_until=until,
                series_id=series_id,
            )
        # the POS knows its member id; a vendor may file it as an identifier (WLL, Capillary)
        owner = engine.resolve_member(body.member_id).member_id if body.member_id else None
        voucher = engine.issue_voucher(series_id, owner, body.code)
    except EngineError as exc:
        status = engine_status(exc)
        raise HTTPException(status if status != 422 else 400, exc.message) from exc
    return {"code": voucher.code, "series_id": series_id, "member_id": voucher.owner_id}


@router.get("/ping")
async def ping():
    """A trivial endpoint (answered by the front layer before any framework; listed here for
    /docs)."""
    return {"ok": True}


@router.get("/health")
async def health():
    """A trivial route through the whole FastAPI stack: the framework's own ceiling."""
    return {"ok": True}
