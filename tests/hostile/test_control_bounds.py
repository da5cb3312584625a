"""Every control-plane field bounded, and a snapshot restore that validates the whole state
before it replaces anything: a 400 naming the first problem, the tenant as it was."""

from __future__ import annotations

import copy
import json

import pytest

from reference_backend.app import create_app
from reference_backend.control.routes import MAX_ADVANCE_S
from reference_backend.settings import Settings
from simulator.transports import InProcessClient

DAY = 86_400
T = "/_posim/tenants/demo"


@pytest.fixture
def app():
    return create_app(Settings(running_clock=False, check_invariants=True))


@pytest.fixture
def client(app):
    return InProcessClient(app)


def _refused(response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    return response.json()["error"]["message"]


@pytest.mark.parametrize(
    "path,body",
    [
        ("/clock/advance", {"seconds": 1e300}),
        ("/clock/advance", {"seconds": MAX_ADVANCE_S + 1}),
        ("/clock/advance", {"seconds": -1}),
        ("/vouchers", {"code": "V1", "valid_days": 10**9}),
        ("/vouchers", {"code": "V1", "uses": 10**12}),
        ("/vouchers", {"code": "V1", "discount_value": 10**16}),
        ("/vouchers", {"code": "V1", "name": "n" * 257}),
        ("/faults", {"kind": "error", "route": "a" * 257}),
        ("/faults", {"kind": "error", "count": 10**16}),
    ],
)
def test_out_of_range_fields_are_400(client, path, body):
    before = client.get(f"{T}/snapshot").json()
    _refused(client.post(f"{T}{path}", json=body))
    assert client.get(f"{T}/snapshot").json() == before


@pytest.mark.parametrize(
    "content",
    [
        b'{"seconds": NaN}',
        b'{"seconds": Infinity}',
        b'{"seconds": 1e400}',
        b'{"tenant": "\\ud800"}',
        b'{"a":' * 100 + b"1" + b"}" * 100,
        b"[" * 10_000 + b"]" * 10_000,
    ],
)
def test_hostile_json_is_400_on_every_control_write(client, content):
    for path in ("/_posim/tenants", f"{T}/clock/advance", f"{T}/vouchers", f"{T}/restore"):
        headers = {"Content-Type": "application/json"}
        _refused(client.post(path, content=content, headers=headers))
    assert client.get("/_posim/tenants").json()["tenants"] == [{"tenant": "demo"}]


def test_control_bodies_have_their_own_size_limit():
    client = InProcessClient(create_app(Settings(running_clock=False, control_body_limit=1000)))
    message = _refused(client.post("/_posim/tenants", json={"pad": "x" * 1000}), 413)
    assert "1000" in message


def test_the_clock_stops_short_of_year_9999_with_a_400(client):
    statuses = {
        client.post(f"{T}/clock/advance", json={"seconds": MAX_ADVANCE_S}).status_code
        for _ in range(81)
    }
    assert statuses == {200, 400}
    assert client.get(f"{T}/clock").status_code == 200


# -- restore ---------------------------------------------------------------------------


@pytest.fixture
def busy(app, client):
    engine = app.state.registry.get("demo").engine
    engine.upsert_member("alice", {"email": "a@x.io"})
    engine.earn("alice", 500)
    engine.create_hold("alice", points=100, hold_id="h-live", ttl_s=3 * DAY)
    engine.create_hold("alice", points=50)
    return client.get(f"{T}/snapshot").json()


def _first(document: dict, where: str) -> dict:
    """The first record of a state map, e.g. 'lots' -> the first lot's fields."""
    return next(iter(document["state"][where]["$map"].values()))["f"]


def _inflate_lot(doc):
    lot = _first(doc, "lots")
    lot["amount"] += 1000
    lot["remaining"] += 1000


def _wrong_type(doc):
    _first(doc, "members")["debt"] = "lots"


def _behind_timer_counter(doc):
    doc["state"]["counters"]["$map"]["_timer"] = 0


def _behind_id_counter(doc):
    doc["state"]["counters"]["$map"]["hold"] = 0


def _unknown_module(doc):
    doc["dialect_data"] = {
        "$map": {"x": {"$dc": "Thing", "m": "reference_backend.dialects.nope", "f": {}}}
    }


def _foreign_module(doc):
    doc["dialect_data"] = {"$map": {"x": {"$model": "Path", "m": "pathlib", "f": {}}}}


def _unknown_class(doc):
    _first(doc, "lots")  # keep the shape, rename the class
    lot = next(iter(doc["state"]["lots"]["$map"].values()))
    lot["$dc"] = "NotAThing"


def _naive_instant(doc):
    _first(doc, "members")["created_at"] = {"$dt": "2026-01-01T00:00:00"}


def _unknown_field(doc):
    doc["state"]["surprise"] = 1


def _huge_number(doc):
    _first(doc, "members")["lifetime_earned"] = 10**30


BREAKS = {
    "inflated lot": (_inflate_lot, "invariant"),
    "wrong field type": (_wrong_type, "debt"),
    "timer counter behind": (_behind_timer_counter, "_timer"),
    "id counter behind": (_behind_id_counter, "hold"),
    "unknown dialect module": (_unknown_module, "not restorable"),
    "module outside posim": (_foreign_module, "not restorable"),
    "unknown class": (_unknown_class, "NotAThing"),
    "instant without a zone": (_naive_instant, "time zone"),
    "unknown state field": (_unknown_field, "surprise"),
    "number out of range": (_huge_number, "out of range"),
}


@pytest.mark.parametrize("case", BREAKS)
def test_a_bad_snapshot_is_refused_and_the_tenant_kept(client, busy, case):
    breaks, expected = BREAKS[case]
    document = copy.deepcopy(busy)
    breaks(document)
    message = _refused(client.post(f"{T}/restore", json=document))
    assert expected in message
    assert client.get(f"{T}/snapshot").json() == busy
    assert client.get(f"{T}/audit").json() == {"violations": []}


def test_a_good_snapshot_still_restores(client, busy):
    client.post(f"{T}/reset")
    restored = client.post(f"{T}/restore", json=json.loads(json.dumps(busy)))
    assert restored.status_code == 200, restored.text
    assert client.get(f"{T}/snapshot").json() == busy


def test_restore_never_imports_a_module(client, busy, monkeypatch):
    import importlib

    imported = []
    monkeypatch.setattr(importlib, "import_module", lambda name, *a: imported.append(name))
    document = copy.deepcopy(busy)
    _unknown_module(document)
    _refused(client.post(f"{T}/restore", json=document))
    assert imported == []


@pytest.mark.parametrize(
    "config",
    [
        {"return_window_days": 10**9},
        {"lot_expiry_days": 10**7},
        {"hold_ttl_max_s": 10**15},
        {"referral_clawback_days": 10**9},
        {"idempotency_retention_s": 10**13},
    ],
)
def test_program_periods_are_bounded(client, config):
    """A period past year 9999 would break every order of the tenant: refused at creation."""
    message = _refused(client.post("/_posim/tenants", json={"tenant": "t", "config": config}))
    assert "config" in message
    assert client.get("/_posim/tenants/t").status_code == 404
