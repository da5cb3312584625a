"""JSON for big documents, written in pieces: the same bytes as one `json.dumps` call (compact
separators, UTF-8 kept), produced element by element so the thread that encodes gives the
interpreter back between pieces and the event loop keeps serving other tenants."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

_dumps = partial(json.dumps, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
SMALL = 64  # containers up to this many items, past the skeleton, are encoded in one call
SKELETON = 4  # root -> state -> field -> dataclass fields (the ledger's postings live there)
CHUNK = 64 * 1024
_CONTAINERS = (dict, list, tuple)  # bytes handed to the server at a time


def _walked(value: Any, depth: int) -> bool:
    """Containers near the root (the document's skeleton: state, its fields, the ledger's
    fields) and any big container are written item by item; anything else is one record,
    written in one call."""
    return isinstance(value, _CONTAINERS) and (depth < SKELETON or len(value) > SMALL)


def _pieces(value: Any, depth: int = 0) -> Iterator[str]:
    if not _walked(value, depth):
        yield _dumps(value)
    elif isinstance(value, dict):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield ("," if n else "") + _dumps(str(key)) + ":"
            yield from _pieces(item, depth + 1)
        yield "}"
    else:
        yield "["
        for n, item in enumerate(value):
            if n:
                yield ","
            yield from _pieces(item, depth + 1)
        yield "]"


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
