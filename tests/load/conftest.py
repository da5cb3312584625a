"""Load tests run Locust and take tens of seconds: they run in their own pytest process.

    .venv/bin/python -m pytest tests/load -p loadtests.gevent_early

Tests marked `load` are skipped in any other session (the main suite), where gevent has not
patched the standard library first; the pure oracle and CLI tests run everywhere.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from simulator.backends.server import ServerProcess, free_port
from tests.support.load import LOAD_COMMAND

HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "load: runs Locust (only in the load-test session)")


def pytest_collection_modifyitems(config, items):
    if config.pluginmanager.has_plugin("loadtests.gevent_early"):
        return
    skip = pytest.mark.skip(reason=f"load tests run in their own process: {LOAD_COMMAND}")
    for item in items:
        if item.get_closest_marker("load") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def posim_server():
    """One `posim serve` on 127.0.0.1 for the session; every run gets its own tenant."""
    with ServerProcess() as server:
        yield server


@pytest.fixture(scope="session")
def racy_server():
    """The deliberately racy Gameball double (racy_backend.py) under uvicorn, stopped by PID."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(HERE),
        "racy_backend:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"racy backend exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                httpx.get(f"{url}/docs", timeout=1.0)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
