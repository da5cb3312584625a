"""A shared app and a fresh Gameball tenant per test, reached through the embedded backend."""

from __future__ import annotations

import pytest

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.backends import embedded


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(running_clock=False, check_invariants=True, demo_tenant=False))


@pytest.fixture
def tenant(app):
    backend = embedded(app, "gameball")
    yield backend
    backend.close()
