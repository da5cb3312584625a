"""Helpers shared by the load tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

import os

from simulator.protocol import DIALECTS

LOAD_COMMAND = ".venv/bin/python -m pytest tests/load -p loadtests.gevent_early"
SECONDS = float(os.environ.get("POSIM_LOAD_SECONDS", "10"))  # per profile run in CI
USERS = 20


def dialect_params():
    """Every dialect."""
    return list(DIALECTS)
