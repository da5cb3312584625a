"""Recorded exchanges carry the instant they started, and `posim audit` reads calls in that
order: a lost answer that ends after its retry still comes first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.backends import embedded
from simulator.certify.readiness import FAILED
from simulator.certify.traffic_audit import audit
from simulator.certify.traffic_calls import load_traffic
from simulator.gateway import LoyaltyGateway

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ORDERS = "/api/v4.0/integrations/orders"


def _order(order_id: str) -> dict:
    return {
        "customerId": "m1",
        "orderId": order_id,
        "orderDate": "2026-03-01T09:00:00Z",
        "totalPaid": 19.0,
        "totalPrice": 20.0,
        "lineItems": [{"productId": "SKU1", "quantity": 2, "price": 10.0}],
    }


def _line(order_id: str, start_s: float, took_s: float, *, lost: bool, with_start: bool) -> dict:
    start = T0 + timedelta(seconds=start_s)
    line = {
        "request_id": f"req-{order_id}",
        "at": (start + timedelta(seconds=took_s)).isoformat(),
        "tenant": "t1",
        "dialect": "gameball",
        "method": "POST",
        "path": ORDERS,
        "query": "",
        "request_headers": {"apikey": "***abcd"},
        "request_body": _order(order_id),
        "status": 599 if lost else 200,
        "response_headers": {},
        "response_body": None,
        "duration_ms": took_s * 1000,
        "fault": {"rule": "f1", "kind": "lose_response"} if lost else None,
    }
    if with_start:
        line["started_at"] = start.isoformat()
    return line


def _recording(folder: Path, *, with_start: bool) -> Path:
    """O1 starts first and its answer is lost after 5 s; meanwhile the till resends the same
    sale as O2, which ends first, so the file lists O2 before O1."""
    lines = [
        _line("O2", 3.0, 0.1, lost=False, with_start=with_start),
        _line("O1", 0.0, 5.0, lost=True, with_start=with_start),
    ]
    path = folder / "gameball.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _retry_item(path: Path):
    result = audit(path, "gameball")
    return next(r for r in result.dialects[0].results if r.item.id == "GB-ERR-01")


def test_calls_are_read_in_start_order(tmp_path):
    traffic = load_traffic(_recording(tmp_path, with_start=True), "gameball")
    assert [c.request_id for c in traffic.calls] == ["req-O1", "req-O2"]
    assert [c.index for c in traffic.calls] == [0, 1]
    assert [op.call.request_id for op in traffic.ops] == ["req-O1", "req-O2"]


def test_a_resubmission_under_a_new_id_is_seen_though_it_ended_first(tmp_path):
    item = _retry_item(_recording(tmp_path, with_start=True))
    assert item.status == FAILED
    assert "O1 -> O2" in item.detail


def test_a_recording_without_start_instants_still_loads_in_start_order(tmp_path):
    path = _recording(tmp_path, with_start=False)
    assert [c.request_id for c in load_traffic(path, "gameball").calls] == [
        "req-O1",
        "req-O2",
    ]
    assert _retry_item(path).status == FAILED


def test_the_recorder_stamps_when_each_exchange_started(tmp_path):
    record = tmp_path / "traffic.jsonl"
    app = create_app(Settings(running_clock=False, demo_tenant=False, record_path=str(record)))
    backend = embedded(app, "gameball")
    try:
        LoyaltyGateway(backend.codec(), backend.transport).enroll("m1")
        live = backend.control.traffic()
    finally:
        backend.close()
    recorded = [json.loads(raw) for raw in record.read_text().splitlines()]
    assert live and recorded
    for entry in live + recorded:
        started = datetime.fromisoformat(entry["started_at"])
        ended = datetime.fromisoformat(entry["at"])
        assert started <= ended
        assert (ended - started).total_seconds() <= entry["duration_ms"] / 1000 + 0.01
