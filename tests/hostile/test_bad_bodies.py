"""Hostile values in each dialect's writes: a vendor-shaped 4xx, nothing committed, the audit
clean, and the tenant's reads still answering; the same write sent valid then commits."""

from __future__ import annotations

import json
import random

import pytest

from reference_backend.hardening import MAX_DEPTH
from tests.support.hostile import VENDORS, asgi_call, hostile_body

DEEP = b"[" * 10_000 + b"]" * 10_000
CASES = {
    "lone high surrogate": ("id", rb'"A\ud800"'),
    "lone low surrogate": ("id", rb'"\uDC00x"'),
    "surrogate as a key": ("id", rb'{"\ud800": 1}'),
    "10k-deep array": ("id", DEEP),
    "just too deep": ("id", b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)),
    "NaN": ("amount", b"NaN"),
    "Infinity": ("amount", b"Infinity"),
    "-Infinity": ("amount", b"-Infinity"),
    "1e400 (parses as inf)": ("amount", b"1e400"),
    "1e30": ("amount", b"1e30"),
    "1e26": ("amount", b"1e26"),
    "30-digit integer": ("amount", b"1" + b"0" * 30),
    "1e30 as a string": ("amount", b'"1e30"'),
    "NaN as a string": ("amount", b'"NaN"'),
    "5000-digit integer": ("amount", b"9" * 5000),
}
WHOLE_BODIES = {
    "invalid UTF-8": b'{"a": "\xff\xfe"}',
    "a JSON array": b"[]",
    "a JSON string": b'"x"',
    "truncated JSON": b'{"a": ',
    "deep object": b'{"a":' * 5000 + b"1" + b"}" * 5000,
}


def _reads_still_answer(vendor) -> None:
    for path in ("snapshot", "traffic", "audit"):
        response = vendor.client.get(f"/_posim/tenants/{vendor.tenant.tenant_id}/{path}")
        assert response.status_code == 200, (path, response.text)


def _refused_and_unchanged(vendor, write, content: bytes, status: int | None = None) -> None:
    before = vendor.fingerprint()
    response = vendor.send(write, content)
    if status is None:  # Capillary answers a batch whose every item failed with 200
        batch = vendor.name == "capillary" and response.status_code == 200
        assert batch or 400 <= response.status_code < 500, response.text
    else:
        assert response.status_code == status, response.text
    assert vendor.envelope_ok(response), response.text
    assert vendor.fingerprint() == before, "a refused write committed something"
    assert vendor.tenant.engine.audit() == []


@pytest.mark.parametrize("dialect", VENDORS)
@pytest.mark.parametrize("case", CASES)
def test_hostile_value_is_refused_and_commits_nothing(dialect, case):
    vendor = VENDORS[dialect]()
    place, token = CASES[case]
    tried = [w for w in vendor.writes if place in w.places]
    assert tried, f"{dialect} has no write with a {place}"
    for write in tried:
        _refused_and_unchanged(vendor, write, hostile_body(write, place, token))
    _reads_still_answer(vendor)
    for write in tried:  # the same write, valid, commits: the refusal was the edge's doing
        before = vendor.fingerprint()
        response = vendor.send(write, json.dumps(write.body).encode())
        assert 200 <= response.status_code < 300, response.text
        assert vendor.fingerprint() != before
    assert vendor.tenant.engine.audit() == []


@pytest.mark.parametrize("dialect", VENDORS)
@pytest.mark.parametrize("case", WHOLE_BODIES)
def test_unreadable_body_is_refused(dialect, case):
    vendor = VENDORS[dialect]()
    for write in vendor.writes:
        _refused_and_unchanged(vendor, write, WHOLE_BODIES[case])
    _reads_still_answer(vendor)


@pytest.mark.parametrize("dialect", VENDORS)
def test_body_over_the_limit_is_413_in_the_vendor_shape(dialect):
    vendor = VENDORS[dialect](body_limit=4096)
    for write in vendor.writes:
        padded = json.dumps({**write.body, "pad": "x" * 4096}).encode()
        _refused_and_unchanged(vendor, write, padded, status=413)
        assert vendor.send(write, json.dumps(write.body).encode()).status_code < 300
    _reads_still_answer(vendor)


@pytest.mark.parametrize("dialect", VENDORS)
def test_default_body_limit_is_one_megabyte(dialect):
    vendor = VENDORS[dialect]()
    write = vendor.writes[0]
    body = {**write.body, "pad": "x" * (1024 * 1024)}
    _refused_and_unchanged(vendor, write, json.dumps(body).encode(), status=413)


@pytest.mark.parametrize("dialect", VENDORS)
def test_streamed_body_without_length_is_cut_at_the_limit(dialect):
    """No Content-Length (chunked): the reader stops as soon as the limit is passed."""
    vendor = VENDORS[dialect](body_limit=4096)
    write = vendor.writes[0]
    chunks = [b'{"pad": "', *([b"x" * 1024] * 64), b'"}']
    before = vendor.fingerprint()
    headers = {**vendor.headers, "content-type": "application/json", "host": "posim.local"}
    status, body, pulled = asgi_call(vendor.app, write.method, write.path, headers, chunks)
    assert status == 413
    assert pulled < 10, "the reader kept reading past the limit"
    assert vendor.fingerprint() == before


@pytest.mark.parametrize("dialect", VENDORS)
def test_every_write_commits_whole_or_not_at_all(dialect):
    """A seeded mix of valid and hostile writes: each answer is below 500, and every refusal
    (a 4xx, or a Capillary batch whose items all failed) leaves the tenant unchanged."""
    rng = random.Random(14)
    vendor = VENDORS[dialect]()
    tokens = [token for _, token in CASES.values()] + [b'"ok-1"', b"7", b'"x"']
    refused = 0
    for _ in range(40):
        write = rng.choice(vendor.writes)
        place = rng.choice(sorted(write.places))
        content = hostile_body(write, place, rng.choice(tokens))
        before = vendor.fingerprint()
        response = vendor.send(write, content)
        assert response.status_code < 500, response.text
        if response.status_code >= 400 or vendor.envelope_ok(response):
            refused += 1
            assert vendor.fingerprint() == before, f"refused {content[:80]!r} committed"
        assert vendor.tenant.engine.audit() == []
    assert 0 < refused < 40  # both kinds of answer were seen
