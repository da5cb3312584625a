"""A till written from WLL's own spec (trailing-slash paths, `subject` as the user id) is
read by the audit like one written from the older inferred shapes."""

from __future__ import annotations

from simulator.certify.traffic_calls import to_calls, wll_ops


def _entry(n: int, method: str, path: str, body=None, response=None) -> dict:
    return {
        "request_id": f"r{n}",
        "at": f"2026-01-01T10:00:{n:02d}+00:00",
        "started_at": f"2026-01-01T10:00:{n:02d}+00:00",
        "dialect": "wll",
        "method": method,
        "path": path,
        "query": "",
        "request_headers": {},
        "request_body": body,
        "status": 200,
        "response_headers": {},
        "response_body": response,
        "duration_ms": 5.0,
    }


def _ops(entries):
    calls, _, bad = to_calls(enumerate(entries, 1), "wll")
    assert bad == []
    return [op for call in calls for op in wll_ops(call)]


def test_spec_paths_and_a_string_subject_name_the_member():
    wallet = {"status": "success", "data": {"id": "u-1", "points": 500}}
    sale = {"type": "TRANSACTION", "subject": "u-1", "payload": {"amount": 12}, "id": "e-1"}
    spend = {"type": "REDEEMED_POINTS", "subject": "u-1", "payload": {"points": 50}, "id": "e-2"}
    ops = _ops(
        [
            _entry(1, "GET", "/v1/users/u-1/wallet/", response=wallet),
            _entry(2, "POST", "/v1/events/", sale),
            _entry(3, "POST", "/v1/events/", spend),
        ]
    )
    assert [op.kind for op in ops] == ["read", "order", "redeem"]
    assert ops[0].wallet and ops[0].balance == 500
    assert all(op.member == frozenset({"u-1"}) for op in ops)


def test_the_inferred_shapes_still_read_the_same():
    wallet = {"status": "success", "data": {"id": "u-1", "points": 500}}
    spend = {
        "type": "REDEEMED_POINTS",
        "subject": {"authIdentifier": "u-1"},
        "payload": {"points": 50},
        "id": "e-2",
    }
    ops = _ops(
        [
            _entry(1, "GET", "/v1/users/u-1/wallet", response=wallet),
            _entry(2, "POST", "/v1/events", spend),
        ]
    )
    assert [op.kind for op in ops] == ["read", "redeem"]
    assert ops[1].member == frozenset({"u-1"})
