"""Snapshots are written in pieces off the event loop, and the pieces are exactly the JSON
one `json.dumps` call would give."""

from __future__ import annotations

import json
import random

import pytest

from reference_backend.app import create_app
from reference_backend.control import forked, stream_json
from reference_backend.engine import snapshot as snapshots
from reference_backend.settings import Settings
from simulator.transports import InProcessClient


def _document(rng: random.Random, depth: int = 0):
    kind = rng.choice(["dict", "list", "leaf", "leaf"] if depth < 3 else ["leaf"])
    size = rng.choice([0, 3, stream_json.SMALL, stream_json.SMALL + 1, 300])
    if kind == "dict":
        return {f"k{n}é": _document(rng, depth + 1) for n in range(size)}
    if kind == "list":
        return [_document(rng, depth + 1) for _ in range(size)]
    return rng.choice([None, True, 1.5, -7, 'ünïcode "quoted" \n', 10**20])


def test_pieces_join_to_the_one_call_encoding():
    rng = random.Random(16)
    for _ in range(40):
        members = {f"m{n}": _document(rng, 1) for n in range(stream_json.SMALL + 1)}
        doc = {"members": members, "any": _document(rng), "tuple": tuple(range(100))}
        doc["wide"] = {"inner": [list(range(50)) for _ in range(3000)]}  # ~450 kB in one field
        expected = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        chunks = list(stream_json.iter_json(doc))
        assert b"".join(chunks) == expected.encode("utf-8")
        assert len(chunks) >= len(expected) // (4 * stream_json.CHUNK)  # written in pieces


@pytest.mark.parametrize("fork", [True, False])
def test_a_big_snapshot_streams_the_same_document(monkeypatch, fork):
    monkeypatch.setattr(forked, "AVAILABLE", fork and forked.AVAILABLE)
    app = create_app(Settings(running_clock=False, demo_tenant=False))
    with InProcessClient(app) as client:
        tid = client.post("/_posim/tenants", json={"tenant": "big"}).json()["tenant"]
        engine = app.state.registry.get(tid).engine
        for n in range(300):
            engine.upsert_member(f"m{n}")
            engine.earn(f"m{n}", 10 + n)
        response = client.get(f"/_posim/tenants/{tid}/snapshot")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        expected = snapshots.dump(engine.state)
        expected["dialect_data"] = snapshots.encode(app.state.registry.get(tid).data)
        assert response.json() == json.loads(json.dumps(expected))
        restored = client.post(f"/_posim/tenants/{tid}/restore", json=response.json())
        assert restored.status_code == 200
        assert engine.balance("m299")["balance"] == 309
