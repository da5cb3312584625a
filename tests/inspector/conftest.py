"""A `posim serve` with the inspector, a fresh tenant per test, and a Gameball till for it.

The till is examples/gameball_pos: a POS client written only from Gameball's docs."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from simulator.backends.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "gameball_pos"))

from pos_client import GameballPOS  # noqa: E402


@pytest.fixture(scope="session")
def reports_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="session")
def server(reports_dir):
    with ServerProcess(extra_args=("--reports", str(reports_dir))) as running:
        yield running


class Tenant:
    def __init__(self, server: ServerProcess, tenant_id: str, credentials: dict) -> None:
        self.server, self.id, self.credentials = server, tenant_id, credentials
        self.ui = f"{server.url}/_posim/ui/api/tenants/{tenant_id}"
        self.control = f"{server.url}/_posim/tenants/{tenant_id}"

    def till(self) -> GameballPOS:
        creds = self.credentials["gameball"]
        base = f"{self.server.url}/api/v4.0/integrations"
        return GameballPOS(creds["apiKey"], creds["secretKey"], base_url=base, retries=0)

    def get(self, path: str, **params) -> dict:
        response = httpx.get(self.ui + path, params=params, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def tenant(server, request) -> Tenant:
    name = "ui-" + "".join(c if c.isalnum() else "-" for c in request.node.name)[:50]
    created = httpx.post(f"{server.url}/_posim/tenants", json={"tenant": name}, timeout=10)
    created.raise_for_status()
    yield Tenant(server, name, created.json()["credentials"])
    httpx.delete(f"{server.url}/_posim/tenants/{name}", timeout=10)
