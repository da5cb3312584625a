"""create_app(settings) -> the ASGI app: every dialect, the control plane and the middleware."""

from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .control.routes import router as control_router
from .dialects.base import Dialect, dialect_for_path
from .engine import EngineError
from .faults import FaultMiddleware
from .settings import Settings
from .tenants import TenantRegistry
from .traffic import TrafficMiddleware

log = logging.getLogger("posim.server")
DIALECT_MODULES = ("gameball", "wll", "capillary")


def load_dialects() -> list[Dialect]:
    found = []
    for name in DIALECT_MODULES:
        try:
            module = importlib.import_module(f"reference_backend.dialects.{name}")
        except ModuleNotFoundError as exc:  # a dialect still being built is simply absent
            if exc.name and exc.name.startswith(f"reference_backend.dialects.{name}"):
                continue
            raise
        dialect = getattr(module, "DIALECT", None)
        if dialect is not None:
            found.append(dialect)
    return found


def _dialect_for(app: FastAPI, path: str) -> Dialect | None:
    return dialect_for_path(app.state.dialects, path)


def _failure(request: Request, status: int, kind: str, message: str):
    dialect = _dialect_for(request.app, request.url.path)
    if dialect is not None:
        request.state.dialect = dialect.name
        return dialect.render_failure(request, status, kind, message)
    rid = getattr(request.state, "request_id", None)
    body = {"error": {"code": kind, "message": message, "request_id": rid}}
    return JSONResponse(body, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    dialects = load_dialects()
    app = FastAPI(
        title="posim reference backend",
        description="Gameball, White Label Loyalty and Capillary APIs over one loyalty engine.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.dialects = dialects
    app.state.registry = TenantRegistry(
        dialects, settings.seed, settings.running_clock, settings.check_invariants
    )
    if settings.demo_tenant:
        app.state.registry.create(settings.demo_tenant_id)
    for dialect in dialects:  # vendor routes first: the hot paths are matched in fewer steps
        app.include_router(dialect.router)
    app.include_router(control_router)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _failure(request, 400, "malformed_json", "request body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"
        return _failure(request, 400, "validation", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "validation")
        return _failure(request, exc.status_code, kind, str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return _failure(request, 500, "internal", "internal error")

    @app.exception_handler(EngineError)
    async def _engine_error(request: Request, exc: EngineError):
        dialect = _dialect_for(request.app, request.url.path)
        if dialect is not None and dialect.render_error is not None:
            request.state.dialect = dialect.name
            return dialect.render_error(request, exc)
        rid = getattr(request.state, "request_id", None)
        body = {"error": {**exc.to_dict(), "request_id": rid}}
        return JSONResponse(body, status_code=exc.status)

    # added last = outermost: traffic sees what the faults did
    app.add_middleware(FaultMiddleware, registry=app.state.registry, dialects=dialects)
    app.add_middleware(TrafficMiddleware, record_path=settings.record_path)
    return app
