"""Each dialect's routes are registered once, on the dialect's own app; /openapi.json lists
them from there."""

from __future__ import annotations

import asyncio
import warnings

import httpx
from fastapi.openapi.utils import get_openapi

from reference_backend.app import create_app


def _included(app) -> list:
    """The routers an app includes (FastAPI keeps each as one route wrapping the router)."""
    return [r.original_router for r in app.routes if hasattr(r, "original_router")]


def test_each_dialect_router_is_included_once_on_its_own_app():
    app = create_app()
    for dialect in app.state.dialects:
        assert not any(router is dialect.router for router in _included(app)), dialect.name
        assert _included(app.dialect_apps[dialect.name]) == [dialect.router]


async def _status(app, path: str) -> int:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://posim") as client:
        return (await client.get(path)).status_code


def test_the_main_app_alone_does_not_answer_a_vendor_path():
    app = create_app()
    # app.framework is the FastAPI app behind the front layer's dispatch
    assert asyncio.run(_status(app.framework, "/docs")) == 200
    assert asyncio.run(_status(app.framework, "/v1/users/123")) == 404
    assert asyncio.run(_status(app.dialect_apps["wll"], "/v1/users/123")) == 403  # no credentials


def test_openapi_json_lists_the_control_plane_and_every_vendor_route():
    app = create_app()
    with warnings.catch_warnings():  # alias routes share operation ids
        warnings.simplefilter("ignore")
        paths = app.openapi()["paths"]
        tables = {
            d.name: get_openapi(title="t", version="v", routes=d.router.routes)["paths"]
            for d in app.state.dialects
        }
    assert any(path.startswith("/_posim") for path in paths)
    for table in tables.values():
        for path, operations in table.items():
            assert set(operations) <= set(paths[path]), path
