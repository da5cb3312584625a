"""WLL's ids and timestamps: posim's uuid5 namespace for the ids it mints, and times as WLL
writes them (ISO 8601, UTC, milliseconds, `Z`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

NAMESPACE = uuid.UUID("5b1f0c1e-7a52-4b8e-9a57-3f1f3f0c9d11")  # posim's WLL id namespace


def iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
