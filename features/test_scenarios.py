"""Binds every .feature file in this folder to the posim step library, once per dialect."""

import pytest
from pytest_bdd import scenarios

# requesting `world` up front puts `posim_dialect` in each scenario's fixtures, so it is parametrized
pytestmark = pytest.mark.usefixtures("world")

scenarios(".")
