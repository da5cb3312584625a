"""`posim audit`: checklist rules judged on recorded traffic.

Crafted JSON lines show each rule flagging what it should, with the offending request ids;
real traffic recorded from posim's own gateway against the in-process reference backend is
Ready for every dialect, and a POS that re-sends a sale under a new id after a lost response
is caught.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.backends import embedded
from simulator.certify import write_reports
from simulator.certify.readiness import FAILED, NO_EVIDENCE, NOT_READY, PASSED, READY
from simulator.certify.traffic_audit import audit
from simulator.certify.traffic_rules import AUDIT_ITEMS
from simulator.cli import main
from simulator.gateway import LoyaltyGateway, RetryPolicy
from simulator.protocol import ops
from simulator.protocol.base import LoyaltyError

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GB = "/api/v4.0/integrations"
AT = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)  # before the frozen clock of the backend


# -- crafted traffic -------------------------------------------------------------------------
class Recording:
    """JSON lines shaped like `posim serve --record` writes them."""

    def __init__(self, dialect: str, tenant: str = "t1") -> None:
        self.dialect, self.tenant = dialect, tenant
        self.lines: list[dict[str, Any]] = []
        self.clock = T0

    def add(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        response: Any = None,
        query: str = "",
        fault: str | None = None,
        after: float = 0.1,
        headers: dict[str, str] | None = None,
        response_headers: dict[str, str] | None = None,
    ) -> str:
        self.clock += timedelta(seconds=after)
        request_id = f"req{len(self.lines) + 1:03d}"
        self.lines.append(
            {
                "request_id": request_id,
                "at": self.clock.isoformat(),
                "tenant": self.tenant,
                "dialect": self.dialect,
                "method": method,
                "path": path,
                "query": query,
                "request_headers": {"apikey": "***abcd", **(headers or {})},
                "request_body": body,
                "status": status,
                "response_headers": {"x-request-id": request_id, **(response_headers or {})},
                "response_body": response,
                "duration_ms": 2.0,
                "fault": {"rule": "f1", "kind": fault} if fault else None,
            }
        )
        return request_id

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.dialect}-crafted.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in self.lines))
        return path


def judge(folder: Path, recording: Recording) -> dict[str, Any]:
    result = audit(recording.write(folder), recording.dialect)
    return {r.item.id: r for r in result.dialects[0].results}


def gb_order(order_id: str, member: str = "m1", paid: float = 19.0, hold: str | None = None):
    body: dict[str, Any] = {
        "customerId": member,
        "orderId": order_id,
        "orderDate": "2026-03-01T09:00:00.000Z",
        "totalPaid": paid,
        "totalPrice": 20.0,
        "lineItems": [{"productId": "SKU1", "quantity": 2, "price": 10.0}],
    }
    if hold:
        body["redemption"] = {"pointsHoldReference": hold}
    return body


def gb_hold(rec: Recording, ref: str, member: str = "m1") -> str:
    body = {"customerId": member, "transactionTime": "2026-03-01T09:00:00Z", "pointsToHold": 100}
    return rec.add("POST", f"{GB}/transactions/hold", body, response={"holdReference": ref})


def test_a_hold_without_reading_the_customer_first_is_flagged(tmp_path):
    rec = Recording("gameball")
    blind = gb_hold(rec, "H1", member="m2")
    rec.add("GET", f"{GB}/customers/m1/balance", response={"availablePointsBalance": 500})
    gb_hold(rec, "H2")
    items = judge(tmp_path, rec)
    assert items["GB-RED-01"].status == FAILED
    assert blind in items["GB-RED-01"].detail and "req003" not in items["GB-RED-01"].detail


def test_a_wll_deduction_needs_a_fresh_wallet_read(tmp_path):
    rec = Recording("wll")
    rec.add("GET", "/v1/users/m1/wallet", response={"status": "success", "data": {"points": 9}})

    def deduct(n: int) -> str:
        body = {
            "type": "REDEEMED_POINTS",
            "subject": {"authIdentifier": "m1"},
            "payload": {"points": 5, "transactionId": f"T{n}"},
            "id": f"T{n}:points",
        }
        return rec.add("POST", "/v1/events", body)

    deduct(1)
    second = deduct(2)  # no wallet read since the first deduction
    items = judge(tmp_path, rec)
    assert items["WLL-RED-03"].status == FAILED
    detail = items["WLL-RED-03"].detail
    assert f"{second} (line 3, POST /v1/events) spends points without reading" in detail
    assert "req002 (line 2, POST /v1/events) spends" not in detail


def test_an_order_naming_an_unknown_or_released_hold_is_flagged(tmp_path):
    rec = Recording("gameball")
    rec.add("GET", f"{GB}/customers/m1", response={"customerId": "m1"})
    gb_hold(rec, "H1")
    rec.add("DELETE", f"{GB}/transactions/hold/H1", response={"success": True})
    released = rec.add("POST", f"{GB}/orders", gb_order("O1", hold="H1"))
    unknown = rec.add("POST", f"{GB}/orders", gb_order("O2", hold="H9"))
    items = judge(tmp_path, rec)
    detail = items["GB-RED-03"].detail
    assert items["GB-RED-03"].status == FAILED
    assert released in detail and "after releasing it" in detail
    assert unknown in detail and "no earlier hold created" in detail


def test_a_hold_never_used_nor_released_is_flagged(tmp_path):
    rec = Recording("gameball")
    rec.add("GET", f"{GB}/customers/m1", response={"customerId": "m1"})
    used = gb_hold(rec, "H1")
    forgotten = gb_hold(rec, "H2")
    rec.add("POST", f"{GB}/orders", gb_order("O1", hold="H1"))
    items = judge(tmp_path, rec)
    assert items["GB-RED-04"].status == FAILED
    assert forgotten in items["GB-RED-04"].detail and used not in items["GB-RED-04"].detail
    assert items["GB-RED-03"].status == PASSED


def test_wll_deduction_before_the_sale_and_given_back_on_void(tmp_path):
    rec = Recording("wll")
    subject = {"authIdentifier": "m1"}
    sale = {"amount": 19.0, "transactionId": "T1", "pointsRedeemed": 100}
    undeducted = rec.add(
        "POST",
        "/v1/events",
        {"type": "TRANSACTION", "subject": subject, "payload": sale, "id": "T1"},
    )
    rec.add("GET", "/v1/users/m1/wallet", response={"status": "success", "data": {"points": 500}})
    deduction = {"points": 50, "transactionId": "T2"}
    kept = rec.add(
        "POST",
        "/v1/events",
        {"type": "REDEEMED_POINTS", "subject": subject, "payload": deduction, "id": "T2:points"},
    )
    items = judge(tmp_path, rec)
    assert items["WLL-RED-01"].status == FAILED and undeducted in items["WLL-RED-01"].detail
    assert items["WLL-RED-02"].status == FAILED and kept in items["WLL-RED-02"].detail


def test_capillary_redeems_after_the_check_and_after_the_bill(tmp_path):
    rec = Recording("capillary")
    ok_item = {"item_status": {"success": "true", "code": 600}}
    customer = {"external_id": "m1"}
    rec.add("GET", "/v1.1/customer/get", query="external_id=m1&format=json")

    def redeem(bill: str) -> str:
        item = {"points_redeemed": "10", "customer": customer, "transaction_number": bill}
        item["external_reference_number"] = f"{bill}:points"
        return rec.add("POST", "/v1.1/points/redeem", {"root": {"redeem": item}})

    early = redeem("B1")  # no isredeemable, no bill yet
    bill = {"type": "regular", "number": "B1", "amount": "10.00", "customer": customer}
    rec.add(
        "POST",
        "/v1.1/transaction/add",
        {"root": {"transaction": bill}},
        response={"response": {"transactions": {"transaction": [{"number": "B1", **ok_item}]}}},
    )
    items = judge(tmp_path, rec)
    assert items["CAP-PTS-01"].status == FAILED and early in items["CAP-PTS-01"].detail
    assert items["CAP-PTS-02"].status == FAILED
    assert "before the bill was recorded" in items["CAP-PTS-02"].detail


def test_an_order_id_reused_for_other_content_is_flagged(tmp_path):
    rec = Recording("gameball")
    first = rec.add("POST", f"{GB}/orders", gb_order("O1", paid=19.0))
    again = rec.add("POST", f"{GB}/orders", gb_order("O1", paid=19.0))  # a replay: fine
    other = rec.add(
        "POST", f"{GB}/orders", gb_order("O1", paid=5.0), status=422, response={"code": 9004}
    )
    items = judge(tmp_path, rec)
    detail = items["GB-ORD-02"].detail
    assert items["GB-ORD-02"].status == FAILED
    assert first in detail and other in detail and again not in detail


def test_refunds_must_name_an_earlier_successful_order(tmp_path):
    rec = Recording("gameball")
    rec.add("POST", f"{GB}/orders", gb_order("O1"))

    def refund(refund_id: str, order_id: str) -> str:
        body = {
            "customerId": "m1",
            "refundTransactionId": refund_id,
            "reverseTransactionId": order_id,
            "transactionTime": "2026-03-01T10:00:00Z",
        }
        return rec.add("POST", f"{GB}/transactions/refund", body)

    good = refund("R1", "O1")
    early = refund("R2", "O2")
    rec.add("POST", f"{GB}/orders", gb_order("O2"))
    ghost = refund("R3", "O404")
    items = judge(tmp_path, rec)
    detail = items["GB-REF-02"].detail
    assert items["GB-REF-02"].status == FAILED
    assert early in detail and "only sent afterwards" in detail
    assert ghost in detail and "never shows" in detail and good not in detail


def test_a_capillary_return_of_an_unknown_bill_is_flagged(tmp_path):
    rec = Recording("capillary")
    ret = {"type": "RETURN", "number": "B404", "parent_bill_number": "RT1", "return_type": "FULL"}
    bad = rec.add("POST", "/v1.1/transaction/add", {"root": {"transaction": ret}})
    items = judge(tmp_path, rec)
    assert items["CAP-BILL-04"].status == FAILED and bad in items["CAP-BILL-04"].detail


@pytest.mark.parametrize(
    ("dialect", "item_id", "value", "ok"),
    [
        ("gameball", "GB-ORD-03", "2026-03-01T09:00:00.123Z", True),
        ("gameball", "GB-ORD-03", "2026-03-01T09:00:00+00:00", True),
        ("gameball", "GB-ORD-03", "2026-03-01T11:00:00+02:00", False),
        ("gameball", "GB-ORD-03", "2026-03-01T09:00:00", False),
        ("gameball", "GB-ORD-03", "01/03/2026 09:00", False),
        ("gameball", "GB-ORD-03", 1772355600, False),
        ("capillary", "CAP-BILL-05", "2026-03-01 09:00:00", True),
        ("capillary", "CAP-BILL-05", "01/03/2026 09:00", False),
    ],
)
def test_timestamps_are_iso_8601_utc_or_the_vendors_own_format(
    tmp_path, dialect, item_id, value, ok
):
    rec = Recording(dialect)
    if dialect == "gameball":
        sent = rec.add("POST", f"{GB}/orders", {**gb_order("O1"), "orderDate": value})
    else:
        bill = {"type": "regular", "number": "B1", "amount": "1", "billing_time": value}
        sent = rec.add("POST", "/v1.1/transaction/add", {"root": {"transaction": bill}})
    item = judge(tmp_path, rec)[item_id]
    assert item.status == (PASSED if ok else FAILED)
    assert ok or sent in item.detail


def test_personal_data_in_event_payloads_is_flagged_and_never_reported(tmp_path):
    rec = Recording("wll")
    profile = {"email": "ann.lee@shop.test", "givenName": "Ann", "telephone": "+201055512345"}
    rec.add("POST", "/v1/users", profile, status=201)
    subject = {"authIdentifier": "m1"}

    def event(n: int, payload: dict[str, Any]) -> str:
        body = {"type": "TRANSACTION", "subject": subject, "payload": payload, "id": f"T{n}"}
        return rec.add("POST", "/v1/events", body)

    clean = event(1, {"amount": 5, "transactionId": "T1", "basket": [{"name": "Tea"}]})
    mail = event(2, {"amount": 5, "transactionId": "T2", "note": "receipt to ann.lee@shop.test"})
    name = event(3, {"amount": 5, "transactionId": "T3", "cashierNote": "Ann"})
    phone = event(4, {"amount": 5, "transactionId": "T4", "contact": "201055512345"})
    path = rec.write(tmp_path)
    result = audit(path, "wll")
    item = {r.item.id: r for r in result.dialects[0].results}["WLL-EARN-02"]
    assert item.status == FAILED and result.level == NOT_READY
    assert all(rid in item.detail for rid in (mail, name, phone)) and clean not in item.detail
    out = write_reports(result, tmp_path / "reports")
    assert sorted(p.name for p in out.values()) == [
        "audit-evidence.json",
        "audit-junit.xml",
        "audit-report.html",
    ]
    for report in out.values():
        text = report.read_text()
        assert mail in text
        for value in ("ann.lee@shop.test", "201055512345", '"Ann"', ">Ann<"):
            assert value not in text, (report.name, value)


def test_gameball_event_metadata_is_inspected(tmp_path):
    rec = Recording("gameball")
    body = {"customerId": "m1", "events": {"visit": {"store": "S1", "email": "a.b@shop.test"}}}
    leak = rec.add("POST", f"{GB}/events", body)
    item = judge(tmp_path, rec)["GB-EVT-01"]
    assert item.status == FAILED and item.item.severity == "critical" and leak in item.detail


def test_a_lost_sale_sent_again_under_a_new_id_is_caught(tmp_path):
    rec = Recording("gameball")
    lost = rec.add("POST", f"{GB}/orders", gb_order("O1"), status=599, fault="lose_response")
    same = rec.add("POST", f"{GB}/orders", {**gb_order("O1"), "orderDate": "2026-03-01T09:00:01Z"})
    dropped = rec.add("POST", f"{GB}/orders", gb_order("O2", paid=7.0), status=599, fault="drop")
    renamed = rec.add("POST", f"{GB}/orders", gb_order("O3", paid=7.0), after=2.0)
    items = judge(tmp_path, rec)
    detail = items["GB-ERR-01"].detail
    assert items["GB-ERR-01"].status == FAILED
    assert dropped in detail and renamed in detail and "O2 -> O3" in detail
    assert lost not in detail and same not in detail


def test_a_wll_retry_without_an_event_id_is_caught(tmp_path):
    rec = Recording("wll")
    body = {"type": "TRANSACTION", "subject": {"authIdentifier": "m1"}, "payload": {"amount": 5}}
    lost = rec.add("POST", "/v1/events", body, status=599, fault="lose_response")
    rec.add("POST", "/v1/events", body)
    items = judge(tmp_path, rec)
    assert items["WLL-EARN-06"].status == FAILED
    assert (
        lost in items["WLL-EARN-06"].detail and "without an event id" in items["WLL-EARN-06"].detail
    )


def test_no_lost_request_is_no_evidence_for_the_retry_rule(tmp_path):
    rec = Recording("gameball")
    rec.add("POST", f"{GB}/orders", gb_order("O1"))
    item = judge(tmp_path, rec)["GB-ERR-01"]
    assert item.status == NO_EVIDENCE


@pytest.mark.parametrize(("wait", "ok"), [(0.5, False), (2.5, True)])
def test_a_429_is_honoured_for_retry_after_seconds(tmp_path, wait, ok):
    rec = Recording("wll")
    limited = rec.add(
        "GET", "/v1/users/m1/wallet", status=429, response_headers={"retry-after": "2"}
    )
    nxt = rec.add("GET", "/v1/users/m1/wallet", after=wait)
    item = judge(tmp_path, rec)["WLL-RATE-01"]
    assert item.status == (PASSED if ok else FAILED)
    assert ok or (limited in item.detail and nxt in item.detail and "asked for 2 s" in item.detail)


def test_capillary_517_counts_as_a_rate_limit(tmp_path):
    rec = Recording("capillary")
    body = {"response": {"status": {"success": "false", "code": 517, "message": "Rate limit"}}}
    rec.add("GET", "/v1.1/customer/get", query="mobile=1&format=json", response=body)
    hammer = rec.add("GET", "/v1.1/customer/get", query="mobile=1&format=json", after=0.2)
    item = judge(tmp_path, rec)["CAP-RES-04"]
    assert item.status == FAILED and hammer in item.detail


def test_credentials_in_a_query_string_are_flagged_and_masked(tmp_path):
    rec = Recording("gameball")
    leaky = rec.add(
        "GET", f"{GB}/customers/m1/balance", query="apiKey=SuperSecretKey123&expand=tier"
    )
    rec.add("GET", f"{GB}/customers/m1/balance", query="expand=tier")
    result = audit(rec.write(tmp_path), "gameball")
    item = {r.item.id: r for r in result.dialects[0].results}["GB-SEC-02"]
    assert item.status == FAILED and leaky in item.detail and "apiKey" in item.detail
    for report in write_reports(result, tmp_path / "out").values():
        assert "SuperSecretKey123" not in report.read_text()


def test_traffic_with_nothing_of_the_dialect_is_not_ready(tmp_path):
    rec = Recording("wll")
    rec.add("GET", "/v1/users/m1")
    path = rec.write(tmp_path)
    with path.open("a") as fh:
        fh.write("not json\n")
    result = audit(path, "gameball")
    verdict = result.dialects[0].verdict
    assert result.level == NOT_READY
    assert any("no gameball request" in p for p in verdict.problems)
    assert any("not recorded exchanges: 2" in p for p in verdict.problems)
    assert all(r.status == NO_EVIDENCE for r in result.dialects[0].results)


# -- real traffic: posim's own gateway against the in-process reference backend ---------------
MEMBER = "m-100"
LINE = ops.SaleLine("SKU1", 2, 1000, "Tea")


def sale(order_id: str, reservation: ops.Reservation | None = None) -> ops.SubmitSale:
    discount = reservation.points if reservation else 0  # 1 point pays 0.01
    return ops.SubmitSale(
        MEMBER, order_id, (LINE,), 2000, 2000 - discount, reservation, store_id="S1", at=AT
    )


def record(folder: Path, dialect: str, pos) -> Path:
    path = folder / f"{dialect}.jsonl"
    app = create_app(Settings(record_path=str(path), running_clock=False, demo_tenant=False))
    backend = embedded(app, dialect)
    try:
        pos(
            LoyaltyGateway(backend.codec(), backend.transport, RetryPolicy(sleep=time.sleep)),
            backend,
        )
    finally:
        backend.close()
    return path


def careful_pos(gateway: LoyaltyGateway, backend) -> None:
    """Every flow the rules look at, the way posim's own till does it."""
    gateway.enroll(MEMBER, email="ann@shop.test", mobile="+201055555555", first_name="Ann")
    gateway.earn_points(MEMBER, 500, "S1-L1-00000")
    gateway.balance(MEMBER)  # each checkout that redeems reads the balance first
    hold = gateway.reserve_points(MEMBER, 100, "S1-L1-00001")
    gateway.submit_sale(sale("S1-L1-00001", hold))
    gateway.balance(MEMBER)
    voided = gateway.reserve_points(MEMBER, 50, "S1-L1-00002")
    gateway.release(MEMBER, voided)
    if gateway.dialect == "gameball":
        gateway.track_event(MEMBER, "store_visit", {"store": "S1"})
    backend.control.add_fault(kind="lose_response", route=backend.codec().sale_route, count=1)
    gateway.submit_sale(sale("S1-L1-00003"))  # lost, retried with the same ids
    gateway.refund(
        ops.RefundSale(
            MEMBER,
            "S1-L1-00001",
            "S1-L1-00001-R1",
            sale_total=2000,
            store_id="S1",
            sale_paid=1900,
            points_earned=19,
            points_redeemed=100,
            money=1900,
            lines_detail=(LINE,),
        )
    )
    backend.control.add_fault(kind="rate_limit", count=1)
    gateway.balance(MEMBER)  # 429, Retry-After 1: the gateway waits, then asks again


def renaming_pos(gateway: LoyaltyGateway, backend) -> None:
    """Re-sends a sale whose answer was lost under a new order id."""
    gateway.enroll(MEMBER, email="ann@shop.test")
    backend.control.add_fault(kind="lose_response", route=backend.codec().sale_route, count=1)
    gateway.retry.max_timeout_retries = 0
    first = sale("S1-L1-00010")
    with pytest.raises(LoyaltyError):
        gateway.submit_sale(first)
    gateway.submit_sale(replace(first, order_id="S1-L1-00011"))


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("traffic")
    return {d: record(folder, d, careful_pos) for d in AUDIT_ITEMS}


@pytest.mark.parametrize("dialect", list(AUDIT_ITEMS))
def test_the_correct_simulator_is_ready(recordings, dialect):
    result = audit(recordings[dialect], dialect)
    results = result.dialects[0].results
    assert [r.item.id for r in results] == list(
        dict.fromkeys(a.item_id for a in AUDIT_ITEMS[dialect])
    )
    failing = {r.item.id: (r.status, r.detail) for r in results if r.status != PASSED}
    assert failing == {}
    assert result.level == READY and not result.dialects[0].verdict.problems


@pytest.mark.parametrize(
    ("dialect", "item_id"),
    [("gameball", "GB-ERR-01"), ("wll", "WLL-EARN-06"), ("capillary", "CAP-RES-01")],
)
def test_a_pos_that_renames_a_lost_sale_is_caught(tmp_path, dialect, item_id):
    path = record(tmp_path, dialect, renaming_pos)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lost = [x["request_id"] for x in lines if (x["fault"] or {}).get("kind") == "lose_response"]
    result = audit(path, dialect)
    item = {r.item.id: r for r in result.dialects[0].results}[item_id]
    assert item.status == FAILED and len(lost) == 1 and lost[0] in item.detail
    assert "S1-L1-00010 -> S1-L1-00011" in item.detail
    assert result.level != READY


def test_cli_writes_the_reports_and_exits_by_the_verdict(recordings, tmp_path, capsys):
    out = tmp_path / "reports"
    argv = ["audit", str(recordings["capillary"]), "--dialect", "capillary", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "CAP-PTS-02" in printed and "verdict: Ready" in printed
    assert (out / "audit-junit.xml").exists() and (out / "audit-report.html").exists()
    document = json.loads((out / "audit-evidence.json").read_text())
    assert document["command"] == "audit" and document["verdict"]["level"] == READY
    html = (out / "audit-report.html").read_text()
    assert "Traffic audit" in html and "ann@shop.test" not in html
    suite = ET.parse(out / "audit-junit.xml").getroot().find("testsuite")
    assert suite.get("name") == "posim audit capillary" and suite.get("failures") == "0"
    assert int(suite.get("tests")) == len(AUDIT_ITEMS["capillary"]) + 1  # + the verdict
    rec = Recording("wll")
    rec.add("GET", "/v1/users/m1/wallet", status=429)
    rec.add("GET", "/v1/users/m1/wallet", after=0.1)
    risky = rec.write(tmp_path)
    assert main(["audit", str(risky), "--dialect", "wll", "--out", str(out)]) == 1
    assert main(["audit", str(tmp_path / "missing.jsonl"), "--dialect", "wll"]) == 2


# -- checkout rules ------------------------------------------------------------------------
def gb_balance(rec: Recording, points: int, member: str = "m1") -> str:
    answer = {"availablePointsBalance": points}
    return rec.add("GET", f"{GB}/customers/{member}/balance", response=answer)


def test_a_balance_read_once_a_day_does_not_cover_the_next_redemption(tmp_path):
    rec = Recording("gameball")
    gb_balance(rec, 500)
    gb_hold(rec, "H1")
    rec.add("POST", f"{GB}/orders", gb_order("O1", hold="H1"))
    stale = gb_hold(rec, "H2")  # the next checkout of the same customer, no new read
    gb_balance(rec, 300)
    fresh = gb_hold(rec, "H3")
    item = judge(tmp_path, rec)["GB-RED-01"]
    assert item.status == FAILED and item.item.severity == "critical"
    assert f"{stale} (line 4" in item.detail and f"{fresh} (line 6" not in item.detail


def test_a_hold_above_the_balance_just_read_is_flagged(tmp_path):
    rec = Recording("gameball")
    read = gb_balance(rec, 150)
    gb_hold(rec, "H1")  # 100 of 150
    rec.add("DELETE", f"{GB}/transactions/hold/H1")  # the shopper wants another amount
    again = gb_hold(rec, "H2")  # 100 of 150 again: fine
    over = gb_hold(rec, "H3")  # 100 more of the 50 left
    item = judge(tmp_path, rec)["GB-RED-01"]
    assert item.status == FAILED
    assert f"{over} (line 5, POST {GB}/transactions/hold) asks for 100 points" in item.detail
    assert f"the balance read by {read}" in item.detail and "left 50 to spend" in item.detail
    assert f"{again} (line 4, POST {GB}/transactions/hold) asks" not in item.detail
    assert f"{again} (line 4, POST {GB}/transactions/hold) spends" not in item.detail


def test_a_wll_deduction_above_the_wallet_is_flagged(tmp_path):
    rec = Recording("wll")
    rec.add("GET", "/v1/users/m1/wallet", response={"status": "success", "data": {"points": 40}})
    body = {
        "id": "T1:points",
        "type": "REDEEMED_POINTS",
        "subject": {"authIdentifier": "m1"},
        "payload": {"points": 50, "transactionId": "T1"},
    }
    overdraw = rec.add("POST", "/v1/events", body)
    item = judge(tmp_path, rec)["WLL-RED-03"]
    assert item.status == FAILED and overdraw in item.detail and "left 40 to spend" in item.detail


def test_a_sale_that_leaves_out_an_open_hold_is_flagged(tmp_path):
    rec = Recording("gameball")
    gb_balance(rec, 500)
    hold = gb_hold(rec, "H1")
    sale = rec.add("POST", f"{GB}/orders", gb_order("O1", paid=18.0))  # discounted, no reference
    item = judge(tmp_path, rec)["GB-RED-03"]
    assert item.status == FAILED
    assert (
        sale in item.detail and hold in item.detail and "without the hold reference" in item.detail
    )


def test_a_sale_resent_under_a_new_id_after_a_5xx_or_a_timeout_is_caught(tmp_path):
    rec = Recording("gameball")
    failed = rec.add("POST", f"{GB}/orders", gb_order("O1"), status=503)
    renamed = rec.add("POST", f"{GB}/orders", gb_order("O1-again"))
    slow = rec.add("POST", f"{GB}/orders", gb_order("O2", paid=7.0), after=2.0)
    rec.lines[-1]["duration_ms"] = 1500.0  # answered after the POS gave up and resent it
    double = rec.add("POST", f"{GB}/orders", gb_order("O3", paid=7.0), after=0.0)
    rec.lines[-1]["started_at"] = (rec.clock - timedelta(seconds=1)).isoformat()
    item = judge(tmp_path, rec)["GB-ERR-01"]
    assert item.status == FAILED and item.item.severity == "critical"
    assert f"{failed} (line 1, POST {GB}/orders) failed with status 503" in item.detail
    assert renamed in item.detail and "O1 -> O1-again" in item.detail
    assert slow in item.detail and double in item.detail and "O2 -> O3" in item.detail
    assert "a double award, the backend kept both" in item.detail  # both O2 and O3 answered 200


def test_a_slow_sale_resent_under_its_own_id_passes(tmp_path):
    rec = Recording("gameball")
    rec.add("POST", f"{GB}/orders", gb_order("O1"), after=2.0)
    rec.lines[-1]["duration_ms"] = 1500.0
    rec.add("POST", f"{GB}/orders", gb_order("O1"), after=0.0)
    rec.lines[-1]["started_at"] = (rec.clock - timedelta(seconds=1)).isoformat()
    item = judge(tmp_path, rec)["GB-ERR-01"]
    assert item.status == PASSED, item.detail


def wll_points_refund(rec: Recording, txn: str, event_id: str, points: int = 20) -> str:
    body = {
        "id": event_id,
        "type": "POINTS_REFUND",
        "subject": {"authIdentifier": "m1"},
        "payload": {"points": points, "transactionId": txn},
    }
    return rec.add("POST", "/v1/events", body)


def test_wll_points_refunds_of_a_sale_count_as_its_refund_and_a_void_is_not_one(tmp_path):
    rec = Recording("wll")
    sale = {"transactionId": "T1", "amount": 9.0, "pointsRedeemed": 0}
    rec.add(
        "POST",
        "/v1/events",
        {"id": "T1", "type": "TRANSACTION", "subject": {"authIdentifier": "m1"}, "payload": sale},
    )
    wll_points_refund(rec, "T1", "T1:refund")  # reverses the sale: a refund
    deduct = {"points": 20, "transactionId": "T2"}
    rec.add(
        "POST",
        "/v1/events",
        {
            "id": "T2:p",
            "type": "REDEEMED_POINTS",
            "subject": {"authIdentifier": "m1"},
            "payload": deduct,
        },
    )
    wll_points_refund(rec, "T2", "T2:void")  # gives back a checkout's deduction: a void
    items = judge(tmp_path, rec)
    assert items["WLL-REF-02"].status == PASSED, items["WLL-REF-02"].detail
    assert items["WLL-REF-02"].findings[0].detail == "1 refund(s) inspected"
    assert items["WLL-RED-02"].status == PASSED, items["WLL-RED-02"].detail


def test_a_wll_points_refund_of_a_sale_never_sent_is_flagged(tmp_path):
    rec = Recording("wll")
    unknown = wll_points_refund(rec, "NEVER-SENT", "N1:refund")
    item = judge(tmp_path, rec)["WLL-REF-02"]
    assert item.status == FAILED and unknown in item.detail and "never shows" in item.detail


def test_a_reversal_type_of_the_tenant_counts_like_points_refund(tmp_path):
    rec = Recording("wll")
    sale = {"transactionId": "T1", "amount": 9.0}
    subject = {"authIdentifier": "m1"}
    rec.add(
        "POST",
        "/v1/events",
        {"id": "T1", "type": "TRANSACTION", "subject": subject, "payload": sale},
    )
    reversed_sale = {"id": "T1:r", "type": "POINTS_REVERSED", "subject": subject}
    rec.add(
        "POST", "/v1/events", {**reversed_sale, "payload": {"points": 9, "transactionId": "T1"}}
    )
    deduct = {"points": 20, "transactionId": "T2"}
    rec.add(
        "POST",
        "/v1/events",
        {"id": "T2:p", "type": "REDEEMED_POINTS", "subject": subject, "payload": deduct},
    )
    void = {"id": "T2:v", "type": "VOIDED_REDEMPTION", "subject": subject, "payload": deduct}
    rec.add("POST", "/v1/events", void)
    items = judge(tmp_path, rec)
    assert items["WLL-REF-02"].status == PASSED, items["WLL-REF-02"].detail
    assert items["WLL-RED-02"].status == PASSED, items["WLL-RED-02"].detail
