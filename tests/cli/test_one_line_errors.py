"""Every way a user can get a command wrong ends in one line on stderr and a non-zero exit,
before any scenario, load or banner: the real `posim` runs in a subprocess for each case."""

from __future__ import annotations

import json

import pytest

from simulator.backends.server import ServerProcess
from tests.support.cli import closed_port, error_line, garbage_server, posim

GAMEBALL_KEYS = "apiKey=nope,secretKey=nope"


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as proc:
        yield proc


@pytest.fixture(scope="module")
def garbage():
    with garbage_server() as url:
        yield url


def test_certify_a_closed_port_says_connection_refused():
    url = f"http://127.0.0.1:{closed_port()}"
    result = posim("certify", "--dialect", "gameball", "--target", url, "--no-progress")
    assert result.returncode == 2
    assert "cannot reach" in error_line(result) and "refused" in error_line(result)
    assert "blocker" not in result.stdout  # no scenario ran


def test_certify_a_url_without_a_scheme():
    result = posim("certify", "--target", "127.0.0.1:8080", "--no-progress")
    assert result.returncode == 2
    assert "needs http:// or https://" in error_line(result)


def test_certify_wrong_keys_are_refused_before_any_scenario(server):
    result = posim(
        "certify", "--dialect", "gameball", "--target", server.url, "--credentials", GAMEBALL_KEYS
    )
    assert result.returncode == 2
    line = error_line(result)
    assert "gameball: credentials refused (HTTP 401)" in line
    assert result.stdout == ""


def test_certify_against_a_garbage_server_names_the_call_status_and_body(garbage):
    result = posim(
        "certify", "--dialect", "gameball", "--target", garbage, "--credentials", GAMEBALL_KEYS
    )
    assert result.returncode != 0
    line = error_line(result)
    assert "GET /api/v4.0/integrations/customers/" in line
    assert "HTTP 200" in line and "'<html><body>It works!" in line


def test_certify_a_garbage_server_is_not_a_posim_control_plane(garbage):
    result = posim("certify", "--dialect", "wll", "--target", garbage, "--no-progress")
    assert result.returncode != 0
    assert "not posim's answer" in error_line(result)


def test_certify_an_unwritable_report_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = posim("certify", "--dialect", "gameball", "--out", str(blocker / "reports"))
    assert result.returncode == 2
    assert "is not a folder" in error_line(result)


def test_audit_an_unwritable_report_folder(tmp_path):
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text("")
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = posim("audit", str(traffic), "--dialect", "gameball", "--out", str(blocker / "r"))
    assert result.returncode == 2
    assert "is not a folder" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_load_a_closed_port_is_one_line_not_a_traceback():
    url = f"http://127.0.0.1:{closed_port()}"
    result = posim("load", "--target", url, "--duration", "1s")
    assert result.returncode == 2
    assert "cannot reach" in error_line(result)


@pytest.mark.parametrize("profile", ["race", "checkout_mix"])
def test_load_against_a_garbage_server_fails_with_the_reason(garbage, profile):
    result = posim(
        "load", "--profile", profile, "--target", garbage, "--credentials", GAMEBALL_KEYS
    )
    assert result.returncode != 0
    line = error_line(result)
    assert "HTTP 200" in line and "'<html>" in line
    assert "PASS" not in result.stdout


def test_load_takes_the_same_credentials_syntax_as_certify():
    result = posim("load", "--credentials", "apiKey", "--duration", "1s")
    assert result.returncode == 2
    assert "'apiKey' is not key=value" in error_line(result)
    result = posim("load", "--credentials", "{not json", "--duration", "1s")
    assert "not valid JSON" in error_line(result)


@pytest.mark.parametrize(
    "args, words",
    [
        (["serve", "--port", "99999"], "out of range 1-65535"),
        (["serve", "--port", "0"], "out of range 1-65535"),
        (["serve", "--record", "/missing-dir/x.jsonl"], "does not exist"),
        (["serve", "--log-level", "loud"], "invalid choice"),
        (["load", "--users", "0"], "must be >= 1"),
        (["load", "--master-port", "70000"], "out of range"),
        (["load", "--json", "/missing-dir/r.json"], "does not exist"),
        (["load", "--dialect", "gamebal"], "invalid choice"),
        (["faults", "add", "error", "--dialect", "gamebal"], "unknown dialect 'gamebal'"),
        (["faults", "add", "error", "--status", "200"], "5xx status"),
        (["faults", "add", "latency", "--probability", "2"], "(0, 1]"),
        (["clock", "show", "--url", "localhost:8080"], "needs http://"),
        (["certify", "--credentials", "apiKey", "--target", "http://127.0.0.1:1"], "key=value"),
    ],
)
def test_argument_errors_are_one_line(args, words):
    result = posim(*args)
    assert result.returncode == 2
    line = error_line(result)
    assert words in line, line


@pytest.mark.parametrize("command", [["clock", "show"], ["faults", "list"]])
def test_control_commands_against_a_non_json_answer(garbage, command):
    result = posim(*command, "--url", garbage)
    assert result.returncode == 1
    line = error_line(result)
    assert "HTTP 200, not posim's JSON answer" in line and "<html>" in line


def test_control_commands_against_a_closed_port():
    result = posim("clock", "show", "--url", f"http://127.0.0.1:{closed_port()}")
    assert result.returncode == 1
    assert "cannot reach" in error_line(result)


def test_a_second_serve_on_a_busy_port_fails_before_the_banner(server):
    result = posim("serve", "--port", str(server.port), timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in error_line(result)
    assert result.stdout == ""  # no banner, no credentials


def test_a_rate_limit_fault_says_429(server):
    args = ["--url", server.url, "--tenant", "demo"]
    result = posim("faults", "add", "rate_limit", "--count", "1", *args)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == 429
    listed = posim("faults", "list", *args)
    assert [r["status"] for r in json.loads(listed.stdout)["faults"]] == [429]
    assert posim("faults", "clear", *args).returncode == 0
    refused = posim("faults", "add", "rate_limit", "--status", "503", *args)
    assert refused.returncode == 1 and "applies to kind error" in error_line(refused)


@pytest.mark.parametrize(
    "option, words",
    [
        ("--posim-dialect=gamebal", "unknown dialect(s) gamebal"),
        ("--posim-credentials=apiKey", "'apiKey' is not key=value"),
        ("--posim-target=localhost:8080", "needs http://"),
    ],
)
def test_pytest_options_fail_in_one_line(tmp_path, option, words):
    import subprocess
    import sys

    from tests.support.cli import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "features"), option, "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 4  # pytest's usage error
    output = (result.stdout + result.stderr).strip().splitlines()
    assert len(output) <= 2 and words in output[-1], output  # no plugin traceback
    assert "Traceback" not in result.stdout + result.stderr


def test_pytest_pre_flight_of_a_closed_target(tmp_path):
    import subprocess
    import sys

    from tests.support.cli import ROOT

    url = f"http://127.0.0.1:{closed_port()}"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "features"), f"--posim-target={url}"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 4
    assert "posim pre-flight: cannot reach" in result.stdout + result.stderr
    assert "passed" not in result.stdout and "failed" not in result.stdout
