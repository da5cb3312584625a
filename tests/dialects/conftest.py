"""Fixtures shared by the dialect tests: the Gameball harness (a module's own fixture of
the same name takes precedence)."""

from tests.support.gameball import client, pos, pos_with  # noqa: F401
