"""The Gameball codec on its own: neutral operation -> request, response -> result or error.

Pure functions: no server, no transport.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from simulator.protocol import ops
from simulator.protocol.base import NEUTRAL_ERRORS, BadAnswer, LoyaltyError, Next, Response
from simulator.protocol.gameball import BASE, ERRORS, GameballCodec, voucher_code

KEYS = {"apiKey": "k" * 32, "secretKey": "sk_" + "s" * 32}


@pytest.fixture
def codec() -> GameballCodec:
    return GameballCodec(KEYS)


def reply(body=None, status: int = 200, **headers: str) -> Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(status, dict(headers), raw)


def fail(codec: GameballCodec, op, status: int, body) -> LoyaltyError:
    with pytest.raises(LoyaltyError) as caught:
        codec.decode(op, reply(body, status))
    return caught.value


# -- identify and enroll --------------------------------------------------------------
def test_identify_reads_the_details_view_with_both_keys(codec):
    request = codec.encode(ops.Identify("c1"))
    assert (request.method, request.path) == ("GET", f"{BASE}/customers/c1/details")
    assert request.headers == {"APIKey": KEYS["apiKey"], "SecretKey": KEYS["secretKey"]}
    assert request.json is None and request.params is None


def test_identify_without_a_secret_falls_back_to_the_public_profile():
    codec = GameballCodec({"apiKey": "k"})
    assert codec.encode(ops.Identify("c1")).path == f"{BASE}/customers/c1"


@pytest.mark.parametrize(
    ("ref", "kind", "segment"),
    [
        ("+201000000001", "mobile", "%2B201000000001"),
        ("mona@example.com", "email", "mona%40example.com"),
        ("a/b c", "member_id", "a%2Fb%20c"),
    ],
)
def test_identify_by_mobile_or_email_puts_it_in_the_path_encoded(codec, ref, kind, segment):
    assert codec.encode(ops.Identify(ref, kind)).path == f"{BASE}/customers/{segment}/details"


def test_identify_by_card_is_not_supported(codec):
    with pytest.raises(LoyaltyError) as caught:
        codec.encode(ops.Identify("6001", "card_number"))
    assert caught.value.code == "not_supported"


def test_identify_decodes_the_profile_the_backend_resolved(codec):
    body = {
        "customerId": "c1",
        "referralCode": "REF1",
        "customerAttributes": {"mobile": "+201000000001", "email": "m@example.com"},
    }
    info = codec.decode(ops.Identify("+201000000001", "mobile"), reply(body))
    assert info == ops.MemberInfo("c1", "REF1", "+201000000001", "m@example.com", created=False)
    bare = codec.decode(ops.Identify("c2"), reply({"customerId": 2}))
    assert bare.member_id == "2" and bare.mobile is None and bare.referral_code is None


def test_enroll_upserts_then_reads_the_profile_back(codec):
    op = ops.Enroll("c1", mobile="+2010", email="m@example.com", first_name="Mona")
    request = codec.encode(op)
    assert (request.method, request.path) == ("POST", f"{BASE}/customers")
    assert request.json == {
        "customerId": "c1",
        "email": "m@example.com",
        "mobile": "+2010",
        "customerAttributes": {
            "firstName": "Mona",
            "email": "m@example.com",
            "mobile": "+2010",
            "channel": "pos",
        },
    }
    referred = codec.encode(ops.Enroll("c2", referral_code="REF1")).json
    assert referred == {
        "customerId": "c2",
        "referrerCode": "REF1",
        "customerAttributes": {"channel": "pos"},
    }
    follow = codec.decode(op, reply({"gameballId": 7, "customerId": "c1"}))
    assert isinstance(follow, Next)
    again = codec.encode(follow.op)
    assert (again.method, again.path) == ("GET", f"{BASE}/customers/c1/details")
    info = codec.decode(follow.op, reply({"customerId": "c1", "referralCode": "R"}))
    assert info.created is True and info.referral_code == "R"


# -- balance and holds ----------------------------------------------------------------
def test_balance(codec):
    request = codec.encode(ops.GetBalance("c 1"))
    assert (request.method, request.path) == ("GET", f"{BASE}/customers/c%201/balance")
    body = {
        "totalPointsBalance": 1250,
        "availablePointsBalance": 1000,
        "pendingPoints": 250,
        "nextExpiringPointsAmount": 800,
        "nextExpiringPointsDate": "2027-01-01T00:00:00.000000",
    }
    balance = codec.decode(ops.GetBalance("c1"), reply(body))
    assert balance == ops.Balance(1000, 250, 800, "2027-01-01T00:00:00.000000", 1250)
    with pytest.raises(BadAnswer, match="no availablePointsBalance"):  # never read as zero
        codec.decode(ops.GetBalance("c1"), reply({}))


def test_reserve_points_is_a_hold_and_decodes_its_money(codec):
    op = ops.ReservePoints("c1", 500, "chk-1", ttl_s=60)
    request = codec.encode(op)
    assert (request.method, request.path) == ("POST", f"{BASE}/transactions/hold")
    assert set(request.json) == {"customerId", "transactionTime", "pointsToHold"}
    assert request.json["pointsToHold"] == 500 and request.json["customerId"] == "c1"
    assert request.json["transactionTime"].endswith("Z")
    body = {"customerId": "c1", "holdAmount": 50.5, "holdEquivalentPoints": 505}
    reservation = codec.decode(op, reply({**body, "holdReference": 99}))
    assert reservation == ops.Reservation("99", 505, 5050, None)
    as_string = codec.decode(op, reply({"holdReference": "h", "holdAmount": "50.00"}))
    assert (as_string.points, as_string.money_value) == (500, 5000)


def test_release_deletes_the_hold(codec):
    op = ops.ReleasePoints("c1", ops.Reservation("h/1", 10))
    request = codec.encode(op)
    assert (request.method, request.path) == ("DELETE", f"{BASE}/transactions/hold/h%2F1")
    assert request.json is None
    assert codec.decode(op, reply({"success": True})) is None


# -- sales, refunds, events -----------------------------------------------------------
def _sale(**fields) -> ops.SubmitSale:
    lines = (
        ops.SaleLine("SKU-A", 2, 3000, "Shirt", "apparel"),
        ops.SaleLine("SKU-B", 1, 4000),
    )
    at = datetime(2026, 1, 1, 12, tzinfo=UTC)
    return ops.SubmitSale("c1", "o1", lines, 10000, 9000, at=at, **fields)


def test_a_sale_is_an_order_with_lines_totals_and_merchant(codec):
    request = codec.encode(_sale(store_id="downtown"))
    assert (request.method, request.path) == ("POST", f"{BASE}/orders")
    body = request.json
    assert body["orderDate"] == "2026-01-01T12:00:00Z" and body["channel"] == "pos"
    assert (body["totalPrice"], body["totalPaid"], body["totalDiscount"]) == (100.0, 90.0, 10.0)
    assert body["lineItems"] == [
        {
            "productId": "SKU-A",
            "sku": "SKU-A",
            "quantity": 2,
            "price": 30.0,
            "title": "Shirt",
            "category": ["apparel"],
        },
        {"productId": "SKU-B", "sku": "SKU-B", "quantity": 1, "price": 40.0, "title": "SKU-B"},
    ]
    assert body["merchant"] == {"uniqueId": "downtown", "branch": {"uniqueId": "downtown"}}
    assert "redemption" not in body and "referrerCode" not in body


def test_a_sale_carries_the_hold_coupons_and_referral(codec):
    hold = ops.Reservation("h1", 1000, 10000)
    sale = _sale(reservation=hold, voucher_codes=("SAVE5", "TEN"), referral_code="REF1")
    body = codec.encode(sale).json
    assert body["redemption"] == {"pointsHoldReference": "h1", "couponCodes": ["SAVE5", "TEN"]}
    assert body["referrerCode"] == "REF1"


def test_a_sale_decodes_either_field_set(codec):
    oas = {"rewardedPoints": 90, "redeemedPoints": 1000}
    assert codec.decode(_sale(), reply(oas)) == ops.SaleResult("o1", 90, 1000)
    assert codec.decode(_sale(), reply({})) == ops.SaleResult("o1", 0, 0)


def test_earn_points_is_a_sale_worth_that_many_currency_units():
    op = ops.EarnPoints("c1", 1200, "seed-c1")
    for minor_units in (0, 2, 3):
        body = GameballCodec(KEYS, minor_units=minor_units).encode(op).json
        assert (body["orderId"], body["totalPaid"], body["totalPrice"]) == ("seed-c1", 1200, 1200)
        assert body["lineItems"] == []
    result = GameballCodec(KEYS).decode(op, reply({"rewardedPoints": 1200}))
    assert result == ops.SaleResult("seed-c1", 1200, 0)


def test_refunds_by_rest_amount_and_lines(codec):
    full = codec.encode(ops.RefundSale("c1", "o1", "r1"))
    assert (full.method, full.path) == ("POST", f"{BASE}/transactions/refund")
    assert set(full.json) == {
        "customerId",
        "refundTransactionId",
        "reverseTransactionId",
        "transactionTime",
    }
    assert (full.json["refundTransactionId"], full.json["reverseTransactionId"]) == ("r1", "o1")
    part = codec.encode(ops.RefundSale("c1", "o1", "r2", amount=4550, store_id="s1")).json
    assert part["refundAmount"] == 45.5 and part["merchant"] == {"uniqueId": "s1"}
    lines = codec.encode(ops.RefundSale("c1", "o1", "r3", lines=(("SKU-A", 1),))).json
    assert lines["lineItems"] == [{"productId": "SKU-A", "quantity": 1}]
    assert "refundAmount" not in lines
    body = {"refundAmount": 45.5, "refundEquivalentPoints": 545, "gameballTransactionId": "1"}
    result = codec.decode(ops.RefundSale("c1", "o1", "r2"), reply(body))
    assert result == ops.RefundResult("r2", 4550, 545)


def test_events_use_the_events_map(codec):
    op = ops.TrackEvent("c1", "store_visit", {"spent": 5})
    request = codec.encode(op)
    assert (request.method, request.path) == ("POST", f"{BASE}/events")
    assert request.json == {"customerId": "c1", "events": {"store_visit": {"spent": 5}}}
    assert codec.decode(op, reply({"success": True})) is None


def test_voucher_validation_uses_the_coupon_api(codec):
    op = ops.UseVoucher("c1", "SAVE 5", burn=False)
    request = codec.encode(op)
    assert (request.method, request.path) == ("POST", f"{BASE}/coupons/SAVE%205/validate")
    assert request.json == {"customerId": "c1"}
    coupon = {"code": "SAVE 5", "type": "fixed", "value": 5.5}
    info = codec.decode(op, reply({"valid": True, "coupon": coupon}))
    assert info == ops.VoucherInfo("SAVE 5", True, "fixed", 550)
    assert codec.decode(op, reply({"valid": False})).valid is False


def test_voucher_burn_and_list_use_the_coupon_api(codec):
    burn = ops.UseVoucher("c1", "X", order_id="o1")
    request = codec.encode(burn)
    assert (request.method, request.path) == ("POST", f"{BASE}/coupons/burn")
    assert request.json["coupons"] == ["X"] and request.json["transactionId"] == "o1"
    assert codec.decode(burn, reply({"success": True})).used is True
    listing = ops.ListVouchers("c1")
    assert codec.encode(listing).path == f"{BASE}/customers/c1/coupons"
    rows = [
        {"code": "A", "type": "Percentage", "value": 10, "isAvailableToUse": True},
        {
            "code": "B",
            "type": "Fixed Rate Discount",
            "value": 2,
            "usedCount": 1,
            "isAvailableToUse": False,
        },
    ]
    assert codec.decode(listing, reply({"coupons": rows})) == [
        ops.VoucherInfo("A", True, "percent", 10),
        ops.VoucherInfo("B", False, "fixed", 200, used=True),
    ]


def test_unknown_operations_are_not_supported(codec):
    for call in (lambda: codec.encode(object()), lambda: codec.decode(object(), reply({}))):
        with pytest.raises(LoyaltyError) as caught:
            call()
        assert caught.value.code == "not_supported"


def test_a_custom_base_is_honoured():
    codec = GameballCodec(KEYS, base="/api/v4.1/integrations")
    assert codec.encode(ops.GetBalance("c1")).path == "/api/v4.1/integrations/customers/c1/balance"


# -- errors ---------------------------------------------------------------------------
def envelope(code: int, message: str = "") -> dict:
    return {"code": code, "type": "x", "message": message, "error": code, "requestId": "r"}


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, 1000, "unauthorized"),
        (401, 1001, "unauthorized"),
        (412, 2000, "invalid_request"),
        (422, 2001, "conflict"),
        (400, 3000, "invalid_request"),
        (422, 3005, "invalid_request"),
        (422, 3008, "member_exists"),
        (422, 3009, "member_inactive"),
        (400, 4000, "refund_exceeds"),
        (404, 4004, "not_supported"),
        (404, 7000, "member_not_found"),
        (422, 7002, "referral_invalid"),
        (422, 7006, "self_referral"),
        (422, 9001, "refund_exceeds"),
        (404, 9002, "order_not_found"),
        (422, 9004, "duplicate_order"),
        (404, 9005, "order_not_found"),
        (404, 9006, "hold_not_found"),
        (422, 9008, "insufficient_points"),
        (500, 5000, "server_error"),
        (503, 5003, "server_error"),
        (422, 9999, "invalid_request"),
        (502, 9999, "server_error"),
    ],
)
def test_gameball_codes_map_to_neutral_errors(codec, status, code, expected):
    error = fail(codec, ops.GetBalance("c1"), status, envelope(code, "why"))
    assert (error.code, error.status, error.vendor_code, error.message) == (
        expected,
        status,
        code,
        "why",
    )


def test_every_mapped_code_is_a_neutral_one():
    assert set(ERRORS.values()) <= set(NEUTRAL_ERRORS)


def test_a_429_carries_retry_after(codec):
    response = reply(envelope(3011, "slow down"), 429, **{"Retry-After": "2"})
    with pytest.raises(LoyaltyError) as caught:
        codec.decode(ops.GetBalance("c1"), response)
    error = caught.value
    assert (error.code, error.retry_after, error.vendor_code) == ("rate_limited", 2.0, 3011)
    lower = codec._error(reply({}, 429, **{"retry-after": "1"}), {})
    assert lower.retry_after == 1.0
    dated = reply(b"", 429, **{"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    assert codec._error(dated, None).retry_after > 365 * 86400  # an HTTP-date counts too
    garbage = reply(b"", 429, **{"Retry-After": "soon"})
    assert codec._error(garbage, None).retry_after is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Coupon 'SAVE5' is already used", "voucher_used"),
        ("Coupon 'SAVE5' is already used up", "voucher_used"),
        ("Coupon 'X' is locked by another transaction and cannot be used now", "voucher_used"),
        ("Coupon 'WEEK' is expired", "voucher_expired"),
        ("Coupon 'NOPE' is not found", "voucher_invalid"),
        ("Coupon 'THEIRS' is for another customer", "voucher_invalid"),
        ("Coupon 'USED-EXPIRED' is not found", "voucher_invalid"),  # the code never decides
        ("coupon already redeemed", "voucher_used"),
    ],
)
def test_coupon_refusals_are_read_from_the_message(codec, message, expected):
    assert voucher_code(message) == expected
    assert fail(codec, _sale(), 422, envelope(3003, message)).code == expected


def test_only_generic_codes_are_refined_by_a_coupon_message(codec):
    assert voucher_code("totalPaid must be a non-negative amount") is None
    assert fail(codec, _sale(), 422, envelope(3003, "orderId: bad")).code == "invalid_request"
    route = "No route matches POST /api/v4.0/integrations/coupons/used"
    assert fail(codec, _sale(), 404, envelope(4004, route)).code == "not_supported"
    assert fail(codec, _sale(), 500, envelope(5000, "coupon used")).code == "server_error"
    assert fail(codec, _sale(), 422, {"message": "Coupon is expired"}).code == "voucher_expired"


def test_bodies_that_are_not_envelopes_still_map_by_status(codec):
    assert fail(codec, _sale(), 502, b"<html>bad gateway</html>").code == "server_error"
    assert fail(codec, _sale(), 400, [1, 2]).code == "invalid_request"
    assert fail(codec, _sale(), 400, b"").vendor_code is None
