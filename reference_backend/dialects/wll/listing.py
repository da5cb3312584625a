"""List queries after the spec's ListQueryParams: `limit` (1-1000), `skip`, `order` (ASC|DESC
by `createdAt`; absent: the list's natural order) and `filter`, a JSON object of
field -> value (dotted paths reach nested fields, e.g. `{"profile.emailAddress": "a@b.io"}`).
WLL leaves `filter`'s grammar open, so equality is the reading posim takes (parity table)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...hardening import loads
from .errors import WllFail

MAX_LIMIT = 1000
MAX_SKIP = 2**53 - 1


def _invalid(field: str, reason: str) -> WllFail:
    return WllFail(400, "Validation failed", {field: reason})


def _whole(query: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise _invalid(name, "must be a number") from None
    if not value.is_integer() or not low <= value <= high:
        raise _invalid(name, f"must be a whole number from {low} to {high}")
    return int(value)


def _filter(query: Mapping[str, str]) -> dict[str, Any]:
    raw = query.get("filter")
    if not raw:
        return {}
    try:
        found = loads(raw)  # the edge's bounds: depth, numbers, Unicode
    except ValueError:
        raise _invalid("filter", "must be a JSON object") from None
    if not isinstance(found, dict):
        raise _invalid("filter", "must be a JSON object")
    return found


def _field(item: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def page(items: list[dict[str, Any]], query: Mapping[str, str]) -> list[dict[str, Any]]:
    """Filter, order and cut a list of rendered records as the query asks."""
    limit = _whole(query, "limit", 1, MAX_LIMIT)
    skip = _whole(query, "skip", 0, MAX_SKIP) or 0
    order = query.get("order")
    if order is not None and order.upper() not in ("ASC", "DESC"):
        raise _invalid("order", "must be ASC or DESC")
    wanted = _filter(query)
    found = [i for i in items if all(_field(i, k) == v for k, v in wanted.items())]
    if order is not None:  # without it, the list keeps its natural order (e.g. by priority)
        found.sort(key=lambda i: str(i.get("createdAt") or ""), reverse=order.upper() == "DESC")
    return found[skip:] if limit is None else found[skip : skip + limit]
