"""The closed control plane: Host check, admin token, cross-site refusal, ids-only listing,
credentials from the tenant's own route, a tenant cap, and `posim serve`'s defaults."""

from __future__ import annotations

import argparse

import pytest

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.backends.server import add_serve_arguments, serve_settings
from simulator.transports import InProcessClient

LOCAL = {"Host": "127.0.0.1:8080"}


def _client(**settings) -> InProcessClient:
    return InProcessClient(create_app(Settings(running_clock=False, **settings)))


def test_listing_gives_ids_and_the_tenant_route_gives_credentials():
    client = _client()
    listed = client.get("/_posim/tenants").json()["tenants"]
    assert listed == [{"tenant": "demo"}]
    assert "credentials" not in str(listed)
    demo = client.get("/_posim/tenants/demo").json()
    assert set(demo["credentials"]) == {"gameball", "wll", "capillary"}
    assert client.get("/_posim/tenants/nope").status_code == 404


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.evil"])
def test_a_foreign_host_header_is_refused_on_loopback(host):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its Host."""
    client = _client(bind_host="127.0.0.1")
    response = client.get("/_posim/tenants/demo", headers={"Host": f"{host}:8080"})
    assert response.status_code == 400
    assert "Host" in response.json()["error"]["message"]


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"])
def test_loopback_names_are_accepted_on_loopback(host):
    client = _client(bind_host="127.0.0.1")
    assert client.get("/_posim/tenants/demo", headers={"Host": host}).status_code == 200


def test_allowed_hosts_extend_the_bound_names():
    client = _client(bind_host="10.0.0.5", admin_token="t0k", allowed_hosts=("pos.lan",))
    token = {"X-Posim-Admin-Token": "t0k"}
    ok = client.get("/_posim/tenants", headers={"Host": "pos.lan:80", **token})
    bound = client.get("/_posim/tenants", headers={"Host": "10.0.0.5", **token})
    other = client.get("/_posim/tenants", headers={"Host": "evil.example", **token})
    assert (ok.status_code, bound.status_code, other.status_code) == (200, 200, 400)


def test_the_admin_token_is_required_when_set():
    client = _client(bind_host="0.0.0.0", admin_token="s3cret-t0ken")
    assert client.get("/_posim/tenants").status_code == 401
    assert (
        client.get("/_posim/tenants", headers={"X-Posim-Admin-Token": "wrong"}).status_code == 401
    )
    assert (
        client.get(
            "/_posim/tenants", headers={"X-Posim-Admin-Token": "s3cret-t0kén".encode()}
        ).status_code
        == 401
    )
    bearer = {"Authorization": "Bearer s3cret-t0ken"}
    assert client.get("/_posim/tenants/demo", headers=bearer).status_code == 200
    reset = client.post(
        "/_posim/tenants/demo/reset", headers={"X-Posim-Admin-Token": "s3cret-t0ken"}
    )
    assert reset.status_code == 200


def test_a_foreign_origin_cannot_change_state():
    client = _client(bind_host="127.0.0.1")
    foreign = {**LOCAL, "Origin": "https://evil.example"}
    assert client.post("/_posim/tenants/demo/reset", headers=foreign).status_code == 403
    assert client.delete("/_posim/tenants/demo", headers=foreign).status_code == 403
    null_origin = {**LOCAL, "Origin": "null"}
    assert client.post("/_posim/tenants/demo/reset", headers=null_origin).status_code == 403
    cross_site = {**LOCAL, "Sec-Fetch-Site": "cross-site"}
    assert client.post("/_posim/tenants/demo/reset", headers=cross_site).status_code == 403
    same = {**LOCAL, "Origin": "http://127.0.0.1:8080"}
    assert client.post("/_posim/tenants/demo/reset", headers=same).status_code == 200
    assert client.get("/_posim/tenants/demo", headers=LOCAL).status_code == 200


def test_a_simple_request_body_is_refused_without_the_token():
    """text/plain and form bodies need no CORS preflight: a page could send them."""
    client = _client(bind_host="127.0.0.1")
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        headers = {**LOCAL, "Content-Type": content_type}
        response = client.post("/_posim/tenants", content=b'{"tenant": "x"}', headers=headers)
        assert response.status_code == 415, content_type
    assert client.get("/_posim/tenants/x", headers=LOCAL).status_code == 404
    made = client.post("/_posim/tenants", json={"tenant": "x"}, headers=LOCAL)
    assert made.status_code == 201


def test_the_tenant_cap_is_enforced():
    client = _client(max_tenants=3)  # the demo tenant counts
    assert [client.post("/_posim/tenants").status_code for _ in range(3)] == [201, 201, 409]
    assert "cap" in client.post("/_posim/tenants").json()["error"]["message"]
    client.delete("/_posim/tenants/demo")
    assert client.post("/_posim/tenants").status_code == 201


def _serve(*argv: str):
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return serve_settings(parser.parse_args(list(argv)))


def test_serve_on_loopback_keeps_the_demo_keys_and_needs_no_token():
    settings, notices = _serve()
    assert (settings.seed, settings.admin_token, notices) == (0, None, [])
    assert settings.bind_host == "127.0.0.1"


def test_serve_beyond_loopback_warns_and_makes_a_token_and_random_credentials():
    first, notices = _serve("--host", "0.0.0.0")
    second, _ = _serve("--host", "0.0.0.0")
    assert first.admin_token and first.admin_token != second.admin_token
    assert first.seed != second.seed
    assert any("WARNING" in line for line in notices)
    assert any(first.admin_token in line for line in notices)
    seeded, notices = _serve("--host", "0.0.0.0", "--seed", "7", "--admin-token", "mine")
    assert (seeded.seed, seeded.admin_token) == (7, "mine")
    assert not any("mine" in line for line in notices)  # a token the user chose is not echoed
