"""Shared fixtures for the engine unit tests.

Every engine is built with check_invariants=True, so each command is audited (I1-I14) and a
breach raises invariant_violation on the spot. Engines made through `make_engine` are audited
once more when the test ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reference_backend.engine import Clock, Engine, EngineError, ProgramConfig


@pytest.fixture
def make_engine():
    made: list[Engine] = []

    def make(**config: Any) -> Engine:
        engine = Engine(ProgramConfig(**config), Clock(), check_invariants=True)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        assert engine.audit() == []


@pytest.fixture
def engine(make_engine) -> Engine:
    """Default program: 1 point per 1.00 paid, no expiry, no return window, clamp policy."""
    return make_engine()


@pytest.fixture
def enroll() -> Callable[..., str]:
    """enroll(engine, member_id, points=0, **upsert_fields) -> member_id."""

    def run(engine: Engine, member_id: str, points: int = 0, **fields: Any) -> str:
        outcome = engine.upsert_member(member_id, **fields)
        assert outcome.replayed is False
        if points:
            engine.earn(member_id, points)
        return member_id

    return run


@pytest.fixture
def fails() -> Callable[..., EngineError]:
    """fails(code, fn, *args, **kwargs): call and require an EngineError with that code."""

    def run(code: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> EngineError:
        with pytest.raises(EngineError) as caught:
            fn(*args, **kwargs)
        assert caught.value.code == code, caught.value
        return caught.value

    return run
