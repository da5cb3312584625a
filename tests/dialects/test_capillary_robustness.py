"""The crafted sample payloads in fixtures/capillary replay cleanly, and seeded junk never 500s."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.support.capillary import make_fixtures

cap_server, cap = make_fixtures()

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "capillary"
MOBILE = "201005550101"


def _post_sample(cap, api: str, name: str):
    body = json.loads((SAMPLES / name).read_text())
    response = cap.client.post(f"/v1.1/{api}?format=json", json=body, headers=cap.headers())
    return cap.body(response)


def test_pos_flow_from_sample_payloads(cap):
    added = _post_sample(cap, "customer/add", "customer_add.json")
    customer = added["customers"]["customer"][0]
    assert customer["item_status"]["code"] == "1000" and customer["mobile"] == MOBILE
    cap.coupon(cap.series(), mobile=MOBILE, code="WELCOME50")

    sale = _post_sample(cap, "transaction/add", "transaction_sale.json")
    bill = sale["transactions"]["transaction"][0]
    assert bill["item_status"]["code"] == 600
    assert bill["side_effects"]["effect"][0]["awarded_points"] == 420

    coupon = _post_sample(cap, "coupon/redeem", "coupon_redeem.json")["coupons"]["coupon"]
    assert coupon["item_status"]["code"] == 700

    redeemed = _post_sample(cap, "points/redeem", "points_redeem.json")["responses"]["points"]
    assert redeemed["item_status"]["code"] == 800 and redeemed["balance"] == 320
    again = _post_sample(cap, "points/redeem", "points_redeem.json")["responses"]["points"]
    assert again["item_status"]["code"] == 744

    returned = _post_sample(cap, "transaction/add", "transaction_return_line_item.json")
    item = returned["transactions"]["transaction"][0]
    assert item["item_status"]["code"] == 600
    assert item["points_deducted"] == 90  # one tea: 90.00 of the 420.00 paid
    assert cap.points(MOBILE) == 230


_ATOMS = [None, True, 0, -1, 1.5, "", "x", "NaN", "1e9", "-0", "1.2345", "B1", "FULL", "A"]
_ATOMS += [[], {}, [1], {"a": 1}, "2026-01-01", "9" * 300, "RETURN", "not_interested"]
_KEYS = ["type", "number", "amount", "discount", "billing_time", "return_type", "id"]
_KEYS += ["customer", "line_items", "redemptions", "points_redeemed", "validation_code"]
_KEYS += ["transaction_number", "external_reference_number", "code", "transaction", "mobile"]
_KEYS += ["email", "external_id", "firstname", "custom_fields", "qty", "item_code"]


def _junk(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth < 3 and roll < 0.2:
        return {rng.choice(_KEYS): _junk(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    if depth < 3 and roll < 0.3:
        return [_junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if roll < 0.4:
        return {"mobile": "919800000001"}
    if roll < 0.45:
        return {"line_item": [{"item_code": "A", "qty": rng.choice(_ATOMS)}]}
    return rng.choice(_ATOMS)


@pytest.mark.parametrize(
    ("api", "entity"),
    [
        ("transaction/add", "transaction"),
        ("customer/add", "customer"),
        ("customer/update", "customer"),
        ("points/redeem", "redeem"),
        ("coupon/redeem", "coupon"),
    ],
)
def test_junk_bodies_never_get_a_500(cap, api, entity):
    rng = random.Random(f"capillary:{api}")
    cap.enroll()
    cap.earn(100)
    cap.sale("B1", 50, line_items={"line_item": [{"item_code": "A", "qty": "1"}]})
    for _ in range(60):
        item = {k: _junk(rng) for k in rng.sample(_KEYS, rng.randint(0, 8))}
        response = cap.post(api, entity, item if rng.random() < 0.8 else [item, _junk(rng)])
        assert response.status_code < 500, (item, response.text)


@pytest.mark.parametrize(
    "api",
    [
        "customer/get",
        "customer/transactions",
        "customer/coupons",
        "customer/redemptions",
        "points/isredeemable",
        "points/validationcode",
        "coupon/isredeemable",
    ],
)
def test_junk_queries_never_get_a_500(cap, api):
    rng = random.Random(f"capillary:{api}")
    names = ["mobile", "email", "id", "points", "code", "issue_otp", "validation_code", "limit"]
    names += ["offset", "status", "identifierName", "identifierValue", "currency_input"]
    names += ["currency_value", "details", "start_date", "sort", "order", "coupon_code_case"]
    names += ["type", "points_limit", "coupons_limit", "end_date"]
    cap.enroll()
    for _ in range(60):
        params = {k: str(rng.choice(_ATOMS)) for k in rng.sample(names, rng.randint(0, 6))}
        response = cap.get(api, **params)
        assert response.status_code < 500, (params, response.text)
