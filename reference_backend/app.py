"""create_app(settings) -> the ASGI app: every dialect, the control plane and the middleware."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .control.engine_status import engine_status
from .control.routes import router as control_router
from .control.tenants import TenantRegistry
from .dialects.base import Dialect, dialect_for_path
from .docs import install_docs
from .engine import EngineError
from .front.hot_routes import HOT_ROUTES
from .front.layer import Dispatch, FrontLayer
from .front.lean import lean_routes
from .settings import Settings

if TYPE_CHECKING:
    from fastapi.telemetry import TelemetryConfig

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


def _install_handlers(target: FastAPI) -> None:
    """Every error, from any layer, leaves in the vendor's own envelope."""

    @target.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _failure(request, 400, "malformed_json", "request body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"
        return _failure(request, 400, "validation", message)

    @target.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "validation")
        return _failure(request, exc.status_code, kind, str(exc.detail))

    @target.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return _failure(request, 500, "internal", "internal error")

    @target.exception_handler(EngineError)
    async def _engine_error(request: Request, exc: EngineError):
        dialect = _dialect_for(request.app, request.url.path)
        if dialect is not None and dialect.render_error is not None:
            request.state.dialect = dialect.name
            return dialect.render_error(request, exc)
        rid = getattr(request.state, "request_id", None)
        body = {"error": {**exc.to_dict(), "request_id": rid}}
        return JSONResponse(body, status_code=engine_status(exc))


# FastAPI's OpenTelemetry hooks look the providers up on every request; posim never
# exports telemetry, so they are off in every app it builds
TELEMETRY_OFF: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


def _dialect_app(app: FastAPI, dialect: Dialect) -> FastAPI:
    sub = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, telemetry=TELEMETRY_OFF)
    sub.state = app.state  # one registry, one set of dialects
    sub.include_router(dialect.router)
    _install_handlers(sub)
    return sub


class PosimApp(FastAPI):
    """The FastAPI app (control plane, /docs, OpenAPI) behind the pure-ASGI front layer:
    every HTTP request enters through `front`, which hands back to FastAPI only what no
    lean route answers. The dialects' routes live only on their own apps (`dialect_apps`);
    /openapi.json lists them from there."""

    front: FrontLayer | None = None
    dialect_apps: dict[str, FastAPI] = {}

    def openapi(self) -> dict[str, Any]:
        if not self.openapi_schema:
            vendor_routes = [route for sub in self.dialect_apps.values() for route in sub.routes]
            self.openapi_schema = get_openapi(
                title=self.title,
                version=self.version,
                openapi_version=self.openapi_version,
                summary=self.summary,
                description=self.description,
                terms_of_service=self.terms_of_service,
                contact=self.contact,
                license_info=self.license_info,
                routes=[*self.routes, *vendor_routes],
                webhooks=self.webhooks.routes,
                tags=self.openapi_tags,
                servers=self.servers,
                separate_input_output_schemas=self.separate_input_output_schemas,
                external_docs=self.openapi_external_docs,
            )
        return self.openapi_schema

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.front is not None:
            return await self.front(scope, receive, send)
        return await super().__call__(scope, receive, send)

    async def framework(self, scope, receive, send):
        return await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    dialects = load_dialects()
    app = PosimApp(
        title="posim reference backend",
        description="Gameball, White Label Loyalty and Capillary APIs over one loyalty engine.",
        version="0.1.0",
        docs_url=None,  # install_docs serves /docs per dialect, offline
        redoc_url=None,
        telemetry=TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.dialects = dialects
    app.state.registry = TenantRegistry(
        dialects, settings.seed, settings.running_clock, settings.check_invariants
    )
    if settings.demo_tenant:
        app.state.registry.create(settings.demo_tenant_id)
    app.include_router(control_router)
    _install_handlers(app)
    install_docs(app, dialects)
    # each dialect is routed once, on an app of its own, so a vendor call is matched only
    # against that vendor's routes (FastAPI scans every route in order); /openapi.json and
    # /docs/<dialect> read the same route table
    sub_apps = {d.name: _dialect_app(app, d) for d in dialects}
    app.dialect_apps = sub_apps
    lean = {d.name: lean_routes(sub_apps[d.name], HOT_ROUTES.get(d.name, ())) for d in dialects}
    dispatch = Dispatch(app.framework, dialects, sub_apps, lean)
    # traffic sees what the faults did; both see lean and framework routes alike
    app.front = FrontLayer(dispatch, app.state.registry, dialects, settings.record_path)

    return app
