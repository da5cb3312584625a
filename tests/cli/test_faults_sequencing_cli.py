"""`posim faults add` with sequencing flags against a real `posim serve`."""

from __future__ import annotations

import json

import pytest

from simulator.backends.server import ServerProcess
from simulator.cli import main


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as proc:
        yield proc


def test_sequencing_flags_reach_the_rule(server, capsys):
    args = ["--url", server.url, "--tenant", "demo"]
    flags = ["--after", "2", "--every", "3", "--once-per", "order", "--id", "sale-5xx"]
    assert main(["faults", "add", "error", "--body", "TRANSACTION", *flags, *args]) == 0
    rule = json.loads(capsys.readouterr().out)
    got = {k: rule[k] for k in ("after", "every", "once_per", "fault_id", "body")}
    assert got == {
        "after": 2,
        "every": 3,
        "once_per": "order",
        "fault_id": "sale-5xx",
        "body": "TRANSACTION",
    }
    main(["faults", "clear", *args])


def test_out_of_bounds_sequencing_is_a_clear_error(server, capsys):
    with pytest.raises(SystemExit):  # refused by the CLI before any request
        main(["faults", "add", "error", "--every", "0", "--url", server.url])
    assert "--every" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["faults", "add", "error", "--once-per", "basket", "--url", server.url])
    assert "invalid choice" in capsys.readouterr().err
