"""Minor units <-> the decimal numbers vendors put on the wire."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def to_major(minor: int, minor_units: int = 2) -> float:
    return float(Decimal(minor).scaleb(-minor_units))


def points_owed(points: int, refunded: int, paid: int) -> int:
    """Points a sale's refunds owe back once `refunded` of `paid` is refunded (cumulative
    floor, so the refunds of one sale add up to exactly `points` at the end)."""
    return points if refunded >= paid else points * refunded // paid


def to_minor(major, minor_units: int = 2) -> int:
    """Vendors send numbers or numeric strings; round half up to the smallest unit."""
    if major is None:
        return 0
    value = Decimal(str(major)).scaleb(minor_units)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
