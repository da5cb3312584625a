"""Real Capillary integrations replayed: each client's requests rebuilt here (their shapes,
query flags and reading logic, in our own code) and each answer checked for what that
client reads. Sources (public code): a third-party Shopify loyalty app (Laravel), a
Dynamics NAV till that speaks XML, and an Oracle Retail POS customisation (Java)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from tests.support.capillary import MOBILE, make_fixtures

cap_server, cap = make_fixtures()
EMAIL = "ada@example.com"


class ShopifyApp:
    """The Shopify app: customer/get with mlp=true (no format parameter), cart checks of
    coupon restrictions, points checks with the program and group redemption flags."""

    def __init__(self, cap) -> None:
        self.cap = cap

    def _get(self, api: str, query: str) -> dict[str, Any]:
        response = self.cap.client.get(f"/v1.1/{api}?{query}", headers=self.cap.headers())
        assert response.status_code == 200, response.text
        return response.json()

    def profile(self, email: str) -> dict[str, Any]:
        data = self._get("customer/get", f"mlp=true&user_id=true&email={email}")
        return data["response"]["customers"]["customer"][0]

    def slab_and_points(self, email: str) -> tuple[str, str]:
        data = self._get("customer/transactions", f"email={email}")
        customer = data["response"]["customer"]
        return customer["current_slab"], customer["total_available_points"]

    def eligible_skus(self, email: str, code: str, cart: list[str]) -> dict[str, bool] | str:
        query = f"details=extended&code={code}&email={email}&format=json"
        redeemable = self._get("coupon/isredeemable", query)["response"]["coupons"]["redeemable"]
        if redeemable["is_redeemable"] != "true":
            return str(redeemable["item_status"]["code"])
        info = redeemable["series_info"]
        if len(info["productInfo"]) == 0:
            return dict.fromkeys(cart, True)
        if info["products"] is None:  # restricted by category: the app looks products up
            return {"categories": [c["name"] for c in info["categories"]["category"]]}
        allowed = {p["sku"] for p in info["products"]["product"]}
        return {sku: sku in allowed for sku in cart}

    def points_check(self, points: int, email: str) -> tuple[bool, Any]:
        customer = self.profile(email)
        program = next(
            s["programId"]
            for s in customer["points_summaries"]["points_summary"]
            if "default program" in s["program_description"].lower()
        )
        groups = customer["group_points_summaries"]["group_points_summary"]
        group = "true" if any(g["group_program_id"] == program for g in groups) else "false"
        query = (
            f"points={points}&email={email}&format=json&skip_validation=true"
            f"&program_id={program}&group_redemption={group}"
        )
        data = self._get("points/isredeemable", query)["response"]
        ok = (
            data["status"]["code"] == 200
            and data["points"]["redeemable"]["is_redeemable"] == "true"
        )
        return ok, data["points"]["redeemable"]["points_redeem_local_value"]


def _seed(cap) -> None:
    cap.enroll(
        email=EMAIL, firstname="Ada", custom_fields={"field": [{"name": "pilot", "value": "1"}]}
    )
    cap.sale("B1", 240)


def test_the_shopify_app_reads_the_profile_it_shows(cap):
    _seed(cap)
    app = ShopifyApp(cap)
    customer = app.profile(EMAIL)
    assert customer["user_id"] and customer["current_slab"] is not None
    assert [f["name"] for f in customer["custom_fields"]["field"]] == ["pilot"]
    group = customer["group_points_summaries"]["group_points_summary"][0]
    assert group["loyalty_points"] == "240" and group["lifetime_points"] == "240"
    assert app.slab_and_points(EMAIL)[1] == "240"


def test_the_shopify_app_checks_points_with_program_and_group_flags(cap):
    _seed(cap)
    ok, value = ShopifyApp(cap).points_check(100, EMAIL)
    assert ok and float(value) == 1.0  # 100 points at 100 points per 1.00
    assert ShopifyApp(cap).points_check(10_000, EMAIL)[0] is False


def test_the_shopify_app_matches_cart_skus_against_the_coupon_products(cap):
    _seed(cap)
    app = ShopifyApp(cap)
    by_sku = cap.coupon(cap.series(attributes={"products": ["SKU-1"]}))
    assert app.eligible_skus(EMAIL, by_sku, ["SKU-1", "SKU-2"]) == {"SKU-1": True, "SKU-2": False}
    by_category = cap.coupon(cap.series(attributes={"categories": ["Shoes"]}))
    assert app.eligible_skus(EMAIL, by_category, ["SKU-1"]) == {"categories": ["Shoes"]}
    anything = cap.coupon(cap.series())
    assert app.eligible_skus(EMAIL, anything, ["SKU-9"]) == {"SKU-9": True}
    assert app.eligible_skus(EMAIL, "NOPE", ["SKU-9"]) == "702"


class NavTill:
    """The Dynamics NAV till: GET calls with format=xml, answers read by XPath-like paths."""

    def __init__(self, cap) -> None:
        self.cap = cap
        self.messages: list[str] = []

    def _xml(self, api: str, query: str):
        url = f"/v1.1/{api}?format=xml&{query}"
        response = self.cap.client.get(url, headers=self.cap.headers())
        assert response.status_code == 200, response.text
        return ET.fromstring(response.content), response.headers

    def request_code(self, points: int, mobile: str) -> str:
        _, headers = self._xml("points/validationcode", f"mobile={mobile}&points={points}")
        return headers["X-Posim-Validation-Code"]  # posim's stand-in for the SMS

    def points_value(self, points: int, code: str, mobile: str) -> tuple[str, str] | None:
        query = f"points={points}&validation_code={code}&mobile={mobile}"
        doc, _ = self._xml("points/isredeemable", query)
        if doc.findtext(".//status/success") != "true":
            self.messages.append(doc.findtext(".//points/redeemable/item_status/message"))
            return None
        redeemable = doc.find(".//points/redeemable")
        return redeemable.findtext("points_redeem_value"), redeemable.findtext(
            "points_currency_ratio"
        )

    def coupon_value(self, code: str, mobile: str, payable: float) -> float | None:
        doc, _ = self._xml("coupon/isredeemable", f"details=true&code={code}&mobile={mobile}")
        self.messages.append(doc.findtext(".//coupons/redeemable/item_status/message"))
        kind = doc.findtext(".//coupons/redeemable/series_info/discount_type")
        if doc.findtext(".//status/success") != "true" or kind is None:
            return None
        value = float(doc.findtext(".//coupons/redeemable/series_info/discount_value"))
        return value if kind == "ABS" else value / 100 * payable


def test_the_nav_till_reads_points_and_coupon_values_from_xml(cap):
    cap.enroll()
    cap.earn(500)
    till = NavTill(cap)
    code = till.request_code(200, MOBILE)
    assert till.points_value(200, code, MOBILE) == ("2", "0.01")
    assert till.points_value(200, "WRONG1", MOBILE) is None
    assert till.messages[-1] == "Validation code is invalid"
    fixed = cap.coupon(cap.series(discount_kind="fixed", discount_value=500))
    assert till.coupon_value(fixed, MOBILE, 80.0) == 5.0
    percent = cap.coupon(cap.series(discount_kind="percent", discount_value=10))
    assert till.coupon_value(percent, MOBILE, 80.0) == 8.0
    assert till.coupon_value("NOPE", MOBILE, 80.0) is None
    assert till.messages[-1] == "Invalid coupon code"


def test_the_oracle_pos_sends_empty_identifiers_beside_the_mobile(cap):
    """It always sends mobile, external_id and email, the unknown ones empty."""
    cap.enroll()
    code = cap.coupon(cap.series())
    query = f"format=json&mobile={MOBILE}&external_id=&email=&code={code}&details=extended"
    response = cap.client.get(f"/v1.1/coupon/isredeemable?{query}", headers=cap.headers())
    redeemable = response.json()["response"]["coupons"]["redeemable"]
    assert int(redeemable["item_status"]["code"]) == 700
    info = redeemable["series_info"]
    assert info["discount_type"] == "ABS" and float(info["discount_value"]) == 5.0
