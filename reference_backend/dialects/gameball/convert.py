"""Units and formats: Gameball speaks major-unit money and ISO times; the engine integers."""

from __future__ import annotations

import zlib
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from ...engine import ProgramConfig
from .errors import GameballError


def to_minor(config: ProgramConfig, amount: float, field: str) -> int:
    """Major units (10.5) to engine minor units (1050), rounding half up at the last unit."""
    value = Decimal(str(amount)).scaleb(config.minor_units)
    if not value.is_finite() or value < 0:
        raise GameballError(3003, f"{field} must be a non-negative amount")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_major(config: ProgramConfig, minor: int) -> float:
    return float(Decimal(minor).scaleb(-config.minor_units))


def points_value(config: ProgramConfig, points: int) -> float:
    """Money that `points` are worth (the `...Value` fields of balance and hold)."""
    sign = -1 if points < 0 else 1
    return sign * to_major(config, config.value_of_points(abs(points)))


def redemption_factor(config: ProgramConfig) -> float:
    """Money per point, e.g. 0.1 when 10 points buy 1.00."""
    per_point = Decimal(config.redeem_value_minor) / Decimal(config.redeem_points)
    return float(per_point.scaleb(-config.minor_units))


def earn_decimal_points(config: ProgramConfig, paid_minor: int | float) -> float:
    """Unfloored points for an amount, as the `decimalPoints` fields show them."""
    return round(paid_minor * config.earn_points / config.earn_per_minor, 2)


def stamp(when: datetime | None) -> str | None:
    """Gameball's response style: UTC, no zone suffix, microseconds."""
    if when is None:
        return None
    return when.replace(tzinfo=None).isoformat(timespec="microseconds")


def parse_time(value: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise GameballError(3003, f"{field} must be an ISO 8601 date-time") from None


def numeric_id(kind: str, ident: str) -> int:
    """A stable 8-digit `gameballTransactionId` for an engine record (no extra state)."""
    return 10_000_000 + zlib.crc32(f"{kind}:{ident}".encode()) % 90_000_000
