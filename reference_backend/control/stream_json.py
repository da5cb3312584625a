"""JSON for big documents, written in pieces: the same bytes as one `json.dumps` call (compact
separators, UTF-8 kept), produced element by element so the thread that encodes gives the
interpreter back between pieces and the event loop keeps serving other tenants."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

_dumps = partial(json.dumps, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
SMALL = 64  # flat containers up to this many items are encoded in one call
CHUNK = 64 * 1024
_CONTAINERS = (dict, list, tuple)  # bytes handed to the server at a time


def _items(value: Any):
    return value.values() if isinstance(value, dict) else value


def _flat(value: Any) -> bool:
    """Small enough for one call: at most SMALL items, each a scalar or a small container
    of scalars. Anything else may hide a big container, so it is walked."""
    if len(value) > SMALL:
        return False
    return all(
        not isinstance(item, _CONTAINERS)
        or (len(item) <= SMALL and not any(isinstance(x, _CONTAINERS) for x in _items(item)))
        for item in _items(value)
    )


def _pieces(value: Any) -> Iterator[str]:
    if isinstance(value, dict) and not _flat(value):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield ("," if n else "") + _dumps(str(key)) + ":"
            yield from _pieces(item)
        yield "}"
    elif isinstance(value, list | tuple) and not _flat(value):
        yield "["
        for n, item in enumerate(value):
            if n:
                yield ","
            yield from _pieces(item)
        yield "]"
    else:
        yield _dumps(value)


def iter_json(value: Any) -> Iterator[bytes]:
    """`value` as compact JSON, in chunks of about CHUNK bytes."""
    buffer: list[str] = []
    size = 0
    for piece in _pieces(value):
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")
