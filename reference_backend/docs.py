"""/docs that work offline: one OpenAPI document per vendor dialect, Swagger UI and ReDoc
served from posim's own copy of their assets (the `fastapi-offline` package ships them).

Each document is generated from the dialect's route table, so it follows the dialect; where
the vendor's own schemas are kept as data (`fixtures/vendor/<vendor>/openapi-facts.json`)
they replace the generated request and response schemas, and every document carries the
vendor's security scheme, so "Try it out" sends a request the dialect accepts.
"""

from __future__ import annotations

import copy
import html
import importlib.resources
import json
import re
import warnings
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from .dialects.base import Dialect, owns

ASSETS = "/docs/assets"
TITLES = {
    "gameball": "Gameball v4.0",
    "wll": "White Label Loyalty Rewards API",
    "capillary": "Capillary InTouch v1.1",
}
# how each vendor authenticates, as its own documentation names the headers
SECURITY: dict[str, tuple[dict[str, Any], list[dict[str, list]]]] = {
    "gameball": (
        {
            "apiKey": {"type": "apiKey", "in": "header", "name": "apikey"},
            "secretKey": {"type": "apiKey", "in": "header", "name": "secretkey"},
        },
        [{"apiKey": [], "secretKey": []}, {"apiKey": []}],
    ),
    "wll": (
        {
            "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        },
        [{"apiKey": [], "bearerAuth": []}, {"apiKey": []}],
    ),
    "capillary": ({"basicAuth": {"type": "http", "scheme": "basic"}}, [{"basicAuth": []}]),
}


def vendor_facts(name: str) -> dict[str, Any] | None:
    """The vendor's own schemas kept as data, if there are any for this vendor."""
    from .data import data_dir  # the installed wheel's copy, else the source tree

    path = data_dir("fixtures") / "vendor" / name / "openapi-facts.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _drop_aliases(document: dict[str, Any], prefixes: tuple[str, ...]) -> None:
    """Each operation once: a vendor's alias prefixes (v4 / v4.0 / v4.1) serve the same
    endpoint, which shows as the same method, path after the prefix and summary."""
    longest_first = sorted(prefixes, key=len, reverse=True)
    seen: set[tuple[str, str, Any]] = set()
    for path in list(document["paths"]):
        prefix = next((p.rstrip("/") for p in longest_first if owns(p, path)), "")
        operations = document["paths"][path]
        for method in list(operations):
            key = (method, path[len(prefix) :], operations[method].get("summary"))
            if key in seen:
                del operations[method]
            seen.add(key)
        if not operations:
            del document["paths"][path]


def _as_content(given: dict[str, Any], required: bool | None = None) -> dict[str, Any]:
    """A request body or response object; a vendor file may hold just the JSON schema."""
    if "content" in given:
        found = copy.deepcopy(given)
    else:
        found = {"content": {"application/json": {"schema": copy.deepcopy(given)}}}
    if required is None:
        found.setdefault("description", "the vendor's documented answer")
    else:
        found.setdefault("required", required)
    return found


def _shape(path: str) -> str:
    """A path as a route matches it: parameter names and a trailing slash do not matter."""
    return re.sub(r"\{[^}]*\}", "{}", path).rstrip("/") or "/"


def _overlay(document: dict[str, Any], facts: dict[str, Any], prefixes: tuple[str, ...]) -> None:
    """The vendor's own request and response schemas replace the generated ones. A vendor
    file's paths may be written with or without the dialect's base path (`/users`)."""
    ours_by_shape = {_shape(path): ops for path, ops in document["paths"].items()}
    bases = ["", *(prefix.rstrip("/") for prefix in prefixes)]
    for path, operations in facts.get("paths", {}).items():
        mine: dict[str, Any] = next(
            (
                ours_by_shape[_shape(base + path)]
                for base in bases
                if _shape(base + path) in ours_by_shape
            ),
            {},
        )
        for method, vendor_op in operations.items():
            ours = mine.get(method) if isinstance(vendor_op, dict) else None
            if ours is None:
                continue
            if isinstance(vendor_op.get("requestBody"), dict):
                ours["requestBody"] = _as_content(vendor_op["requestBody"], required=True)
            for status, answer in (vendor_op.get("responses") or {}).items():
                if isinstance(answer, dict):
                    ours.setdefault("responses", {})[str(status)] = _as_content(answer)
    schemas = facts.get("components", {}).get("schemas", {})
    if schemas:
        document.setdefault("components", {}).setdefault("schemas", {}).update(schemas)


def _unique_operation_ids(document: dict[str, Any]) -> None:
    seen: set[str] = set()
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            base = op.get("operationId") or f"{method}_{path}"
            name, n = base, 1
            while name in seen:
                n += 1
                name = f"{base}_{n}"
            seen.add(name)
            op["operationId"] = name


def dialect_openapi(dialect: Dialect) -> dict[str, Any]:
    """The OpenAPI document of one dialect, from its route table and the vendor's facts."""
    with warnings.catch_warnings():  # duplicate ids of alias routes are made unique below
        warnings.simplefilter("ignore")
        document = get_openapi(
            title=f"{TITLES.get(dialect.name, dialect.name)} (posim)",
            version="posim",
            description=f"The {dialect.name} API as posim's reference backend serves it.",
            routes=dialect.router.routes,
        )
    _drop_aliases(document, dialect.prefixes)
    facts = vendor_facts(dialect.name)
    if facts:
        _overlay(document, facts, dialect.prefixes)
    _unique_operation_ids(document)
    schemes, requirement = SECURITY.get(dialect.name, ({}, []))
    if schemes:
        document.setdefault("components", {})["securitySchemes"] = schemes
        document["security"] = requirement
    for operations in document["paths"].values():
        for op in operations.values():
            op["tags"] = [dialect.name]
    return document


def _index(dialects: list[Dialect]) -> str:
    rows = "".join(
        f'<li><a href="/docs/{d.name}">{html.escape(TITLES.get(d.name, d.name))}</a> '
        f'(<a href="/redoc/{d.name}">ReDoc</a>, '
        f'<a href="/docs/{d.name}/openapi.json">OpenAPI</a>)</li>'
        for d in dialects
    )
    return (
        "<!doctype html><html><head><title>posim API docs</title>"
        f'<link rel="icon" href="{ASSETS}/favicon.png"></head><body>'
        "<h1>posim reference backend</h1><p>One API per vendor:</p>"
        f'<ul>{rows}<li><a href="/docs/posim">posim control plane</a></li></ul></body></html>'
    )


def install_docs(app: FastAPI, dialects: list[Dialect]) -> None:
    """/docs (index), /docs/<dialect>, /redoc/<dialect>, their OpenAPI, and the assets."""
    assets = importlib.resources.files("fastapi_offline") / "static"
    app.mount(ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")
    by_name = {d.name: d for d in dialects}
    built: dict[str, bytes] = {}  # each document is built once, on first request

    def found(name: str) -> Dialect:
        if name not in by_name:
            raise HTTPException(404, f"no dialect {name!r}; one of {', '.join(by_name)}")
        return by_name[name]

    def swagger(title: str, url: str) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=url,
            title=title,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )

    @app.get("/docs", include_in_schema=False)
    def docs_index() -> HTMLResponse:
        return HTMLResponse(_index(dialects))

    @app.get("/docs/posim", include_in_schema=False)
    def docs_control_plane() -> HTMLResponse:
        return swagger("posim control plane", "/docs/posim/openapi.json")

    @app.get("/docs/posim/openapi.json", include_in_schema=False)
    def openapi_control_plane() -> Response:
        if "posim" not in built:  # the app's document, less the vendor APIs
            document = copy.deepcopy(app.openapi())
            document["paths"] = {
                path: ops for path, ops in document["paths"].items() if path.startswith("/_posim")
            }
            document["info"]["title"] = "posim control plane"
            built["posim"] = json.dumps(document).encode()
        return Response(built["posim"], media_type="application/json")

    @app.get("/docs/{name}", include_in_schema=False)
    def docs_dialect(name: str) -> HTMLResponse:
        return swagger(TITLES.get(found(name).name, name), f"/docs/{name}/openapi.json")

    @app.get("/redoc/{name}", include_in_schema=False)
    def redoc_dialect(name: str) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=f"/docs/{found(name).name}/openapi.json",
            title=TITLES.get(name, name),
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )

    @app.get("/docs/{name}/openapi.json", include_in_schema=False)
    def openapi_dialect(name: str) -> Response:
        if name not in built:
            built[name] = json.dumps(dialect_openapi(found(name))).encode()
        return Response(built[name], media_type="application/json")
