"""Engine operations per second on one core, without HTTP (the ceiling under every dialect)."""

from __future__ import annotations

import time
from collections.abc import Callable

from reference_backend.engine import Clock, Engine, ProgramConfig

MEMBERS = 200


def _engine() -> Engine:
    engine = Engine(ProgramConfig(lot_expiry_days=365), Clock())
    for i in range(MEMBERS):
        engine.upsert_member(f"m{i}")
        engine.earn(f"m{i}", 10_000_000)
    return engine


def _rate(fn: Callable[[int], None], n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def run(n: int = 20_000) -> dict[str, float]:
    figures: dict[str, float] = {}

    engine = _engine()

    def hold_capture(i: int) -> None:
        hold = engine.create_hold(f"m{i % MEMBERS}", points=10).value
        engine.capture_hold(hold.hold_id)

    figures["hold -> capture (pairs/s)"] = _rate(hold_capture, n)

    engine = _engine()

    def hold_release(i: int) -> None:
        hold = engine.create_hold(f"m{i % MEMBERS}", points=10).value
        engine.release_hold(hold.hold_id)

    figures["hold -> release (pairs/s)"] = _rate(hold_release, n)

    engine = _engine()

    def mix(i: int) -> None:  # the hold/capture/release mix: 3 commands per iteration
        member = f"m{i % MEMBERS}"
        first = engine.create_hold(member, points=10).value
        second = engine.create_hold(member, points=5).value
        engine.capture_hold(first.hold_id)
        engine.release_hold(second.hold_id)

    figures["hold/capture/release mix (ops/s)"] = 4 * _rate(mix, n // 2)

    engine = _engine()
    lines = [{"sku": "A", "quantity": 2, "unit_price": 2500}]

    def order(i: int) -> None:
        engine.record_order(f"o{i}", f"m{i % MEMBERS}", 5000, lines=lines)

    figures["record_order (ops/s)"] = _rate(order, n)

    def refund(i: int) -> None:
        engine.refund(f"o{i}", f"r{i}", amount=1000)

    figures["refund (ops/s)"] = _rate(refund, n)
    return figures
