"""/docs works with no network: one OpenAPI per dialect with the vendor's schemas and security
scheme, Swagger UI and ReDoc from posim's own assets, rendered in headless Chromium with
every host but 127.0.0.1 unresolvable; and `posim openapi` exports the same document."""

from __future__ import annotations

import json
import shutil
import subprocess

import httpx
import pytest

from simulator.backends.server import ServerProcess
from tests.support.cli import posim

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
DIALECTS = ("gameball", "wll", "capillary")


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as proc:
        yield proc


def _dom(url: str, tmp_path) -> str:
    """The page's DOM after its scripts ran, in a browser that can reach 127.0.0.1 only."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_dialect_has_its_own_document_with_its_security_scheme(server, dialect):
    document = httpx.get(f"{server.url}/docs/{dialect}/openapi.json", timeout=30).json()
    assert document["components"]["securitySchemes"] and document["security"]
    assert document["paths"]
    tags = {tag for ops in document["paths"].values() for op in ops.values() for tag in op["tags"]}
    assert tags == {dialect}
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_gameball_is_listed_once_with_the_vendor_schemas(server):
    document = httpx.get(f"{server.url}/docs/gameball/openapi.json", timeout=30).json()
    assert not [p for p in document["paths"] if p.startswith(("/api/v4.1/", "/api/v4/"))]
    hold = document["paths"]["/api/v4.0/integrations/transactions/hold"]["post"]
    body = hold["requestBody"]["content"]["application/json"]["schema"]
    assert {"customerId", "transactionTime"} <= set(body["required"])
    answer = hold["responses"]["200"]["content"]["application/json"]["schema"]
    assert "holdReference" in answer["properties"]
    assert document["components"]["securitySchemes"]["apiKey"]["name"] == "apikey"


def test_the_pages_load_their_assets_from_posim(server):
    for page in ("/docs/gameball", "/redoc/wll", "/docs/posim"):
        html = httpx.get(server.url + page, timeout=30).text
        assert "/docs/assets/" in html and "cdn" not in html.lower(), page
    script = httpx.get(f"{server.url}/docs/assets/swagger-ui-bundle.js", timeout=30)
    assert script.status_code == 200 and len(script.content) > 100_000
    index = httpx.get(f"{server.url}/docs", timeout=30).text
    assert all(f'href="/docs/{d}"' in index for d in DIALECTS)
    assert httpx.get(f"{server.url}/docs/nope/openapi.json", timeout=30).status_code == 404


def test_the_control_plane_has_its_own_document(server):
    document = httpx.get(f"{server.url}/docs/posim/openapi.json", timeout=30).json()
    assert document["paths"] and all(p.startswith("/_posim/") for p in document["paths"])


def test_posim_openapi_exports_the_served_document(server, tmp_path):
    out = tmp_path / "gameball.json"
    result = posim("openapi", "--dialect", "gameball", "--out", str(out))
    assert result.returncode == 0, result.stderr
    served = httpx.get(f"{server.url}/docs/gameball/openapi.json", timeout=30).json()
    assert json.loads(out.read_text()) == served


@pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium)"
)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_swagger_ui_renders_the_operations_offline(server, dialect, tmp_path):
    dom = _dom(f"{server.url}/docs/{dialect}", tmp_path)
    assert 'class="swagger-ui' in dom
    assert dom.count("opblock-summary-path") >= 3  # the operations are drawn
    assert "Authorize" in dom  # the security scheme is offered


@pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium)"
)
def test_redoc_renders_offline(server, tmp_path):
    dom = _dom(f"{server.url}/redoc/gameball", tmp_path)
    assert "transactions/hold" in dom and "apikey" in dom.lower()


def test_vendor_facts_written_without_the_base_path_or_as_bare_schemas_still_apply(monkeypatch):
    from reference_backend import docs
    from reference_backend.app import load_dialects

    wll = next(d for d in load_dialects() if d.name == "wll")
    answer = {"type": "object", "properties": {"points": {"type": "integer"}}}
    facts = {"paths": {"/users/{id}/wallet/": {"get": {"responses": {"200": answer}}}}}
    monkeypatch.setattr(docs, "vendor_facts", lambda name: facts)
    document = docs.dialect_openapi(wll)
    wallet = next(ops for path, ops in document["paths"].items() if path.endswith("/wallet"))
    response = wallet["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == answer
    assert response["description"]
