"""A till written from Capillary's own OpenAPI request shapes runs unchanged: the fields,
containers and spellings its request schemas and samples use (our own values)."""

from __future__ import annotations

from tests.support.capillary import MOBILE, make_fixtures

cap_server, cap = make_fixtures()
SIGNED = {"X-CAP-CLIENT-SIGNATURE": "spec-till"}


def _items(cap, api: str, entity: str, items, headers=None, method="POST"):
    body = {"root": {entity: items}}
    response = cap.client.request(
        method,
        f"/v1.1/{api}",
        params={"format": "json"},
        json=body,
        headers={**cap.headers(), **(headers or {})},
    )
    assert response.status_code == 200, response.text
    found = response.json()["response"]
    container = next(v for k, v in found.items() if k != "status")
    inner = next(iter(container.values()))
    return inner if isinstance(inner, list) else [inner]


def _code(item):
    return int(item["item_status"]["code"])


def _customer():
    return {"mobile": MOBILE, "email": "", "external_id": "", "firstname": "Tom", "lastname": "S"}


def _sale(number: str, amount: str, **extra):
    return {
        "type": "regular",
        "number": number,
        "amount": amount,
        "gross_amount": amount,
        "discount": "0",
        "billing_time": "2026-01-01 00:00:00",
        "customer": _customer(),
        "payment_details": {"payment": [{"mode": "CASH", "value": amount}]},
        "custom_fields": {"field": [{"name": "origin", "value": "instore"}]},
        "line_items": {
            "line_item": {
                "serial": "1",
                "amount": amount,
                "description": "soap",
                "item_code": "item-001",
                "qty": "1",
                "rate": amount,
                "value": amount,
                "attributes": {"attribute": {"name": "brand", "value": "Acme"}},
            }
        },
        **extra,
    }


def test_the_spec_shaped_checkout_runs_end_to_end(cap):
    cap.configure(retro_transaction_enable=True)
    added = _items(cap, "customer/add", "customer", [_customer()])
    assert _code(added[0]) == 1000
    update = {"mobile": MOBILE, "firstname": "Thomas", "custom_fields": {"field": []}}
    assert _code(_items(cap, "customer/update", "customer", update, method="PUT")[0]) == 1000
    assert (
        _code(_items(cap, "transaction/add", "transaction", [_sale("bill-100", "500")])[0]) == 600
    )
    redeem = {
        "points_redeemed": "100",
        "transaction_number": "bill-100",
        "customer": {"mobile": MOBILE},
    }
    assert _code(_items(cap, "points/redeem", "redeem", redeem)[0]) == 800
    code = cap.coupon(cap.series())
    coupon = {
        "code": code,
        "customer": {"mobile": MOBILE, "email": "", "external_id": "", "card_number": ""},
        "custom_fields": {"field": [{"name": "Sport", "value": "Soccer"}]},
        "transaction": [{"number": "bill-100", "amount": "500"}],
    }
    assert _code(_items(cap, "coupon/redeem", "coupon", [coupon])[0]) == 700
    amount_return = {
        "type": "return",
        "country": "true",
        "number": "bill-100",
        "return_type": "AMOUNT",
        "parent_bill_number": "RE-1",
        "purchase_time": "2026-01-01",
        "amount": "100",
        "billing_time": "2026-01-01",
        "customer": _customer(),
        "line_items": {"line_item": {"serial": "1", "amount": "100", "item_code": "item-001"}},
        "custom_fields_data": {
            "custom_data_item": {"field_name": "paymentmode", "field_value": "CASH"}
        },
        "associate_details": {},
    }
    returned = _items(cap, "transaction/add", "transaction", [amount_return])[0]
    assert _code(returned) == 600 and returned["points_deducted"] == 100
    ni = {"type": "not_interested", "number": "ni-1", "amount": "70", "billing_time": "2026-01-01"}
    ni_id = _items(cap, "transaction/add", "transaction", [ni])[0]["id"]
    retro = {
        "customer": {"mobile": MOBILE, "external_id": "", "email": ""},
        "new_type": "REGULAR",
        "notes": "Retro Transaction",
        "id": str(ni_id),
        "old_type": "NOT_INTERESTED",
    }
    assert _code(_items(cap, "transaction/update", "transaction", [retro], SIGNED)[0]) == 1630
    notes = {
        "number": "bill-100",
        "notes": "Updating the transaction",
        "update_till": "till",
        "delivery_status": "placed",
        "customer": {"first_name": "Tom", "mobile": MOBILE},
    }
    assert _code(_items(cap, "transaction/update", "transaction", [notes])[0]) == 600
    assert cap.points() == 500 - 100 - 100 + 70


def test_a_return_names_its_bill_by_id_when_numbers_repeat_across_stores(cap):
    cap.configure(bill_number_unique_scope="store")
    cap.enroll()
    first = _items(cap, "transaction/add", "transaction", [_sale("dup-1", "100")])[0]
    cap.sale("dup-1", 300, till="till2")
    by_id = {
        "type": "return",
        "number": "dup-1",
        "id": str(first["id"]),
        "return_type": "AMOUNT",
        "parent_bill_number": "RE-9",
        "purchase_time": "2026-01-01",
        "amount": "50",
        "customer": _customer(),
    }
    returned = _items(cap, "transaction/add", "transaction", [by_id])[0]
    assert _code(returned) == 600 and returned["points_deducted"] == 50
