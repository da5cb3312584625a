"""Instants with an offset that carries them past year 9999 (`9999-12-31T23:00:00-05:00`)
parse as dates but have no UTC instant: every dialect refuses them in its own envelope and
commits nothing (they once reached `astimezone` and answered 500)."""

from __future__ import annotations

from datetime import datetime

from reference_backend.hardening import utc_instant
from tests.support.hostile import capillary, wll

PAST_9999 = "9999-12-31T23:00:00-05:00"


def test_the_edge_helper_refuses_what_has_no_utc_instant():
    assert utc_instant(datetime.fromisoformat("9999-12-31T23:00:00+05:00")).year == 9999
    try:
        utc_instant(datetime.fromisoformat(PAST_9999))
    except ValueError as exc:
        assert "out of range" in str(exc)
    else:
        raise AssertionError("an instant past year 9999 was accepted")


def test_capillary_bill_time_past_9999_is_an_item_error():
    vendor = capillary()
    before = vendor.fingerprint()
    sale = {"type": "regular", "number": "B9", "amount": 100, "billing_time": PAST_9999}
    sale["customer"] = {"mobile": "919800000001"}
    response = vendor.client.post(
        "/v1.1/transaction/add?format=json",
        json={"root": {"transaction": [sale]}},
        headers=vendor.headers,
    )
    assert response.status_code == 200, response.text  # a batch whose every item failed
    item = response.json()["response"]["transactions"]["transaction"][0]
    assert item["item_status"]["success"] in (False, "false")
    assert vendor.fingerprint() == before and vendor.tenant.engine.audit() == []


def test_wll_reward_availability_past_9999_is_a_400():
    vendor = wll()
    before = vendor.fingerprint()
    reward = {"name": "far", "availability": {"start": None, "end": PAST_9999}}
    response = vendor.client.post("/v1/rewards", json=reward, headers=vendor.headers)
    assert response.status_code == 400, response.text
    assert vendor.envelope_ok(response) and "availability.end" in response.text
    assert vendor.fingerprint() == before
