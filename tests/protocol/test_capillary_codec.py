"""CapillaryCodec, pure: each operation's request, each answer's neutral result or error."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from simulator.protocol import ops
from simulator.protocol.base import Done, LoyaltyError, Next, Response
from simulator.protocol.capillary import (
    CapillaryCodec,
    _Bill,
    _FindRedemptions,
    _ReadBill,
    _ReadReturn,
    _Redeem,
    _Reverse,
    _UsedOnBill,
    redeem_reference,
    restore_target,
)

CREDS = {"till": "t1.store1.till1", "till2": "t1.store2.till1", "password": "123"}


@pytest.fixture
def codec() -> CapillaryCodec:
    return CapillaryCodec(CREDS)


def answer(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(status, headers, json.dumps(body).encode())


def item_status(code: int, success: bool = True, message: str = "") -> dict[str, Any]:
    return {"success": "true" if success else "false", "code": code, "message": message}


def envelope(**parts: Any) -> dict[str, Any]:
    ok = all(
        str(p.get("item_status", {}).get("success", "true")) == "true"
        for part in parts.values()
        for p in (part if isinstance(part, list) else [part])
        if isinstance(p, dict)
    )
    status = {"success": "true" if ok else "false", "code": 200 if ok else 500, "message": ""}
    return {"response": {"status": status, **parts}}


def customer(code: int = 1000, **fields: Any) -> dict[str, Any]:
    record = {"user_id": "100000001", "external_id": "alice-1", "mobile": "201000000001"}
    record.update(fields)
    record["item_status"] = item_status(code, code == 1000, "x")
    return envelope(customers={"customer": [record]})


def bill(code: int = 600, **fields: Any) -> dict[str, Any]:
    item = {"number": "O1", "item_status": item_status(code, code == 600)}
    item.update(fields)
    return envelope(transactions={"transaction": [item]})


def sale(**fields: Any) -> ops.SubmitSale:
    base = dict(member_id="alice-1", order_id="O1", lines=(), total=5000, paid=4000)
    base.update(fields)
    return ops.SubmitSale(**base)


def refund(**fields: Any) -> ops.RefundSale:
    base = dict(
        member_id="alice-1",
        order_id="O1",
        refund_id="O1-R1",
        sale_paid=9000,
        points_earned=90,
        points_redeemed=1000,
        money=9000,
    )
    base.update(fields)
    return ops.RefundSale(**base)


def fails(code: str, call) -> LoyaltyError:
    with pytest.raises(LoyaltyError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


# -- class attributes -------------------------------------------------------------------
def test_class_attributes():
    assert CapillaryCodec.dialect == "capillary"
    assert re.search(CapillaryCodec.sale_route, "/v1.1/transaction/add")
    assert not re.search(CapillaryCodec.sale_route, "/v1.1/points/redeem")
    assert set(CapillaryCodec.not_applicable) == {"holds", "hold_expiry", "referrals"}


def test_basic_auth_sends_the_md5_of_the_password(codec):
    request = codec.encode(ops.Identify("alice-1"))
    token = request.headers["Authorization"].removeprefix("Basic ")
    assert base64.b64decode(token).decode() == f"{CREDS['till']}:202cb962ac59075b964b07152d234b70"


# -- identify, enroll, balance -----------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "ref", "param"),
    [
        ("member_id", "alice-1", {"external_id": "alice-1"}),
        ("member_id", "id:100000001", {"id": "100000001"}),
        ("mobile", "+20 100-000-0001", {"mobile": "201000000001"}),
        ("email", "a@example.com", {"email": "a@example.com"}),
        ("card_number", "4000", {"card_number": "4000"}),
    ],
)
def test_identify_is_customer_get_by_the_given_identifier(codec, kind, ref, param):
    request = codec.encode(ops.Identify(ref, kind))
    assert (request.method, request.path) == ("GET", "/v1.1/customer/get")
    assert request.params == {"format": "json", **param, "user_id": "true"}


def test_identify_decodes_the_member_keyed_by_external_id(codec):
    info = codec.decode(ops.Identify("x", "mobile"), answer(customer()))
    assert info == ops.MemberInfo("alice-1", mobile="201000000001", active=True)
    without = customer(external_id=None, fraud_details={"status": "CONFIRMED"})
    info = codec.decode(ops.Identify("x", "mobile"), answer(without))
    assert info.member_id == "id:100000001" and info.active is False


def test_unknown_customer_is_member_not_found(codec):
    error = fails(
        "member_not_found", lambda: codec.decode(ops.Identify("x"), answer(customer(1012)))
    )
    assert error.vendor_code == 1012 and error.status == 200


def test_enroll_is_customer_add_with_the_member_id_as_external_id(codec):
    op = ops.Enroll("carol-1", mobile="+201099999999", email="c@example.com", first_name="Carol")
    request = codec.encode(op)
    assert (request.method, request.path) == ("POST", "/v1.1/customer/add")
    assert request.json == {
        "root": {
            "customer": {
                "external_id": "carol-1",
                "mobile": "201099999999",
                "email": "c@example.com",
                "firstname": "Carol",
                "type": "LOYALTY",
            }
        }
    }
    created = customer(external_id="carol-1")
    created["response"]["customers"]["customer"][0]["item_status"]["message"] = (
        "Customer registration successful"
    )
    assert codec.decode(op, answer(created)) == ops.MemberInfo(
        "carol-1", mobile="201000000001", created=True
    )
    taken = customer(1032)
    fails("member_exists", lambda: codec.decode(op, answer(taken)))


def test_enroll_with_a_referral_code_is_not_supported(codec):
    fails("not_supported", lambda: codec.encode(ops.Enroll("b", referral_code="ALICE")))


def test_balance_reads_loyalty_delayed_points_and_the_expiry_schedule(codec):
    request = codec.encode(ops.GetBalance("alice-1"))
    assert request.params["external_id"] == "alice-1"
    assert request.params["expiry_schedule"] == "true"
    schedule = [
        {"points": "50", "expiry_date": "2027-03-01 00:00:00"},
        {"points": "800", "expiry_date": "2027-01-01 00:00:00"},
    ]
    body = customer(loyalty_points=850, delayed_points="250", expiry_schedule=schedule)
    assert codec.decode(ops.GetBalance("alice-1"), answer(body)) == ops.Balance(
        available=850,
        pending=250,
        next_expiring_points=800,
        next_expiring_at="2027-01-01 00:00:00",
        balance=850,
    )
    summary = {"points_summary": [{"delayed_points": "7"}]}
    body = customer(loyalty_points="10", points_summaries=summary)
    assert codec.decode(ops.GetBalance("alice-1"), answer(body)).pending == 7


# -- points --------------------------------------------------------------------------------
def redeemable(code: int = 800, **fields: Any) -> dict[str, Any]:
    item = {"points": "1000", "is_redeemable": "true" if code == 800 else "false"}
    item.update(fields, item_status=item_status(code, code == 800))
    return envelope(points={"redeemable": item})


def test_reserve_is_a_check_that_holds_nothing(codec):
    op = ops.ReservePoints("alice-1", 1000, "O1")
    request = codec.encode(op)
    assert (request.method, request.path) == ("GET", "/v1.1/points/isredeemable")
    assert request.params == {"format": "json", "external_id": "alice-1", "points": "1000"}
    reservation = codec.decode(op, answer(redeemable(points_redeem_value=10)))
    assert reservation == ops.Reservation("O1:points", 1000, money_value=1000, committed=False)


@pytest.mark.parametrize(
    ("code", "neutral"),
    [(804, "insufficient_points"), (816, "member_not_found"), (821, "invalid_request")],
)
def test_reserve_failures(codec, code, neutral):
    op = ops.ReservePoints("alice-1", 1000, "O1")
    fails(neutral, lambda: codec.decode(op, answer(redeemable(code))))


def test_release_sends_nothing_because_nothing_was_reserved(codec):
    op = ops.ReleasePoints("alice-1", ops.Reservation("O1:points", 1000))
    assert codec.encode(op) == Done(None)


# -- sales -------------------------------------------------------------------------------
def test_sale_is_a_regular_bill_for_what_was_paid(codec):
    op = sale(
        lines=(ops.SaleLine("SKU-A", 2, 2500, "tea"),),
        at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        store_id="s1",
    )
    request = codec.encode(op)
    assert (request.method, request.path) == ("POST", "/v1.1/transaction/add")
    tx = request.json["root"]["transaction"]
    assert tx["type"] == "regular" and tx["number"] == "O1"
    assert (tx["amount"], tx["gross_amount"], tx["discount"]) == ("40.00", "50.00", "10.00")
    assert tx["customer"] == {"external_id": "alice-1"}
    assert tx["billing_time"] == "2026-01-02 03:04:05"
    [line] = tx["line_items"]["line_item"]
    assert (line["item_code"], line["qty"], line["rate"], line["amount"]) == (
        "SKU-A",
        "2",
        "25.00",
        "50.00",
    )
    assert codec.encode(op) == request  # a retry sends the very same bill


def test_sale_reads_the_points_awarded(codec):
    effects = {"effect": [{"type": "points", "awarded_points": 40, "total_points": 40}]}
    result = codec.decode(sale(), answer(bill(side_effects=effects)))
    assert result == ops.SaleResult("O1", 40, 0, False)


def test_earn_points_is_a_bill_worth_that_many_points(codec):
    request = codec.encode(ops.EarnPoints("alice-1", 1200, "seed-1"))
    tx = request.json["root"]["transaction"]
    assert tx["number"] == "seed-1" and tx["amount"] == "1200.00"
    effects = {"effect": [{"type": "points", "awarded_points": "1200"}]}
    result = codec.decode(
        ops.EarnPoints("alice-1", 1200, "seed-1"), answer(bill(side_effects=effects))
    )
    assert result.points_earned == 1200


def test_sale_with_points_redeems_after_the_bill_with_a_reference_from_the_order(codec):
    reservation = ops.Reservation("O1:points", 1000, money_value=1000)
    op = sale(reservation=reservation)
    step = codec.decode(op, answer(bill(side_effects={"effect": [{"awarded_points": 40}]})))
    assert step == Next(_Redeem(op, 40, False))
    request = codec.encode(step.op)
    assert (request.method, request.path) == ("POST", "/v1.1/points/redeem")
    assert request.json["root"]["redeem"] == {
        "points_redeemed": "1000",
        "customer": {"external_id": "alice-1"},
        "transaction_number": "O1",
        "external_reference_number": redeem_reference("O1"),
    }
    redeemed = envelope(
        responses={"points": {"points_redeemed": "1000", "item_status": item_status(800)}}
    )
    assert codec.decode(step.op, answer(redeemed)) == ops.SaleResult("O1", 40, 1000, False)
    again = envelope(responses={"points": {"item_status": item_status(744, False)}})
    assert codec.decode(step.op, answer(again)) == ops.SaleResult("O1", 40, 1000, False)
    short = envelope(responses={"points": {"item_status": item_status(804, False)}})
    fails("insufficient_points", lambda: codec.decode(step.op, answer(short)))


def transactions(*rows: dict[str, Any]) -> dict[str, Any]:
    return envelope(
        customer={"transactions": {"transaction": list(rows)}, "item_status": item_status(1052)}
    )


def test_a_604_is_read_back_an_identical_bill_is_the_same_sale(codec):
    op = sale()
    step = codec.decode(op, answer(bill(604)))
    assert step == Next(_ReadBill(op))
    request = codec.encode(step.op)
    assert request.path == "/v1.1/customer/transactions"
    assert request.params["number"] == "O1" and request.params["external_id"] == "alice-1"
    same = {"number": "O1", "type": "REGULAR", "amount": "40", "gross_amount": "50"}
    same["points"] = {"issued": "40"}
    assert codec.decode(step.op, answer(transactions(same))) == ops.SaleResult("O1", 40, 0, True)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [{"number": "O1", "type": "REGULAR", "amount": "30", "gross_amount": "30"}],
        [{"number": "O1", "type": "RETURN", "amount": "40"}],
    ],
)
def test_a_604_for_another_sale_is_duplicate_order(codec, rows):
    fails("duplicate_order", lambda: codec.decode(_ReadBill(sale()), answer(transactions(*rows))))


def coupon_answer(code: int) -> dict[str, Any]:
    return envelope(
        coupons={"coupon": {"code": "SAVE10", "item_status": item_status(code, code == 700)}}
    )


def coupon_check(*items: tuple[str, int]) -> Response:
    redeemable = [
        {
            "code": code,
            "is_redeemable": str(c == 700).lower(),
            "item_status": item_status(c, c == 700),
        }
        for code, c in items
    ]
    return answer(envelope(coupons={"redeemable": redeemable}))


def coupons_used_on(number: str) -> Response:
    used = [{"code": "save10", "transaction_number": number}]
    entry = {"redemptions": {"coupons": {"coupon": used}}, "item_status": item_status(1000)}
    return answer(envelope(customer=entry))


def test_coupons_are_checked_before_the_bill_and_redeemed_after_it(codec):
    op = sale(voucher_codes=("SAVE10", "FIVE"))
    check = codec.encode(op)
    assert (check.method, check.path) == ("GET", "/v1.1/coupon/isredeemable")
    assert check.params["code"] == "SAVE10,FIVE"
    step = codec.decode(op, coupon_check(("SAVE10", 700), ("FIVE", 700)))
    assert step == Next(_Bill(op))
    assert codec.encode(step.op).path == "/v1.1/transaction/add"
    step = codec.decode(step.op, answer(bill()))
    request = codec.encode(step.op)
    assert (request.method, request.path) == ("POST", "/v1.1/coupon/redeem")
    assert request.json["root"]["coupon"] == {
        "code": "SAVE10",
        "customer": {"external_id": "alice-1"},
        "transaction": {"number": "O1", "amount": "40.00"},
    }
    second = codec.decode(step.op, answer(coupon_answer(700)))
    assert codec.encode(second.op).json["root"]["coupon"]["code"] == "FIVE"
    assert codec.decode(second.op, answer(coupon_answer(700))) == ops.SaleResult("O1", 0, 0, False)


def test_a_used_coupon_fails_the_sale_before_any_bill_unless_this_bill_used_it(codec):
    op = sale(voucher_codes=("SAVE10",))
    check = codec.decode(op, coupon_check(("SAVE10", 711)))
    assert check == Next(_UsedOnBill(op, ("SAVE10",), Next(_Bill(op))))
    request = codec.encode(check.op)
    assert request.path == "/v1.1/customer/redemptions" and request.params["type"] == "COUPONS"
    assert codec.decode(check.op, coupons_used_on("O1")) == Next(_Bill(op))  # a retry
    fails("voucher_used", lambda: codec.decode(check.op, coupons_used_on("OTHER")))
    fails("voucher_expired", lambda: codec.decode(op, coupon_check(("SAVE10", 713))))
    fails("voucher_invalid", lambda: codec.decode(op, coupon_check(("SAVE10", 702))))


def test_a_coupon_raced_away_after_the_bill_is_checked_against_the_bill(codec):
    op = sale(voucher_codes=("SAVE10",))
    step = codec.decode(_Bill(op), answer(bill()))
    check = codec.decode(step.op, answer(coupon_answer(711)))
    done = ops.SaleResult("O1", 0, 0, False)
    assert check == Next(_UsedOnBill(op, ("SAVE10",), done))
    assert codec.decode(check.op, coupons_used_on("O1")) == done
    fails("voucher_used", lambda: codec.decode(check.op, coupons_used_on("OTHER")))


# -- returns -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"return_type": "FULL", "amount": "90.00"}),
        ({"amount": 3000, "money": 3000}, {"return_type": "AMOUNT", "amount": "30.00"}),
        ({"refunded_before": 3000, "money": 6000}, {"return_type": "AMOUNT", "amount": "60.00"}),
    ],
)
def test_refund_is_a_return_bill_on_the_original_number(codec, fields, expected):
    request = codec.encode(refund(**fields))
    tx = request.json["root"]["transaction"]
    assert (request.method, request.path) == ("POST", "/v1.1/transaction/add")
    assert tx["type"] == "RETURN" and tx["number"] == "O1" and tx["parent_bill_number"] == "O1-R1"
    assert {k: tx[k] for k in expected} == expected


def test_line_refund_names_the_lines(codec):
    op = refund(lines=(("SKU-A", 1),), money=3000, lines_detail=(ops.SaleLine("SKU-A", 2, 3000),))
    tx = codec.encode(op).json["root"]["transaction"]
    assert tx["return_type"] == "LINE_ITEM"
    assert tx["line_items"]["line_item"] == [
        {"item_code": "SKU-A", "qty": "1", "rate": "30.00", "amount": "30.00"}
    ]


@pytest.mark.parametrize(
    ("before", "money", "expected"),
    [
        (0, 9000, (0, 1000)),
        (0, 4500, (0, 500)),
        (4500, 4500, (500, 1000)),
        (0, 3000, (0, 333)),
        (3000, 6000, (333, 1000)),
    ],
)
def test_restore_target_uses_cumulative_floors(before, money, expected):
    assert restore_target(refund(refunded_before=before, money=money)) == expected


def redemptions(*points: dict[str, Any]) -> dict[str, Any]:
    return envelope(
        customer={
            "redemptions": {"points": {"point": list(points)}},
            "item_status": item_status(1000),
        }
    )


def test_refund_restores_redeemed_points_through_v2_reverse(codec):
    op = refund(amount=4500, money=4500)
    step = codec.decode(op, answer(bill(points_deducted=45)))
    assert step == Next(_FindRedemptions(op, 45))
    request = codec.encode(step.op)
    assert request.path == "/v1.1/customer/redemptions" and request.params["type"] == "POINTS"
    ours = {"redemption_id": "r0njPT", "points_redeemed": 1000, "transaction_number": "O1"}
    other = {"redemption_id": "X", "points_redeemed": 5, "transaction_number": "O9"}
    reverse = codec.decode(step.op, answer(redemptions(other, {**ours, "reversals": []})))
    assert reverse == Next(_Reverse(op, 45, (("r0njPT", 500, 0),)))
    request = codec.encode(reverse.op)
    assert (request.method, request.path) == ("POST", "/v2/points/reverse")
    assert request.json == {
        "redemptionId": "r0njPT",
        "pointsToBeReversed": 500,
        "identifier": {"type": "externalId", "value": "alice-1"},
    }
    done = answer({"redemptionId": "r0njPT", "pointsReversed": 500.0, "warnings": []})
    assert codec.decode(reverse.op, done) == ops.RefundResult("O1-R1", 4500, 45, 500)
    # a retried refund finds the reversal done and gives nothing back twice
    reversed_ = {**ours, "reversals": [{"points_reversed": 500}]}
    assert codec.decode(step.op, answer(redemptions(reversed_))) == ops.RefundResult(
        "O1-R1", 4500, 45, 0
    )


def test_refund_without_redeemed_points_needs_no_reverse(codec):
    op = refund(points_redeemed=0)
    assert codec.decode(op, answer(bill(points_deducted="90"))) == ops.RefundResult(
        "O1-R1", 9000, 90, 0
    )


def test_a_bill_without_its_redemption_is_a_conflict(codec):
    fails("conflict", lambda: codec.decode(_FindRedemptions(refund(), 90), answer(redemptions())))


def test_a_reverse_whose_answer_was_lost_is_checked_before_it_is_sent_again(codec):
    op = _Reverse(refund(), 90, (("r0njPT", 1000, 0),))
    assert codec.encode(op).method == "POST"
    check = codec.encode(op)  # the gateway re-sends the same step after a timeout
    assert (check.method, check.path) == ("GET", "/v1.1/customer/redemptions")
    entry = {"redemption_id": "r0njPT", "points_redeemed": 1000, "transaction_number": "O1"}
    happened = {**entry, "reversals": [{"points_reversed": 1000}]}
    result = codec.decode(op, answer(redemptions(happened)))
    assert result == ops.RefundResult("O1-R1", 9000, 90, 1000)
    lost = codec.decode(op, answer(redemptions({**entry, "reversals": []})))
    assert lost == Next(_Reverse(refund(), 90, (("r0njPT", 1000, 0),), attempt=1))
    assert codec.encode(lost.op).method == "POST"


@pytest.mark.parametrize(
    ("code", "neutral"),
    [
        (3801, "refund_exceeds"),
        (3803, "order_not_found"),
        (8015, "member_not_found"),
        (887, "invalid_request"),
        (898, "server_error"),
    ],
)
def test_reverse_errors(codec, code, neutral):
    op = _Reverse(refund(), 90, (("r0njPT", 1000, 0),))
    body = {"warnings": [], "errors": [{"status": False, "code": code, "message": "m"}]}
    fails(neutral, lambda: codec.decode(op, answer(body)))


@pytest.mark.parametrize(
    ("code", "neutral"),
    [
        (630, "refund_exceeds"),
        (633, "refund_exceeds"),
        (625, "order_not_found"),
        (639, "invalid_request"),
        (611, "member_not_found"),
    ],
)
def test_return_errors(codec, code, neutral):
    fails(neutral, lambda: codec.decode(refund(), answer(bill(code))))


def test_a_604_on_a_return_is_read_back_by_its_receipt(codec):
    op = refund(amount=3000, money=3000)
    step = codec.decode(op, answer(bill(604)))
    assert step == Next(_ReadReturn(op))
    row = {"type": "RETURN", "parent_bill_number": "O1-R1", "amount": "30"}
    row["points"] = {"returned": "30"}
    assert codec.decode(step.op, answer(transactions(row))) == Next(_FindRedemptions(op, 30))
    fails("conflict", lambda: codec.decode(step.op, answer(transactions({**row, "amount": "9"}))))


# -- vouchers ------------------------------------------------------------------------------
def test_validate_voucher_is_coupon_isredeemable(codec):
    op = ops.UseVoucher("alice-1", "SAVE10", burn=False)
    request = codec.encode(op)
    assert (request.method, request.path) == ("GET", "/v1.1/coupon/isredeemable")
    assert request.params["code"] == "SAVE10" and request.params["details"] == "true"
    info = {"discount_type": "ABS", "discount_value": "10"}
    item = {"code": "SAVE10", "is_redeemable": "true", "series_info": info}
    item["item_status"] = item_status(700)
    assert codec.decode(op, answer(envelope(coupons={"redeemable": item}))) == ops.VoucherInfo(
        "SAVE10", valid=True, discount_kind="fixed", discount_value=1000
    )
    used = {**item, "is_redeemable": "false", "item_status": item_status(711, False)}
    fails("voucher_used", lambda: codec.decode(op, answer(envelope(coupons={"redeemable": used}))))


def test_burn_voucher_and_list_vouchers(codec):
    burn = ops.UseVoucher("alice-1", "SAVE10", order_id="O1")
    assert codec.encode(burn).json["root"]["coupon"]["transaction"] == {"number": "O1"}
    assert codec.decode(burn, answer(coupon_answer(700))).used is True
    fails("voucher_invalid", lambda: codec.decode(burn, answer(coupon_answer(702))))
    listed = ops.ListVouchers("alice-1")
    assert codec.encode(listed).path == "/v1.1/customer/coupons"
    coupons = [{"code": "A", "redemption_count": 0}, {"code": "B", "redemption_count": 1}]
    entry = {"coupons": {"coupon": coupons}, "item_status": item_status(1000)}
    assert codec.decode(listed, answer(envelope(customers={"customer": [entry]}))) == [
        ops.VoucherInfo("A", valid=True, used=False),
        ops.VoucherInfo("B", valid=False, used=True),
    ]


def test_custom_events_are_not_supported(codec):
    fails("not_supported", lambda: codec.encode(ops.TrackEvent("alice-1", "x")))


# -- request-level failures ----------------------------------------------------------------
def test_http_429_is_rate_limited_with_retry_after(codec):
    body = {"response": {"status": {"success": "false", "code": 517, "message": "slow down"}}}
    error = fails(
        "rate_limited",
        lambda: codec.decode(ops.Identify("a"), answer(body, 429, **{"retry-after": "2"})),
    )
    assert error.retry_after == 2.0 and error.vendor_code == 517
    no_header = fails("rate_limited", lambda: codec.decode(ops.Identify("a"), answer(body, 429)))
    assert no_header.retry_after is None


@pytest.mark.parametrize(
    ("status", "neutral"),
    [
        (401, "unauthorized"),
        (400, "invalid_request"),
        (404, "not_supported"),
        (503, "server_error"),
    ],
)
def test_http_failures(codec, status, neutral):
    body = {"response": {"status": {"success": "false", "code": status, "message": "m"}}}
    fails(neutral, lambda: codec.decode(ops.GetBalance("a"), answer(body, status)))


def test_an_item_517_is_rate_limited_and_junk_is_a_server_error(codec):
    fails("rate_limited", lambda: codec.decode(sale(), answer(bill(517))))
    fails("server_error", lambda: codec.decode(ops.GetBalance("a"), answer(["not", "intouch"])))
    fails("server_error", lambda: codec.decode(ops.GetBalance("a"), Response(200, {}, b"<xml/>")))
