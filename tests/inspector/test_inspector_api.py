"""The inspector's reads over a real server, driven by a real till (no browser)."""

from __future__ import annotations

import json

import httpx
import pytest
from pos_client import GameballError

from simulator.certify.bundle import write_reports
from simulator.certify.traffic_audit import audit


def _checkout(tenant, member="m-100", points=40):
    till = tenant.till()
    till.register(member, mobile="+201001234567")
    till.complete_order(member, f"{member}-o1", 500.0)
    till.balance(member)
    return till, till.hold(member, points)


def test_journal_names_the_vendor_call_member_status_and_ledger_effect(tenant):
    till, hold = _checkout(tenant)
    till.release(hold)
    rows = tenant.get("/journal")["rows"]
    assert [r["operation"] for r in rows] == [
        "POST customers",
        "POST orders",
        "GET customers/{customerId}/balance",
        "POST transactions/hold",
        "DELETE transactions/hold/{holdReferenceId}",
    ]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert all(r["status"] == 200 and r["dialect"] == "gameball" for r in rows)
    hold_row, release_row = rows[3], rows[4]
    assert hold_row["member"] == ["m-100"]
    assert release_row["member"] == ["m-100"]  # named by the postings the release made
    assert [(p["kind"], p["phase"], p["amount"]) for p in hold_row["effect"]] == [
        ("hold", "pending", 40)
    ]
    assert [(p["kind"], p["phase"], p["amount"]) for p in release_row["effect"]] == [
        ("release", "void", 40)
    ]
    assert rows[1]["order"] == "m-100-o1"
    assert rows[2]["effect"] == []  # a balance read moves nothing
    assert tenant.get("/journal", after=3)["rows"] == rows[3:]


def test_exchange_detail_is_masked_and_gives_a_curl_and_hold_changes(tenant):
    till, hold = _checkout(tenant, member="m-200")
    rows = tenant.get("/journal")["rows"]
    detail = tenant.get(f"/exchanges/{rows[3]['request_id']}")
    secret = tenant.credentials["gameball"]["apiKey"]
    text = json.dumps(detail)
    assert secret not in text and tenant.credentials["gameball"]["secretKey"] not in text
    assert detail["exchange"]["request_body"]["pointsToHold"] == 40
    assert detail["holds"] == [
        {
            "hold": hold,
            "member": "m-200",
            "amount": 40,
            "state": "pending",
            "expires_at": detail["holds"][0]["expires_at"],
            "changes": ["opened"],
        }
    ]
    assert detail["curl"].startswith("curl -sS -X POST ")
    assert "${POSIM_APIKEY}" in detail["curl"] and "/transactions/hold" in detail["curl"]
    enrol = json.dumps(tenant.get(f"/exchanges/{rows[0]['request_id']}"))
    assert "1001234567" not in enrol  # the member's phone is personal data


def test_members_view_shows_balances_lots_holds_and_a_clean_audit(tenant):
    _checkout(tenant, member="m-300", points=25)
    view = tenant.get("/members")
    assert view["audit"]["ok"] is True and view["audit"]["violations"] == []
    (line,) = view["members"]
    assert (line["balance"], line["held"], line["available"]) == (500, 25, 475)
    member = tenant.get("/members/m-300")
    assert [h["state"] for h in member["holds"]] == ["pending"]
    assert member["lots"][0]["remaining"] == 500 and member["lots"][0]["reserved"] == 25
    assert member["orders"][0]["order_id"] == "m-300-o1"
    assert member["identifiers"]["mobile"] == "[personal]"


def test_a_clock_advance_expires_the_hold_in_the_members_view(tenant):
    _checkout(tenant, member="m-400")
    httpx.post(tenant.control + "/clock/advance", json={"seconds": 3600}, timeout=10)
    tenant.till().balance("m-400")  # the next call sees the expiry
    member = tenant.get("/members/m-400")
    assert [h["state"] for h in member["holds"]] == ["expired"]
    rows = tenant.get("/journal")["rows"]
    assert ("expire_hold", "void") in {(p["kind"], p["phase"]) for p in rows[-1]["effect"]}


def test_an_injected_fault_is_marked_on_its_row(tenant):
    till = tenant.till()
    till.register("m-500")
    fault = {"kind": "error", "route": "transactions/hold", "count": 1, "status": 503}
    httpx.post(tenant.control + "/faults", json=fault, timeout=10).raise_for_status()
    with pytest.raises(GameballError) as failed:
        till.hold("m-500", 1)
    assert failed.value.status == 503
    last = tenant.get("/journal")["rows"][-1]
    assert last["status"] == 503 and last["fault"]


def test_checklist_live_flags_a_hold_sent_without_reading_the_balance(tenant):
    till = tenant.till()
    till.register("m-600")
    till.complete_order("m-600", "m-600-o1", 100.0)
    till.hold("m-600", 10)  # no balance read in this checkout
    live = tenant.get("/checklist", dialect="gameball")
    items = {i["id"]: i for i in live["items"]}
    assert items["GB-RED-01"]["status"] == "failed"
    assert live["verdict"]["level"] == "not_ready"
    report = httpx.get(tenant.ui + "/checklist/report", params={"dialect": "gameball"})
    assert report.status_code == 200 and "GB-RED-01" in report.text


def test_the_stream_pushes_new_rows_and_the_tenant_clock(tenant):
    _checkout(tenant, member="m-700")
    events = []
    with httpx.stream("GET", tenant.ui + "/stream", timeout=10) as stream:
        name = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
                if name == "clock":
                    break
    assert events[0][0] == "journal" and len(events[0][1]["rows"]) == 4
    assert events[1][0] == "clock" and events[1][1]["clock"]


def test_reports_of_earlier_runs_are_listed_with_their_verdict(tenant, reports_dir, tmp_path):
    _checkout(tenant, member="m-800")
    traffic = httpx.get(tenant.control + "/traffic").json()["traffic"]
    recording = tmp_path / "till.jsonl"
    recording.write_text("".join(json.dumps(e) + "\n" for e in traffic))
    write_reports(audit(recording, "gameball"), reports_dir)
    listed = httpx.get(tenant.server.url + "/_posim/ui/api/reports").json()["reports"]
    evidence = next(r for r in listed if r["path"] == "audit-evidence.json")
    assert evidence["verdict"].startswith("audit: ")
    page = httpx.get(tenant.server.url + "/_posim/ui/reports/audit-report.html")
    assert page.status_code == 200 and "<html" in page.text.lower()
    outside = httpx.get(tenant.server.url + "/_posim/ui/reports/..%2F..%2Fetc%2Fpasswd")
    assert outside.status_code == 404


def test_fault_plans_are_rules_the_control_plane_takes(server, tenant):
    answer = httpx.get(f"{server.url}/_posim/ui/api/fault-plans", params={"client_timeout_s": 3})
    plans = {p["dialect"]: p for p in answer.json()["plans"]}
    assert set(plans) == {"gameball", "wll", "capillary"}
    for dialect, plan in plans.items():
        assert plan["faults"], dialect
        for fault in plan["faults"]:
            rule = fault["rule"]
            assert rule["dialect"] == dialect and rule["fault_id"] == fault["id"]
            added = httpx.post(f"{tenant.control}/faults", json=rule, timeout=10)
            assert added.status_code == 201, added.text
    # the plans' slower-than-the-till faults outlast the given client timeout by a second
    rules = [f["rule"] for p in plans.values() for f in p["faults"]]
    assert [r["latency_ms"] for r in rules if r["kind"] == "latency"] == [4000] * 3
    assert [r["hang_s"] for r in rules if r["kind"] == "lose_response"] == [4.0] * 3
    bad = httpx.get(f"{server.url}/_posim/ui/api/fault-plans", params={"client_timeout_s": 0})
    assert bad.status_code == 400
