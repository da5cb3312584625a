"""Binds every .feature file in this folder to the posim step library, once per dialect."""

import pytest
from pytest_bdd import scenarios

# requesting `world` up front puts `posim_dialect` among each scenario's fixtures (parametrized)
pytestmark = pytest.mark.usefixtures("world")

scenarios(".")
