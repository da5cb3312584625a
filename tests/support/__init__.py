"""Helpers shared by the project's test modules (imported as `tests.support.*`)."""
