"""A storefront written like Gameball's own SFCC cartridge, replayed against posim.

The requests are rebuilt here from what that integration sends (customer upsert, Pay with
Points hold, order tracking with its totals/extra/line items, refund, GDPR erasure through
the POST alias) and every assertion is about a field or code that client reads: the
order's echoed ids, 9004 on a re-sent order plus the verification GET it then makes
(count and a PaymentReward row), 9006 on releasing a hold that is gone, 7000 with a
requestId on erasing someone already erased.
"""

from __future__ import annotations

import pytest

SITE = {"uniqueId": "RefArch", "name": "Reference Store"}
PLACED = "2026-01-01T10:00:00.000Z"


class Storefront:
    """The calls the cartridge makes, with its payload shapes (built here, not copied)."""

    def __init__(self, pos) -> None:
        self.pos = pos

    def register(self, customer_no: str, first: str, last: str, email: str):
        attrs = {"displayName": f"{first} {last}", "firstName": first, "lastName": last}
        body = {
            "customerId": customer_no,
            "email": email,
            "customerAttributes": {**attrs, "email": email},
        }
        return self.pos.call("POST", "/customers", body)

    def hold(self, customer_no: str, points: int):
        body = {
            "customerId": customer_no,
            "transactionTime": PLACED,
            "pointsToHold": points,
            "ignoreOTP": True,
        }
        return self.pos.call("POST", "/transactions/hold", body)

    def release(self, reference: str):
        return self.pos.call("DELETE", f"/transactions/hold/{reference}")

    def track(self, customer_no: str, order_no: str, hold: str | None = None):
        """Gross 119.00 (2 x 50.00 + 10.00 shipping + 9.00 tax), 20.00 of it in points."""
        line = {
            "productId": "25686544M",
            "quantity": 2,
            "price": 50.0,
            "sku": "MFR-25686544",
            "title": "Striped Shirt",
            "category": ["mens-shirts", "mens", "root"],
            "vendor": "Commerce Cloud",
            "taxes": 4.5,
            "discount": 0,
            "extra": {"sfccUUID": "a1b2c3", "masterId": "25686544"},
        }
        body = {
            "customerId": customer_no,
            "orderId": order_no,
            "orderDate": PLACED,
            "totalPaid": 99.0 if hold else 119.0,
            "totalPrice": 119.0,
            "totalDiscount": 0,
            "totalShipping": 10.0,
            "totalTax": 9.0,
            "channel": "web",
            "guest": False,
            "cartId": "cart-0001",
            "merchant": SITE,
            "extra": {
                "siteId": "RefArch",
                "locale": "en_US",
                "currency": "USD",
                "shipmentCount": 1,
                "isGiftOrder": 0,
                "sourceCode": "",
                "paymentMethods": "CREDIT_CARD,GAMEBALL_POINTS" if hold else "CREDIT_CARD",
                "shippingMethod": "001",
            },
            "email": "ada@example.com",
            "mobile": "+1 555 0100",
            "lineItems": [line],
        }
        if hold:
            body["redemption"] = {"pointsHoldReference": hold}
        return self.pos.call("POST", "/orders", body)

    def probe(self, order_no: str):
        return self.pos.call("GET", f"/orders/{order_no}/transactions")

    def refund(self, customer_no: str, order_no: str, refund_no: str, amount: float):
        body = {
            "customerId": customer_no,
            "refundTransactionId": refund_no,
            "reverseTransactionId": order_no,
            "transactionTime": PLACED,
            "refundAmount": amount,
        }
        return self.pos.call("POST", "/transactions/refund", body)

    def erase(self, customer_no: str):
        return self.pos.call("POST", f"/customers/{customer_no}/delete", {})


@pytest.fixture
def shop(pos_with):
    # 1 point per 1.00; 10 points pay 1.00
    return Storefront(pos_with(currency="USD", redeem_points=10, redeem_value_minor=100))


def _envelope(response, code: int, status: int) -> dict:
    body = response.json()
    assert response.status_code == status and body["code"] == code, body
    assert body["requestId"] == response.headers["x-request-id"]  # how it trusts a 404/7000
    return body


def test_registration_is_an_idempotent_upsert(shop):
    assert shop.register("00001", "Ada", "Lovelace", "ada@example.com").status_code == 200
    again = shop.register("00001", "Ada", "Lovelace", "ada@example.com")
    assert again.status_code == 200 and again.json()["customerId"] == "00001"


def test_order_tracking_echoes_the_ids_it_persists(shop):
    shop.register("00001", "Ada", "Lovelace", "ada@example.com")
    tracked = shop.track("00001", "00000101")
    assert tracked.status_code == 200
    body = tracked.json()
    assert (body["orderId"], body["customerId"]) == ("00000101", "00001")
    assert body["rewardedPoints"] == 119


def test_a_reloaded_confirmation_page_gets_9004_and_the_probe_confirms_the_order(shop):
    shop.register("00001", "Ada", "Lovelace", "ada@example.com")
    assert shop.track("00001", "00000101").status_code == 200
    _envelope(shop.track("00001", "00000101"), 9004, 422)  # settles as already applied
    probe = shop.probe("00000101")
    assert probe.status_code == 200
    listed = probe.json()
    assert int(listed["count"]) > 0
    assert "PaymentReward" in {row["transactionType"] for row in listed["transactions"]}
    assert shop.pos.available("00001") == 119  # earned once


def test_pay_with_points_hold_fields_and_a_release_of_a_used_hold(shop):
    shop.register("00001", "Ada", "Lovelace", "ada@example.com")
    shop.track("00001", "00000101")  # 119 points to spend
    held = shop.hold("00001", 100)
    assert held.status_code == 200
    hold = held.json()
    assert hold["holdReference"]
    assert (float(hold["holdAmount"]), float(hold["holdEquivalentPoints"])) == (10.0, 100.0)
    paid = shop.track("00001", "00000102", hold=hold["holdReference"]).json()
    assert paid["redeemedPoints"] == 100 and paid["rewardedPoints"] == 99
    _envelope(shop.release(hold["holdReference"]), 9006, 404)  # gone: nothing to undo


def test_a_detected_refund_is_accepted_and_settles(shop):
    shop.register("00001", "Ada", "Lovelace", "ada@example.com")
    shop.track("00001", "00000101")
    refunded = shop.refund("00001", "00000101", "00000101-R1", 50.0)
    assert refunded.status_code == 200
    body = refunded.json()
    assert (body["refundTransactionId"], body["refundAmount"]) == ("00000101-R1", 50.0)
    assert body["refundEquivalentPoints"] == 50
    _envelope(shop.refund("00001", "00000101", "00000101-R1", 10.0), 9004, 422)


def test_gdpr_erasure_through_the_post_alias(shop):
    shop.register("00001", "Ada", "Lovelace", "ada@example.com")
    assert shop.erase("00001").status_code == 200
    _envelope(shop.erase("00001"), 7000, 404)  # already gone: the mandate is honoured
    _envelope(shop.pos.call("GET", "/customers/00001"), 7000, 404)
