"""`posim clock`, `posim faults` and `posim fixtures` against a real `posim serve`."""

from __future__ import annotations

import json

import httpx
import pytest

from simulator.backends.server import ServerProcess
from simulator.cli import main


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as proc:
        yield proc


def test_clock_advance_moves_the_demo_tenant(server, capsys):
    before = httpx.get(f"{server.url}/_posim/tenants/demo/clock").json()["now"]
    assert main(["clock", "advance", "11m", "--url", server.url]) == 0
    after = json.loads(capsys.readouterr().out)["now"]
    assert after > before


def test_bad_duration_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["clock", "advance", "soon"])
    assert "not a duration" in capsys.readouterr().err


def test_faults_add_list_clear(server, capsys):
    args = ["--url", server.url, "--tenant", "demo"]
    assert main(["faults", "add", "error", "--status", "503", "--count", "1", *args]) == 0
    rule = json.loads(capsys.readouterr().out)
    assert (rule["kind"], rule["status"], rule["count"]) == ("error", 503, 1)
    main(["faults", "list", *args])
    assert len(json.loads(capsys.readouterr().out)["faults"]) == 1
    main(["faults", "clear", *args])
    assert json.loads(capsys.readouterr().out) == {"cleared": 1}


def test_unknown_tenant_is_a_clear_error(server):
    with pytest.raises(SystemExit, match="404"):
        main(["clock", "show", "--url", server.url, "--tenant", "nope"])


def test_fixtures_generate_is_deterministic(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["fixtures", "generate", "--members", "5", "--seed", "9", "--out", str(a)]) == 0
    main(["fixtures", "generate", "--members", "5", "--seed", "9", "--out", str(b)])
    data = json.loads(a.read_text())
    assert a.read_text() == b.read_text()
    assert len(data["members"]) == 5 and len({m["mobile"] for m in data["members"]}) == 5
    assert data["catalog"] and data["stores"]
