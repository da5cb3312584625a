"""The /_posim control plane: tenants, isolation, clock, audit, snapshots, traffic."""

from __future__ import annotations

import pytest

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.transports import InProcessClient


@pytest.fixture
def app():
    return create_app(Settings(running_clock=False, check_invariants=True))


@pytest.fixture
def client(app):
    with InProcessClient(app) as c:
        yield c


def _tenant(client, **body) -> str:
    response = client.post("/_posim/tenants", json=body or None)
    assert response.status_code == 201, response.text
    return response.json()["tenant"]


def test_demo_tenant_exists_and_new_tenants_are_listed(client):
    created = _tenant(client, tenant="shard-1")
    ids = [t["tenant"] for t in client.get("/_posim/tenants").json()["tenants"]]
    assert ids == ["demo", created] and created == "shard-1"


def test_tenant_config_is_validated_and_ids_are_unique(client):
    bad = client.post("/_posim/tenants", json={"currency": "EURO"})
    assert bad.status_code == 400
    assert "config" in bad.json()["error"]["message"]
    _tenant(client, tenant="x")
    assert client.post("/_posim/tenants", json={"tenant": "x"}).status_code == 409


def test_tenants_are_isolated(app, client):
    a, b = _tenant(client), _tenant(client)
    engine_a = app.state.registry.get(a).engine
    engine_a.upsert_member("m1")
    engine_a.earn("m1", 100)
    assert app.state.registry.get(b).engine.state.members == {}
    client.post(f"/_posim/tenants/{a}/clock/advance", json={"seconds": 3600})
    clock_a = client.get(f"/_posim/tenants/{a}/clock").json()["now"]
    clock_b = client.get(f"/_posim/tenants/{b}/clock").json()["now"]
    assert clock_a > clock_b


def test_clock_only_moves_forward_and_expires_holds(app, client):
    tid = _tenant(client)
    engine = app.state.registry.get(tid).engine
    engine.upsert_member("m1")
    engine.earn("m1", 500)
    hold = engine.create_hold("m1", points=200).value
    back = client.post(f"/_posim/tenants/{tid}/clock/advance", json={"seconds": -5})
    assert back.status_code == 400
    client.post(f"/_posim/tenants/{tid}/clock/advance", json={"seconds": 599})
    assert engine.hold(hold.hold_id).state == "pending"
    client.post(f"/_posim/tenants/{tid}/clock/advance", json={"seconds": 1})
    assert engine.hold(hold.hold_id).state == "expired"
    assert engine.balance("m1")["available"] == 500


def test_snapshot_restore_and_reset(app, client):
    tid = _tenant(client)
    engine = app.state.registry.get(tid).engine
    engine.upsert_member("m1", {"email": "m1@example.com"})
    engine.earn("m1", 300)
    snap = client.get(f"/_posim/tenants/{tid}/snapshot").json()
    engine.earn("m1", 50)
    assert client.post(f"/_posim/tenants/{tid}/reset").status_code == 200
    assert app.state.registry.get(tid).engine.state.members == {}
    restored = client.post(f"/_posim/tenants/{tid}/restore", json=snap)
    assert restored.status_code == 200
    engine = app.state.registry.get(tid).engine
    assert engine.balance("m1")["balance"] == 300
    assert engine.find_member("email", "M1@example.com").member_id == "m1"
    garbage = client.post(f"/_posim/tenants/{tid}/restore", json={"format": "nope"})
    assert garbage.status_code == 400
    assert engine.balance("m1")["balance"] == 300


def test_audit_reports_violations(app, client):
    tid = _tenant(client)
    engine = app.state.registry.get(tid).engine
    engine.upsert_member("m1")
    engine.earn("m1", 100)
    assert client.get(f"/_posim/tenants/{tid}/audit").json() == {"violations": []}
    engine.state.lots["lot_000001"].remaining += 1  # corrupt the state behind the ledger
    violations = client.get(f"/_posim/tenants/{tid}/audit").json()["violations"]
    assert {v["invariant"] for v in violations} >= {"I2"}


def test_unknown_tenant_and_delete(client):
    assert client.get("/_posim/tenants/nope/clock").status_code == 404
    tid = _tenant(client)
    assert client.delete(f"/_posim/tenants/{tid}").status_code == 200
    assert client.delete(f"/_posim/tenants/{tid}").status_code == 404
    assert client.get(f"/_posim/tenants/{tid}/audit").status_code == 404


def test_every_response_carries_a_request_id(client):
    response = client.get("/_posim/tenants")
    assert len(response.headers["x-request-id"]) == 32


def test_rate_limits_can_be_scaled_or_turned_off(app, client):
    tid = _tenant(client)
    tenant = app.state.registry.get(tid)
    bucket = tenant.limiter(("x", "k"), rate=1, burst=2)
    assert [bucket.take() == 0 for _ in range(3)] == [True, True, False]
    off = client.put(f"/_posim/tenants/{tid}/rate-limits", json={"enabled": False})
    assert off.status_code == 200
    assert all(tenant.limiter(("x", "k"), 1, 2).take() == 0 for _ in range(50))
    client.put(f"/_posim/tenants/{tid}/rate-limits", json={"enabled": True, "scale": 10})
    bucket = tenant.limiter(("x", "k"), rate=1, burst=2)
    assert sum(bucket.take() == 0 for _ in range(30)) == 20
    bad = client.put(f"/_posim/tenants/{tid}/rate-limits", json={"scale": 0})
    assert bad.status_code == 400


def test_snapshot_carries_dialect_records_and_refuses_foreign_classes(app, client):
    from datetime import UTC, datetime

    tid = _tenant(client)
    tenant = app.state.registry.get(tid)
    record = {"hashes": {"123456"}, "at": datetime(2026, 1, 2, tzinfo=UTC), "n": [1, 2]}
    tenant.dialect_data("gameball")["qr"] = record
    snap = client.get(f"/_posim/tenants/{tid}/snapshot").json()
    client.post(f"/_posim/tenants/{tid}/reset")
    assert tenant.data == {}
    assert client.post(f"/_posim/tenants/{tid}/restore", json=snap).status_code == 200
    assert tenant.dialect_data("gameball")["qr"] == record
    evil = {**snap, "dialect_data": {"$dc": "system", "m": "os", "f": {}}}
    refused = client.post(f"/_posim/tenants/{tid}/restore", json=evil)
    assert refused.status_code == 400 and "not restorable" in refused.text


def test_dialect_settings_are_validated_by_the_dialect(client):
    tid = _tenant(client)
    assert client.put(f"/_posim/tenants/{tid}/dialects/nope", json={}).status_code == 404
    bad = client.post("/_posim/tenants", json={"tenant": "z", "dialects": {"nope": {}}})
    assert bad.status_code == 404
    ids = [t["tenant"] for t in client.get("/_posim/tenants").json()["tenants"]]
    assert "z" not in ids  # a tenant whose settings fail is not created


@pytest.mark.parametrize("bad", ["a/b", "", "x" * 65, 7, "white space"])
def test_tenant_ids_are_path_safe(client, bad):
    response = client.post("/_posim/tenants", json={"tenant": bad})
    assert response.status_code == 400
    assert "tenant ids" in response.json()["error"]["message"]
