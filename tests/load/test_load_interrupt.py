"""Ctrl-C during `posim load`: the partial summary, exit 130, no traceback, and no temporary
folder left behind. The real command runs in its own process group, which gets SIGINT the
way a terminal sends it to every process of the foreground job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.load
def test_ctrl_c_prints_the_partial_summary_and_cleans_up(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "simulator.cli", "load", "--profile", "race"]
    proc = subprocess.Popen(
        [*command, "--users", "4", "--duration", "90s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        first = proc.stderr.readline()  # the first progress line: the load is running
        assert first.startswith("posim load: ") and "requests" in first, first
        time.sleep(2)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert "verdict: INTERRUPTED" in out
    assert "requests" in out  # the partial totals
    assert "oracle: not judged: the run was interrupted" in out
    assert [p.name for p in scratch.iterdir() if p.name.startswith("posim-load-")] == []
