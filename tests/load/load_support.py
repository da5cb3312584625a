"""Helpers shared by the load tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

import importlib.util
import os

import pytest

from simulator.protocol import DIALECTS

LOAD_COMMAND = ".venv/bin/python -m pytest tests/load -p loadtests.gevent_early"
SECONDS = float(os.environ.get("POSIM_LOAD_SECONDS", "10"))  # per profile run in CI
USERS = 20


def codec_available(dialect: str) -> bool:
    return importlib.util.find_spec(f"simulator.protocol.{dialect}") is not None


def dialect_params():
    """Every dialect; those whose codec has not landed yet are skipped."""
    return [
        pytest.param(
            d,
            marks=pytest.mark.skipif(not codec_available(d), reason="codec not available yet"),
        )
        for d in DIALECTS
    ]
