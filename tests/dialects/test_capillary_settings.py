"""Tenant settings through `configure`, injected faults in both envelopes, and the balance
fields a POS reads for pending and expiring points."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reference_backend.dialects.capillary import CapillaryConfig, configure, get_config
from tests.support.capillary import MOBILE, make_fixtures

cap_server, cap = make_fixtures()


def test_configure_replaces_the_tenant_settings(cap):
    configure(cap.tenant, {"bill_number_unique_scope": "store", "min_bill_amount": "10"})
    cfg = get_config(cap.tenant.dialect_data("capillary"))
    assert cfg.bill_number_unique_scope == "store" and cfg.min_bill_amount == Decimal("10")
    configure(cap.tenant, {})  # a replacement, not a merge: back to the defaults
    assert get_config(cap.tenant.dialect_data("capillary")) == CapillaryConfig()


def test_configured_settings_take_effect(cap):
    cap.enroll()
    configure(cap.tenant, {"min_bill_amount": 50})
    assert cap.code_of(cap.sale("B1", 20)) == 601
    assert cap.code_of(cap.sale("B2", 60)) == 600


@pytest.mark.parametrize(
    ("settings", "needle"),
    [
        ({"no_such_knob": 1}, "no_such_knob"),
        ({"bill_number_unique_scope": "galaxy"}, "bill_number_unique_scope"),
        ({"bill_number_regex": "("}, "regular expression"),
        ({"min_bill_amount": 10, "max_bill_amount": 5}, "min_bill_amount"),
        ({"rate_limits": {"customer/get": -1}}, "customer/get"),
        ({"max_batch_size": 0}, "max_batch_size"),
        (["not", "an", "object"], "object"),
    ],
)
def test_bad_settings_raise_a_clear_value_error_and_change_nothing(cap, settings, needle):
    configure(cap.tenant, {"otp_required": True})
    with pytest.raises(ValueError, match=needle):
        configure(cap.tenant, settings)
    assert get_config(cap.tenant.dialect_data("capillary")).otp_required is True


def _fault(cap, **rule) -> None:
    path = f"/_posim/tenants/{cap.tenant.tenant_id}/faults"
    response = cap.client.post(path, json={"dialect": "capillary", "count": 1, **rule})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("status", [500, 502, 504])
def test_an_injected_outage_keeps_its_5xx_status(cap, status):
    _fault(cap, kind="error", status=status)
    response = cap.get("customer/get", mobile=MOBILE)
    assert response.status_code == status
    body = response.json()["response"]["status"]
    assert body["code"] == status and body["success"] == "false"
    assert "unavailable" in body["message"].lower()


def test_injected_faults_on_v2_calls_use_the_v2_envelope(cap):
    _fault(cap, kind="rate_limit", retry_after_s=3)
    limited = cap.client.post("/v2/points/reverse", json={}, headers=cap.headers())
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert limited.json()["errors"][0]["code"] == 517
    _fault(cap, kind="error", status=503)
    down = cap.client.post("/v2/coupon/reactivate", json={}, headers=cap.headers())
    assert down.status_code == 503 and down.json()["errors"][0]["code"] == 503


def test_pending_points_show_as_delayed_points_and_lots_as_an_expiry_schedule(cap):
    cap.engine.state.config = cap.engine.config.model_copy(
        update={"return_window_days": 14, "lot_expiry_days": 365}
    )
    cap.enroll()
    cap.earn(800)
    customer = cap.customer(mobile=MOBILE, expiry_schedule="true")
    assert customer["loyalty_points"] == 0 and customer["delayed_points"] == "800"
    assert customer["expiry_schedule"] == []
    cap.advance(14 * 86400)
    cap.sale("B2", 250)
    customer = cap.customer(mobile=MOBILE)
    assert customer["loyalty_points"] == 800 and customer["delayed_points"] == "250"
    [entry] = customer["expiry_schedule"]
    assert entry["points"] == "800" and entry["program_id"] == "1"
    assert entry["expiry_date"][:4] >= "2026" and len(entry["expiry_date"]) == 19
