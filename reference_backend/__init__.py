"""posim's reference loyalty backend: the engine, the vendor dialects and the control plane."""

from __future__ import annotations


def mock(dialect=None, tenant=None, config=None, rate_limits=True):
    """moto-style mock of a vendor's real hosts for httpx; see simulator.mocking."""
    from simulator.mocking import mock as _mock

    return _mock(dialect, tenant, config, rate_limits)


__all__ = ["mock"]
