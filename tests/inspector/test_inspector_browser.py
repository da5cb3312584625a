"""The inspector in headless Chromium, live against a real till: every view read from the DOM.

Screenshots of each view land in reports/ui/. Without Chromium or Playwright the tests skip
with the reason; CI installs Debian's chromium (Playwright's own download is unreachable)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and Path(p).exists()),
    None,
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium at /usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "reports" / "ui"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, tenant):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.goto(f"{tenant.server.url}/_posim/ui/?tenant={tenant.id}")
    opened.wait_for_selector("#live.on", timeout=10_000)
    yield opened
    context.close()
    assert errors == [], f"the page raised: {errors}"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _view(page, name: str) -> None:
    page.click(f"nav button[data-view={name}]")
    page.wait_for_selector(f"#{name}.view.on")


def test_a_checkout_appears_live_with_its_ledger_effect_and_timeline(page, tenant):
    till = tenant.till()
    till.register("m-b1")
    till.complete_order("m-b1", "m-b1-o1", 300.0)
    till.balance("m-b1")
    hold = till.hold("m-b1", 30)
    till.release(hold)
    rows = page.locator("#journal-table tbody tr")
    rows.nth(4).wait_for(timeout=10_000)  # pushed by the stream, no reload
    assert rows.count() == 5
    assert "POST transactions/hold" in rows.nth(3).inner_text()
    assert "hold pending 30" in rows.nth(3).inner_text()
    rows.nth(3).click()
    page.wait_for_selector("#detail table.effect")
    detail = page.inner_text("#detail")
    assert "sys:redemption" in detail and "opened" in detail and "curl -sS -X POST" in detail
    assert tenant.credentials["gameball"]["apiKey"] not in detail
    _shot(page, "journal")

    page.fill("#f-operation", "hold")
    page.wait_for_function("document.querySelectorAll('#journal-table tbody tr').length === 2")
    page.fill("#f-operation", "")

    _view(page, "timeline")
    page.select_option("#timeline-of", "member:m-b1")
    page.wait_for_selector("#sequence g.call >> nth=3")
    marks = page.locator("#sequence .hold-mark").all_text_contents()
    assert any("hold opened 30" in m for m in marks)
    assert any("hold released 30" in m for m in marks)
    _shot(page, "timeline")


def test_checklist_warns_live_and_a_fault_is_marked(page, tenant):
    till = tenant.till()
    till.register("m-b2")
    till.complete_order("m-b2", "m-b2-o1", 100.0)
    till.hold("m-b2", 10)  # no balance read in this checkout
    _view(page, "checklist")
    page.wait_for_selector("#checklist-table tr[data-item=GB-RED-01].item-failed", timeout=10_000)
    assert "Not ready" in page.inner_text("#verdict")
    _shot(page, "checklist")

    _view(page, "controls")
    page.select_option("#fault-kind", "error")
    page.fill("#fault-route", "transactions/hold")
    page.fill("#fault-count", "1")
    page.click("#fault-add")
    page.wait_for_selector("#fault-list li")
    with pytest.raises(Exception, match="503"):
        till.hold("m-b2", 5)
    _shot(page, "controls")
    _view(page, "journal")
    page.wait_for_selector("#journal-table .fault", timeout=10_000)
    assert "503" in page.locator("#journal-table tbody tr").last.inner_text()


def test_a_clock_advance_from_the_page_expires_the_hold(page, tenant):
    till = tenant.till()
    till.register("m-b3")
    till.complete_order("m-b3", "m-b3-o1", 200.0)
    till.balance("m-b3")
    till.hold("m-b3", 20)
    _view(page, "members")
    page.click("#members-table tr[data-member=m-b3]")
    page.wait_for_selector(".member-hold[data-state=pending] .countdown")
    assert "expires in" in page.inner_text(".member-hold .countdown")
    assert page.is_visible("#audit-ok")
    _shot(page, "members")
    _view(page, "controls")
    page.fill("#advance-seconds", "3600")
    page.click("#advance")
    page.wait_for_function("document.querySelector('#control-out').textContent.includes('now')")
    till.balance("m-b3")  # the expiry lands on the ledger with the next call
    _view(page, "members")
    page.click("#members-table tr[data-member=m-b3]")
    page.wait_for_selector(".member-hold[data-state=expired]", timeout=10_000)
    holds = httpx.get(f"{tenant.ui}/members/m-b3", timeout=10).json()["holds"]
    assert [h["state"] for h in holds] == ["expired"]


def test_reports_view_lists_the_reports_folder(page, tenant):
    _view(page, "reports")
    page.wait_for_selector("#reports-table tbody tr")
    _shot(page, "reports")


def test_the_certification_fault_plan_is_applied_from_the_page(page, tenant):
    plans = {
        p["dialect"]: p
        for p in httpx.get(f"{tenant.server.url}/_posim/ui/api/fault-plans").json()["plans"]
    }
    planned = [f["id"] for f in plans["gameball"]["faults"]]
    assert planned, "the gameball fault plan has faults"
    _view(page, "controls")
    page.select_option("#fault-plan", "gameball")
    page.click("#fault-plan-apply")
    page.wait_for_function(
        f"document.querySelectorAll('#fault-list li').length >= {len(planned)}", timeout=10_000
    )
    rules = httpx.get(f"{tenant.control}/faults", timeout=10).json()["faults"]
    assert [r["fault_id"] for r in rules] == planned
    assert {r["dialect"] for r in rules} == {"gameball"}
    assert all(f in page.inner_text("#fault-list") for f in planned)
