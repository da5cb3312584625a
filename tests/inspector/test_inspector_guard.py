"""The inspector sits behind the control plane's guard: its page and assets load by plain
navigation (they hold no data), every read of a tenant needs the admin token when one is set,
and a foreign Host is refused (DNS rebinding)."""

from __future__ import annotations

import pytest

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.inspector import mount
from simulator.transports import InProcessClient

HOST = {"Host": "10.0.0.5:8080"}
READS = [
    "/_posim/ui/api/tenants",
    "/_posim/ui/api/tenants/demo/journal",
    "/_posim/ui/api/tenants/demo/members",
    "/_posim/ui/api/tenants/demo/checklist?dialect=gameball",
    "/_posim/ui/api/reports",
]


@pytest.fixture
def client(tmp_path) -> InProcessClient:
    settings = Settings(running_clock=False, bind_host="10.0.0.5", admin_token="t0k")
    return InProcessClient(mount(create_app(settings), tmp_path))


def test_the_page_and_its_assets_load_without_the_token(client):
    for path in (
        "/_posim/ui/",
        "/_posim/ui/assets/inspector.js",
        "/_posim/ui/assets/inspector.css",
    ):
        assert client.get(path, headers=HOST).status_code == 200, path


@pytest.mark.parametrize("path", READS)
def test_every_read_needs_the_admin_token(client, path):
    refused = client.get(path, headers=HOST)
    assert refused.status_code == 401
    assert "admin token" in refused.json()["error"]["message"]
    allowed = client.get(path, headers={**HOST, "x-posim-admin-token": "t0k"})
    assert allowed.status_code == 200, allowed.text


def test_a_foreign_host_is_refused_even_with_the_token(client):
    headers = {"Host": "evil.example:8080", "x-posim-admin-token": "t0k"}
    assert client.get("/_posim/ui/api/tenants", headers=headers).status_code == 400
