"""The vendor-neutral scenarios over real HTTP, against a `posim serve` this test starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulator.backends.server import ServerProcess

FEATURES = Path(__file__).resolve().parents[2] / "features"


@pytest.mark.parametrize("dialect", ["gameball", "wll", "capillary"])
def test_scenarios_pass_against_a_live_server(dialect):
    with ServerProcess() as server:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(FEATURES),
                "-q",
                "-p",
                "no:cacheprovider",
                "--posim-target",
                server.url,
                "--posim-dialect",
                dialect,
                "--posim-timeout",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    progress = run.stdout.splitlines()[-1]
    assert progress.count(".") >= 15 and "F" not in progress and "E" not in progress
