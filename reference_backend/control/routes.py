"""Control-plane routes under /_posim (never under a vendor path)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, HTTPException, Query, Request
from pydantic import BaseModel, Field, ValidationError

from ..engine import EngineError, ProgramConfig
from ..engine import snapshot as snapshots
from ..tenants import Tenant

router = APIRouter(prefix="/_posim", tags=["control plane"])


class Advance(BaseModel):
    seconds: float = Field(ge=0)


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
    wrapped = "config" in body or "tenant" in body
    raw_config = body.get("config") or {} if wrapped else body
    try:
        config = ProgramConfig.model_validate(raw_config)
    except ValidationError as exc:
        raise HTTPException(400, f"invalid program config: {exc.errors()[0]['msg']}") from exc
    tenant_id = body.get("tenant") if wrapped else None
    try:
        tenant = _registry(request).create(tenant_id, config)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    return _describe(tenant)


@router.get("/tenants")
def list_tenants(request: Request):
    return {"tenants": [_describe(t) for t in _registry(request).all()]}


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
def snapshot(request: Request, tenant_id: str):
    engine = _tenant(request, tenant_id).engine
    with engine.lock:
        return snapshots.dump(engine.state)


@router.post("/tenants/{tenant_id}/restore")
def restore(request: Request, tenant_id: str, body: dict[str, Any] = Body(...)):
    engine = _tenant(request, tenant_id).engine
    try:
        state = snapshots.load(body, running=engine.clock.running)
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise HTTPException(400, f"invalid snapshot: {exc}") from exc
    with engine.lock:
        engine.state = state
    return {"tenant": tenant_id, "restored": True, "clock": engine.now().isoformat()}


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
    entries = list(tenant.traffic)[-limit:]
    return {"tenant": tenant_id, "traffic": entries}


@router.put("/tenants/{tenant_id}/rate-limits")
def rate_limits(request: Request, tenant_id: str, body: RateLimits):
    """Turn the vendor rate limits off or scale them (1.0 = as documented)."""
    tenant = _tenant(request, tenant_id)
    tenant.set_rate_limits(body.enabled, body.scale)
    return {"tenant": tenant_id, "rate_limits": body.model_dump()}
