"""A Gameball hold re-sent after a lost answer leaves a second pending hold: the engine shows
it, and `posim audit` surfaces it as an advisory warning (a note, never a blocker)."""

from __future__ import annotations

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.certify.traffic_audit import audit
from simulator.transports import InProcessClient

V4 = "/api/v4.0/integrations"
NOW = "2026-01-01T00:00:00Z"


def _record(tmp_path, lose_first_hold: bool):
    path = tmp_path / "traffic.jsonl"
    app = create_app(Settings(running_clock=False, record_path=str(path)))
    tenant = app.state.registry.get("demo")
    creds = tenant.credentials["gameball"]
    headers = {"APIKey": creds["apiKey"], "SecretKey": creds["secretKey"]}
    client = InProcessClient(app)
    client.post(f"{V4}/customers", json={"customerId": "c1"}, headers=headers)
    tenant.engine.earn("c1", 1000)
    client.get(f"{V4}/customers/c1/balance", headers=headers)
    if lose_first_hold:
        rule = {"kind": "lose_response", "route": "transactions/hold", "count": 1}
        assert client.post("/_posim/tenants/demo/faults", json=rule).status_code == 201
    hold = {"customerId": "c1", "transactionTime": NOW, "pointsToHold": 300}
    answers = [client.post(f"{V4}/transactions/hold", json=hold, headers=headers) for _ in range(2)]
    return path, tenant, answers


def _warning(result):
    dialect = result.dialects[0]
    return next(r for r in dialect.results if r.item.id == "GB-ERR-06"), dialect.verdict


def test_a_retried_hold_after_a_lost_answer_is_a_warning(tmp_path):
    path, tenant, answers = _record(tmp_path, lose_first_hold=True)
    assert [a.status_code for a in answers] == [599, 200]
    pending = [h for h in tenant.engine.state.holds.values() if h.state == "pending"]
    assert len(pending) == 2  # the lost one and its retry: Gameball takes no client hold id
    item, verdict = _warning(audit(path, "gameball"))
    assert item.status == "failed" and item.item.severity == "advisory"
    assert item in verdict.notes  # a note on the verdict: never a blocker or a risk
    assert item not in verdict.blockers and item not in verdict.risks
    assert "stays pending until its TTL" in str(item.findings)


def test_holds_that_were_answered_raise_no_warning(tmp_path):
    path, _, answers = _record(tmp_path, lose_first_hold=False)
    assert [a.status_code for a in answers] == [200, 200]
    item, verdict = _warning(audit(path, "gameball"))
    assert item.status == "passed"
    assert "2 hold(s) inspected" in str(item.findings)
