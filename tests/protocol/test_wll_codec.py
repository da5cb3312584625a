"""The WLL codec on its own: requests it builds, answers it decodes, errors it maps (no server)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.protocol import codec_for, ops
from simulator.protocol.base import LoyaltyError, Next, Request, Response
from simulator.protocol.wll import WLLCodec, refund_plan, subject
from simulator.steps.pytest_plugin import CAPABILITIES

CREDS = {"apiKey": "wll_key", "clientId": "cid", "clientSecret": "csecret"}
USER_ID = "5b1f0c1e-7a52-4b8e-9a57-3f1f3f0c9d11"


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    return Response(status, headers or {}, raw)


def ok(data: Any, status: int = 200) -> Response:
    return answer(status, {"status": "success", "data": data})


def fail(status: int, message: str, data: dict | None = None, **headers: str) -> Response:
    return answer(status, {"status": "fail", "message": message, "data": data}, headers)


def user(auth: str | None = "alice", **fields: Any) -> dict[str, Any]:
    return {
        "id": USER_ID,
        "accountNumber": "1007919",
        "authIdentifier": auth,
        "email": "alice@example.com",
        "telephone": "+201000000001",
        "active": True,
        **fields,
    }


def wallet(points: int, vouchers: list | None = None) -> Response:
    return ok({"points": points, "lifetimePoints": max(points, 0), "vouchers": vouchers or []})


def drive(codec: WLLCodec, op: Any, *answers: Response) -> tuple[Any, list[Request]]:
    """What the gateway does: encode, send (here: the next answer), decode, follow Next."""
    pending, sent = list(answers), []
    while True:
        sent.append(codec.encode(op))
        out = codec.decode(op, pending.pop(0))
        if isinstance(out, Next):
            op = out.op
            continue
        assert pending == [], f"{len(pending)} answers left over"
        return out, sent


def failing(codec: WLLCodec, op: Any, *answers: Response) -> tuple[LoyaltyError, list[Request]]:
    sent: list[Request] = []
    pending = list(answers)
    with pytest.raises(LoyaltyError) as caught:
        while True:
            sent.append(codec.encode(op))
            out = codec.decode(op, pending.pop(0))
            assert isinstance(out, Next), f"expected a failure, got {out!r}"
            op = out.op
    assert pending == []
    return caught.value, sent


@pytest.fixture
def codec() -> WLLCodec:
    c = WLLCodec(CREDS)
    c.token = "tok"  # as after the first call; the token flow has tests of its own
    return c


def event_of(request: Request) -> dict[str, Any]:
    assert (request.method, request.path) == ("POST", "/v1/events")
    return request.json


# -- the class -----------------------------------------------------------------------------
def test_class_facts():
    assert WLLCodec.dialect == "wll"
    assert isinstance(codec_for("wll", CREDS), WLLCodec)
    import re

    assert re.search(WLLCodec.sale_route, "/v1/events")
    assert not re.search(WLLCodec.sale_route, "/v1/commands/validate_voucher")
    assert set(WLLCodec.not_applicable) <= set(CAPABILITIES)
    # what WLL can express is never N/A: immediate deduction serves the hold scenarios
    assert {"holds", "voucher_validate", "voucher_list"}.isdisjoint(WLLCodec.not_applicable)
    assert {"hold_expiry", "pending", "referrals", "identify_by_card"} <= set(
        WLLCodec.not_applicable
    )


def test_subjects_name_the_user_by_the_kind_of_id():
    assert subject(USER_ID) == {"id": USER_ID}
    assert subject("1007919") == {"accountNumber": "1007919"}
    assert subject("alice-123456") == {"authIdentifier": "alice-123456"}


# -- auth ----------------------------------------------------------------------------------
def test_first_call_fetches_an_admin_token_then_sends_the_operation():
    codec = WLLCodec(CREDS)
    op = ops.GetBalance("alice")
    first = codec.encode(op)
    assert (first.method, first.path) == ("POST", "/v1/oauth/token")
    assert first.headers["X-Api-Key"] == "wll_key" and "Authorization" not in first.headers
    assert first.json == {
        "client_id": "cid",
        "client_secret": "csecret",
        "audience": "wlloyalty.net",
        "grant_type": "client_credentials",
    }
    token = {"access_token": "T1", "token_type": "Bearer", "expires_in": 86400}
    assert codec.decode(op, answer(200, token)) == Next(op)
    second = codec.encode(op)
    assert (second.method, second.path) == ("GET", "/v1/users/alice/wallet")
    assert second.headers == {
        "X-Api-Key": "wll_key",
        "Accept": "application/json",
        "Authorization": "Bearer T1",
    }
    assert codec.decode(op, wallet(5)) == ops.Balance(available=5, balance=5)
    assert codec.encode(op).headers["Authorization"] == "Bearer T1"  # cached, not re-minted


def test_token_failures_are_neutral_and_the_next_call_asks_again():
    codec = WLLCodec(CREDS)
    op = ops.GetBalance("alice")
    codec.encode(op)
    denied = {"status": "fail", "message": "Unauthorized", "error": "access_denied"}
    with pytest.raises(LoyaltyError) as caught:
        codec.decode(op, answer(401, denied))
    assert caught.value.code == "unauthorized" and caught.value.vendor_code == "access_denied"
    assert codec.encode(op).path == "/v1/oauth/token"
    with pytest.raises(LoyaltyError) as caught:
        codec.decode(op, fail(429, "Too Many Requests", **{"retry-after": "2"}))
    assert caught.value.code == "rate_limited" and caught.value.retry_after == 2.0
    assert codec.encode(op).path == "/v1/oauth/token"
    with pytest.raises(LoyaltyError) as caught:
        codec.decode(op, answer(200, {"token_type": "Bearer"}))
    assert caught.value.code == "server_error"


def test_an_expired_token_is_replaced_once(codec: WLLCodec):
    op = ops.GetBalance("alice")
    expired = fail(401, "Token expired", {"reason": "token expired"})
    result, sent = drive(codec, op, expired, answer(200, {"access_token": "T2"}), wallet(7))
    assert result.available == 7
    assert [r.path for r in sent] == [
        "/v1/users/alice/wallet",
        "/v1/oauth/token",
        "/v1/users/alice/wallet",
    ]
    assert sent[-1].headers["Authorization"] == "Bearer T2"
    error, _ = failing(codec, op, expired, answer(200, {"access_token": "T3"}), expired)
    assert error.code == "unauthorized"


def test_credentials_may_carry_a_token_and_a_token_url():
    codec = WLLCodec({**CREDS, "accessToken": "given", "tokenUrl": "https://auth.x/oauth/token"})
    assert codec.encode(ops.GetBalance("a")).headers["Authorization"] == "Bearer given"
    codec.token = None
    assert codec.encode(ops.GetBalance("a")).path == "https://auth.x/oauth/token"


# -- members -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ref", "kind", "path"),
    [
        ("alice", "member_id", "/v1/users/alice"),
        ("+201000000001", "mobile", "/v1/users/%2B201000000001"),
        ("alice@example.com", "email", "/v1/users/alice%40example.com"),
        ("auth0|a/b", "member_id", "/v1/users/auth0%7Ca%2Fb"),
    ],
)
def test_identify_reads_the_user(codec: WLLCodec, ref: str, kind: str, path: str):
    member, sent = drive(codec, ops.Identify(ref, kind), ok(user()))
    assert [(r.method, r.path) for r in sent] == [("GET", path)]
    assert member == ops.MemberInfo(
        member_id="alice", mobile="+201000000001", email="alice@example.com", active=True
    )


def test_identify_falls_back_to_the_wll_id_and_reads_nested_profiles(codec: WLLCodec):
    data = user(None, email="UNKNOWN", telephone=None, active=False)
    data["profile"] = {"telephone": "+20111"}
    member, _ = drive(codec, ops.Identify(USER_ID), ok(data))
    assert member == ops.MemberInfo(USER_ID, mobile="+20111", email=None, active=False)


def test_identify_unknown_and_by_card(codec: WLLCodec):
    error, _ = failing(codec, ops.Identify("+2010999", "mobile"), fail(404, "User not found"))
    assert error.code == "member_not_found" and error.status == 404
    with pytest.raises(LoyaltyError) as caught:
        codec.encode(ops.Identify("4000000000000001", "card_number"))
    assert caught.value.code == "not_supported"


def test_enroll_registers_the_pos_member_id(codec: WLLCodec):
    op = ops.Enroll("carol-1", mobile="+2010", email="c@example.com", first_name="Carol")
    member, sent = drive(codec, op, ok(user("carol-1"), 201))
    assert (sent[0].method, sent[0].path) == ("POST", "/v1/users")
    assert sent[0].json == {
        "email": "c@example.com",
        "givenName": "Carol",
        "telephone": "+2010",
        "authIdentifier": "carol-1",
        "externalIdentifier": "carol-1",
    }
    assert member.member_id == "carol-1" and member.created
    anonymous = codec.encode(ops.Enroll("dan-1")).json
    assert anonymous == {
        "email": "UNKNOWN",
        "authIdentifier": "dan-1",
        "externalIdentifier": "dan-1",
    }
    exists = fail(409, "A user with this authIdentifier already exists")
    assert failing(codec, op, exists)[0].code == "member_exists"


def test_balance_may_be_negative_on_wll(codec: WLLCodec):
    balance, sent = drive(codec, ops.GetBalance("1007919"), wallet(-20))
    assert sent[0].path == "/v1/users/1007919/wallet"
    assert balance == ops.Balance(available=-20, balance=-20)


# -- points --------------------------------------------------------------------------------
def test_reserve_checks_the_wallet_then_deducts_at_once(codec: WLLCodec):
    op = ops.ReservePoints("alice", 600, "CHK-1")
    settings = ok({"name": "pointsCurrencyValue", "value": "0.01"})
    event = ok({"id": "CHK-1:points", "type": "REDEEMED_POINTS"})
    reservation, sent = drive(codec, op, wallet(1000), settings, event, wallet(400))
    assert [(r.method, r.path) for r in sent] == [
        ("GET", "/v1/users/alice/wallet"),
        ("GET", "/v1/settings/pointsCurrencyValue"),
        ("POST", "/v1/events"),
        ("GET", "/v1/users/alice/wallet"),
    ]
    assert event_of(sent[2]) == {
        "type": "REDEEMED_POINTS",
        "subject": {"authIdentifier": "alice"},
        "payload": {"points": 600, "transactionId": "CHK-1"},
        "id": "CHK-1:points",
    }
    assert reservation == ops.Reservation("CHK-1:points", 600, money_value=600, committed=True)
    # the settings are read once per codec
    again, sent = drive(
        codec, ops.ReservePoints("alice", 50, "CHK-2"), wallet(400), event, wallet(350)
    )
    assert len(sent) == 3 and again.money_value == 50


def test_reserve_without_settings_leaves_the_value_to_the_till(codec: WLLCodec):
    op = ops.ReservePoints("alice", 10, "CHK-1")
    answers = (wallet(10), fail(404, "Not Found"), ok({}), wallet(0))
    reservation, sent = drive(codec, op, *answers)
    assert reservation.money_value == 0 and reservation.committed  # the till's rate applies
    assert len(drive(codec, op, wallet(10), ok({}), wallet(0))[1]) == 3  # not asked again
    other = WLLCodec(CREDS)
    other.token = "tok"
    reservation, _ = drive(other, op, wallet(10), ok({"currency": "EGP"}), ok({}), wallet(0))
    assert reservation.money_value == 0
    error, _ = failing(other, op, wallet(10), fail(429, "Too Many Requests"))
    assert error.code == "rate_limited"


def test_reserve_refuses_to_overdraw_without_deducting(codec: WLLCodec):
    error, sent = failing(codec, ops.ReservePoints("alice", 500, "CHK-1"), wallet(300))
    assert error.code == "insufficient_points" and len(sent) == 1


def test_reserve_gives_points_back_when_another_till_spent_them_meanwhile(codec: WLLCodec):
    codec._point_value_read = True
    op = ops.ReservePoints("alice", 700, "CHK-1")
    error, sent = failing(codec, op, wallet(1000), ok({}), wallet(-400), ok({}))
    assert error.code == "insufficient_points"
    undo = event_of(sent[-1])
    assert undo["type"] == "POINTS_REFUND" and undo["id"] == "CHK-1:points:undo"
    assert undo["payload"]["points"] == 700


def test_release_restores_the_deducted_points(codec: WLLCodec):
    reservation = ops.Reservation("CHK-1:points", 600, committed=True)
    result, sent = drive(codec, ops.ReleasePoints("alice", reservation), ok({}))
    assert result is None
    body = event_of(sent[0])
    assert body["type"] == "POINTS_REFUND" and body["id"] == "CHK-1:points:release"
    assert body["payload"]["points"] == 600 and body["subject"] == {"authIdentifier": "alice"}


def test_earn_points_is_a_transaction_worth_the_points(codec: WLLCodec):
    result, sent = drive(codec, ops.EarnPoints("alice", 250, "seed-alice"), ok({}))
    body = event_of(sent[0])
    assert body["type"] == "TRANSACTION" and body["id"] == "seed-alice"
    assert body["payload"] == {"amount": 250.0, "transactionId": "seed-alice"}
    assert result == ops.SaleResult("seed-alice", points_earned=250)


# -- sales ---------------------------------------------------------------------------------
def _sale(**fields: Any) -> ops.SubmitSale:
    base = dict(
        member_id="alice",
        order_id="ORD-1",
        lines=(ops.SaleLine("SKU-A", 2, 3000, "Tea"),),
        total=6000,
        paid=5999,
        store_id="downtown",
    )
    return ops.SubmitSale(**{**base, **fields})


def test_a_sale_is_a_transaction_event_with_the_order_id(codec: WLLCodec):
    result, sent = drive(codec, _sale(), ok({"id": "ORD-1"}))
    body = event_of(sent[0])
    assert body["id"] == "ORD-1" and body["type"] == "TRANSACTION"
    assert body["payload"] == {
        "amount": 59.99,
        "transactionId": "ORD-1",
        "total": 60.0,
        "discount": 0.01,
        "basket": [{"sku": "SKU-A", "quantity": 2, "price": 30.0, "name": "Tea"}],
        "branchId": "downtown",
    }
    assert result == ops.SaleResult("ORD-1", points_earned=59)  # floor, as the reactor does
    assert codec.encode(_sale()).json == sent[0].json  # a retry sends exactly the same


def test_a_sale_burns_its_vouchers_first_and_reports_redeemed_points(codec: WLLCodec):
    reservation = ops.Reservation("ORD-1:points", 1000, committed=True)
    sale = _sale(voucher_codes=("SAVE10", "ONCE"), reservation=reservation, paid=4000)
    result, sent = drive(codec, sale, ok({}), ok({}), ok({}))
    assert [r.path for r in sent] == [
        "/v1/commands/validate_voucher",
        "/v1/commands/validate_voucher",
        "/v1/events",
    ]
    assert sent[0].json == {"code": "SAVE10", "allowFutureValidation": False}
    assert sent[1].json["code"] == "ONCE"
    payload = event_of(sent[2])["payload"]
    assert payload["pointsRedeemed"] == 1000 and payload["vouchers"] == ["SAVE10", "ONCE"]
    assert result == ops.SaleResult("ORD-1", points_earned=40, points_redeemed=1000)


def test_sale_failures(codec: WLLCodec):
    conflict = fail(409, "An event with this id exists with different content")
    assert failing(codec, _sale(), conflict)[0].code == "duplicate_order"
    used = fail(400, "Voucher has already been used")
    error, sent = failing(codec, _sale(voucher_codes=("ONCE",)), used)
    assert error.code == "voucher_used" and len(sent) == 1  # nothing reported
    missing = fail(404, "Voucher not found")
    assert failing(codec, _sale(voucher_codes=("NOPE",)), missing)[0].code == "voucher_invalid"


def test_a_burn_whose_answer_was_lost_is_not_taken_for_someone_elses(codec: WLLCodec):
    sale = _sale(voucher_codes=("ONCE",))
    first = codec.encode(sale)  # sent; the answer never came (the gateway retries)
    assert codec.encode(sale) == first
    out = codec.decode(sale, fail(400, "Voucher has already been used"))
    assert isinstance(out, Next)  # our own burn: go on to the TRANSACTION
    assert codec.encode(out.op).path == "/v1/events"
    # a fresh attempt that is refused is someone else's burn
    error, _ = failing(
        codec,
        _sale(order_id="ORD-2", voucher_codes=("ONCE",)),
        fail(400, "Voucher has already been used"),
    )
    assert error.code == "voucher_used"


def test_a_burn_refused_for_an_old_token_is_not_taken_for_a_lost_one(codec: WLLCodec):
    sale = _sale(voucher_codes=("ONCE",))
    used = fail(400, "Voucher has already been used")
    expired = fail(401, "Token expired")
    error, sent = failing(codec, sale, expired, answer(200, {"access_token": "T2"}), used)
    assert error.code == "voucher_used" and [r.path for r in sent][1] == "/v1/oauth/token"


def test_a_later_expiry_is_replaced_again_after_other_answers(codec: WLLCodec):
    op = ops.GetBalance("alice")
    token = answer(200, {"access_token": "T2"})
    expired = fail(401, "Token expired")
    failing(codec, op, expired, token, fail(404, "User not found"))
    assert drive(codec, op, expired, token, wallet(3))[0].available == 3


def test_a_rate_limited_burn_retried_is_still_judged_on_its_answer(codec: WLLCodec):
    sale = _sale(voucher_codes=("ONCE",))
    codec.encode(sale)
    with pytest.raises(LoyaltyError):
        codec.decode(sale, fail(429, "Too Many Requests", **{"Retry-After": "1"}))
    codec.encode(sale)
    with pytest.raises(LoyaltyError) as caught:
        codec.decode(sale, fail(400, "Voucher has already been used"))
    assert caught.value.code == "voucher_used"


# -- refunds -------------------------------------------------------------------------------
def _refund(**fields: Any) -> ops.RefundSale:
    base = dict(
        member_id="alice",
        order_id="ORD-1",
        refund_id="R1",
        sale_total=10000,
        sale_paid=9000,
        points_earned=90,
        points_redeemed=1000,
    )
    return ops.RefundSale(**{**base, **fields})


@pytest.mark.parametrize(
    ("before", "money", "revoke", "restore"),
    [
        (0, 9000, 90, 1000),
        (0, 4500, 45, 500),
        (4500, 4500, 45, 500),
        (0, 3000, 30, 333),
        (3000, 6000, 60, 667),
    ],
)
def test_refund_plans_use_cumulative_floors(before, money, revoke, restore):
    plan = refund_plan(_refund(refunded_before=before, money=money, amount=money))
    assert (plan.money, plan.revoke, plan.restore) == (money, revoke, restore)


def test_refund_sends_a_revoke_and_a_restore_with_ids_from_the_refund(codec: WLLCodec):
    op = _refund(amount=3000, money=3000)
    result, sent = drive(codec, op, ok({}), ok({}))
    revoke, restore = event_of(sent[0]), event_of(sent[1])
    assert (revoke["type"], revoke["payload"]["points"]) == ("REDEEMED_POINTS", 30)
    assert (restore["type"], restore["payload"]["points"]) == ("POINTS_REFUND", 333)
    assert revoke["id"] == "ORD-1:refund:R1:revoke" and restore["id"] == "ORD-1:refund:R1:restore"
    assert revoke["payload"]["refundId"] == "R1"
    assert result == ops.RefundResult("R1", 3000, points_revoked=30, points_restored=333)
    assert [codec.encode(op).json for _ in range(2)] == [sent[0].json] * 2  # a retry replays


def test_refund_of_the_rest_and_refunds_that_move_fewer_points(codec: WLLCodec):
    rest = _refund(refunded_before=3000, money=6000)
    assert drive(codec, rest, ok({}), ok({}))[0].points_restored == 667
    earned_only = _refund(points_redeemed=0, money=1000, amount=1000)
    result, sent = drive(codec, earned_only, ok({}))
    assert len(sent) == 1 and result.points_revoked == 10 and result.points_restored == 0
    nothing = _refund(points_earned=0, points_redeemed=0, money=1000, amount=1000)
    result, sent = drive(codec, nothing, wallet(0))
    assert sent[0].path == "/v1/users/alice/wallet" and result.points_revoked == 0


def test_a_refund_above_what_is_left_is_refused_before_anything_is_sent(codec: WLLCodec):
    for op in (
        _refund(amount=9500, money=9500),
        _refund(refunded_before=9000, money=0),
        _refund(refunded_before=4500, amount=5000, money=5000),
    ):
        with pytest.raises(LoyaltyError) as caught:
            codec.encode(op)
        assert caught.value.code == "refund_exceeds"
    with pytest.raises(LoyaltyError) as caught:
        codec.encode(_refund(amount=0, money=0))
    assert caught.value.code == "invalid_request"


def test_a_sale_paid_wholly_with_points_restores_them_on_a_full_refund(codec: WLLCodec):
    op = _refund(sale_paid=0, points_earned=0, money=0)
    result, sent = drive(codec, op, ok({}))
    assert event_of(sent[0])["payload"]["points"] == 1000 and result.points_restored == 1000
    with pytest.raises(LoyaltyError):
        codec.encode(_refund(sale_paid=0, amount=100, money=100))


# -- vouchers ------------------------------------------------------------------------------
def benefit(code: str | None = "SAVE10", owner: str = "alice", **fields: Any) -> dict:
    data = {
        "id": "b-1",
        "burnedAt": None,
        "owner": {"id": USER_ID, "accountNumber": "1007919", "authIdentifier": owner},
        "code": {"value": code} if code else None,
        "reward": {"discounts": [{"type": "ABSOLUTE", "value": "1000"}]},
        **fields,
    }
    return data


def test_validate_only_asks_for_future_validation(codec: WLLCodec):
    op = ops.UseVoucher("alice", "SAVE10", burn=False)
    info, sent = drive(
        codec, op, ok({**benefit(), "discounts": [{"type": "PERCENTAGE", "value": "15"}]})
    )
    assert sent[0].path == "/v1/commands/validate_voucher"
    assert sent[0].json == {"code": "SAVE10", "allowFutureValidation": True}
    assert info == ops.VoucherInfo("SAVE10", True, "percent", 15, used=False)
    burnt, sent = drive(codec, ops.UseVoucher("alice", "SAVE10"), ok(benefit(burnedAt="t")))
    assert sent[0].json["allowFutureValidation"] is False
    assert burnt == ops.VoucherInfo("SAVE10", True, "fixed", 1000, used=True)


def test_validate_refuses_another_members_voucher(codec: WLLCodec):
    op = ops.UseVoucher("bob", "SAVE10", burn=False)
    assert failing(codec, op, ok(benefit()))[0].code == "voucher_invalid"
    by_account = ops.UseVoucher("1007919", "SAVE10", burn=False)
    assert drive(codec, by_account, ok(benefit()))[0].valid


@pytest.mark.parametrize(
    ("status", "message", "code"),
    [
        (400, "Voucher has already been used", "voucher_used"),
        (400, "Voucher is in use", "voucher_used"),
        (400, "Benefit has expired", "voucher_expired"),
        (400, "Voucher has expired", "voucher_expired"),
        (400, "Benefit is not redeemed", "voucher_invalid"),
        (400, "Voucher is no longer valid", "voucher_invalid"),
        (403, "Voucher belongs to another user", "voucher_invalid"),
        (404, "Voucher not found", "voucher_invalid"),
        (404, "Not Found", "voucher_invalid"),
    ],
)
def test_voucher_errors(codec: WLLCodec, status: int, message: str, code: str):
    assert failing(codec, ops.UseVoucher("alice", "X"), fail(status, message))[0].code == code


def test_list_vouchers_reads_the_wallet(codec: WLLCodec):
    vouchers = [benefit(), benefit(None, id="b-2"), benefit("OLD", burnedAt="2026-01-01")]
    listed, sent = drive(codec, ops.ListVouchers("alice"), wallet(0, vouchers))
    assert sent[0].path == "/v1/users/alice/wallet"
    assert listed == [
        ops.VoucherInfo("SAVE10", True, "fixed", 1000),
        ops.VoucherInfo("b-2", False, "fixed", 1000),  # not redeemed yet: no code to type
        ops.VoucherInfo("OLD", True, "fixed", 1000, used=True),
    ]


def test_track_event_reports_a_custom_event_without_an_id(codec: WLLCodec):
    op = ops.TrackEvent("alice", "VISITED_SHOP", {"shop": "downtown"})
    result, sent = drive(codec, op, ok({}))
    assert result is None
    assert event_of(sent[0]) == {
        "type": "VISITED_SHOP",
        "subject": {"authIdentifier": "alice"},
        "payload": {"shop": "downtown"},
    }


# -- error mapping -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "response", "code"),
    [
        (ops.GetBalance("a"), fail(429, "Too Many Requests"), "rate_limited"),
        (ops.GetBalance("a"), answer(503, {"status": "error", "message": "x"}), "server_error"),
        (ops.GetBalance("a"), answer(500, None), "server_error"),
        (ops.GetBalance("a"), answer(502, b"<html>"), "server_error"),
        (ops.GetBalance("a"), fail(403, "User account is not active"), "member_inactive"),
        (ops.GetBalance("a"), fail(403, "Forbidden: missing or invalid API key"), "unauthorized"),
        (ops.GetBalance("a"), fail(404, "User not found"), "member_not_found"),
        (ops.GetBalance("a"), fail(404, "Not Found"), "not_supported"),
        (ops.EarnPoints("a", 1, "o"), fail(400, "Malformed JSON body"), "invalid_request"),
        (ops.EarnPoints("a", 1, "o"), fail(409, "exists"), "duplicate_order"),
        (ops.TrackEvent("a", "X"), fail(409, "exists"), "conflict"),
        (ops.TrackEvent("a", "X"), fail(400, "Unknown event type X"), "invalid_request"),
        (ops.GetBalance("a"), fail(404, "x", {"code": "member_not_found"}), "member_not_found"),
        (ops.GetBalance("a"), fail(403, "x", {"code": "member_blocked"}), "member_inactive"),
        (ops.UseVoucher("a", "C"), fail(400, "x", {"code": "voucher_voided"}), "voucher_invalid"),
    ],
)
def test_error_mapping(codec: WLLCodec, op: Any, response: Response, code: str):
    error = failing(codec, op, response)[0]
    assert error.code == code and error.status == response.status


def test_retry_after_is_read_whatever_the_header_case(codec: WLLCodec):
    for name in ("Retry-After", "retry-after"):
        error = failing(codec, ops.GetBalance("a"), fail(429, "x", **{name: "3"}))[0]
        assert error.retry_after == 3.0
    assert failing(codec, ops.GetBalance("a"), fail(429, "x"))[0].retry_after is None


def test_the_codec_does_no_io():
    import simulator.protocol.wll as module

    names = set(vars(module))
    assert not names & {"httpx", "socket", "requests", "asyncio", "time"}
