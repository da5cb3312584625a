"""A server started with an admin token: the control CLIs, the HTTP transport and the
pre-flight carry it (`--admin-token` or $POSIM_ADMIN_TOKEN) on /_posim calls only, and say
what is missing when it is not given."""

from __future__ import annotations

import json

import pytest

from simulator.backends.server import ServerProcess
from simulator.cli import main
from simulator.preflight import PreflightError, check_control_plane
from simulator.transports import ADMIN_TOKEN_ENV, ADMIN_TOKEN_HEADER, HttpTransport

TOKEN = "t0k-for-tests"


@pytest.fixture(scope="module")
def server():
    with ServerProcess(extra_args=("--admin-token", TOKEN)) as proc:
        yield proc


@pytest.fixture(autouse=True)
def no_token_in_env(monkeypatch):
    monkeypatch.delenv(ADMIN_TOKEN_ENV, raising=False)


def test_the_control_cli_without_the_token_gets_one_line_401(server):
    with pytest.raises(SystemExit) as stopped:
        main(["clock", "advance", "1m", "--url", server.url])
    assert "HTTP 401" in str(stopped.value) and "admin token" in str(stopped.value)


def test_the_control_cli_sends_the_flag_or_the_environment(server, capsys, monkeypatch):
    assert main(["clock", "advance", "1m", "--url", server.url, "--admin-token", TOKEN]) == 0
    assert "now" in json.loads(capsys.readouterr().out)
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
    assert main(["faults", "list", "--url", server.url]) == 0
    assert json.loads(capsys.readouterr().out) == {"faults": []}


def test_the_transport_adds_the_token_to_control_calls_only(server, monkeypatch):
    transport = HttpTransport(server.url)
    try:
        assert transport.client.get("/_posim/tenants").status_code == 401
        monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
        control = transport.client.get("/_posim/tenants")
        assert control.status_code == 200
        vendor = transport.client.get("/api/v4.0/integrations/customers/m1/balance")
        assert ADMIN_TOKEN_HEADER not in vendor.request.headers  # never sent to a vendor API
    finally:
        transport.close()


def test_preflight_names_the_missing_token(server, monkeypatch):
    with pytest.raises(PreflightError, match=ADMIN_TOKEN_ENV):
        check_control_plane(server.url, 5.0)
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
    check_control_plane(server.url, 5.0)
