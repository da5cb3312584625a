"""WLL rewards, purchases, benefits and the voucher commands (redeem, validate, burn)."""

from __future__ import annotations

from tests.support.wll import Wll, make_fixture

wll = make_fixture()


def _rich_user(wll: Wll, auth_id: str = "auth0|ann", points: int = 500) -> dict:
    user = wll.create_user(auth_id)
    wll.earn(user, points)
    return user


def test_catalogue_lists_rewards_and_offers_with_discounts(wll: Wll):
    wll.create_reward(name="Coffee")
    offer = wll.create_reward(
        name="Staff 10%",
        type="GENERIC_OFFER",
        price=0,
        priority=5,
        discounts=[{"type": "percentage", "value": "1000", "productSku": "COF-01"}],
    )
    assert offer["purchasable"] is False and offer["codeType"] is None
    listed = wll.ok(wll.get("/rewards", token=None))
    assert [r["name"] for r in listed] == ["Staff 10%", "Coffee"]  # by priority
    offers = wll.ok(wll.get("/rewards?type=generic_offer", token=None))
    assert len(offers) == 1
    discount = offers[0]["discounts"][0]
    assert discount["type"] == "PERCENTAGE" and discount["value"] == "1000"
    assert discount["productSku"] == "COF-01"
    assert wll.ok(wll.get(f"/rewards/{offer['id']}", token=None))["id"] == offer["id"]
    wll.failed(wll.get("/rewards/nope", token=None), 404)
    bad = {"name": "x", "discounts": [{"type": "ABSOLUTE", "value": "5.50"}]}
    assert "discounts.0.value" in wll.failed(wll.post("/rewards", bad), 400)["data"]


def test_purchase_spends_points_and_creates_a_benefit(wll: Wll):
    user = _rich_user(wll, points=120)
    reward = wll.create_reward(price=50, value=300)
    benefit = wll.ok(wll.purchase(user, reward))
    assert benefit["reward"]["id"] == reward["id"] and benefit["owner"]["id"] == user["id"]
    assert benefit["redeemedAt"] is None and benefit["burnedAt"] is None
    assert benefit["code"] is None  # an OTP code is revealed by redeem_benefit
    assert wll.points(user) == 70
    wallet = wll.ok(wll.get(f"/users/{user['id']}/wallet"))
    assert wallet["loyaltyCost"] == 300 and [v["id"] for v in wallet["vouchers"]] == [benefit["id"]]
    wll.ok(wll.purchase(user, reward))
    body = wll.failed(wll.purchase(user, reward), 400)  # 20 left: a purchase never overdraws
    assert body["message"] == "Insufficient points"
    assert wll.points(user) == 20


def test_user_purchases_for_themselves_and_offers_are_not_for_sale(wll: Wll):
    user = _rich_user(wll)
    token = wll.user_token("auth0|ann")
    reward = wll.create_reward()
    benefit = wll.ok(wll.post("/commands/purchase_reward", {"rewardId": reward["id"]}, token))
    assert benefit["owner"]["authIdentifier"] == "auth0|ann"
    offer = wll.create_reward(type="GENERIC_OFFER", price=0)
    wll.failed(wll.post("/commands/purchase_reward", {"rewardId": offer["id"]}, token), 400)
    wll.failed(wll.post("/commands/purchase_reward", {"rewardId": reward["id"]}), 400)  # admin
    wll.failed(
        wll.post("/commands/purchase_reward", {"rewardId": "missing", "beneficiaryId": user["id"]}),
        404,
    )


def test_validate_burns_exactly_once(wll: Wll):
    user = _rich_user(wll)
    code = wll.redeemed_code(user, wll.create_reward())
    result = wll.ok(wll.post("/commands/validate_voucher", {"code": code}))
    assert result["burnedAt"] == result["code"]["validatedAt"] == "2026-01-01T00:00:00.000Z"
    assert result["discounts"][0] == {**result["discounts"][0], "type": "ABSOLUTE", "value": "300"}
    for _ in range(2):
        body = wll.failed(wll.post("/commands/validate_voucher", {"code": code}), 400)
        assert body["message"] == "Voucher has already been used"
    body = wll.failed(
        wll.post("/commands/validate_voucher", {"code": code, "allowFutureValidation": True}), 400
    )
    assert wll.tenant.engine.voucher(code).burns == 1
    wallet = wll.ok(wll.get(f"/users/{user['id']}/wallet"))
    assert wallet["vouchers"] == []  # burned vouchers leave the wallet


def test_allow_future_validation_checks_without_burning(wll: Wll):
    user = _rich_user(wll)
    code = wll.redeemed_code(user, wll.create_reward())
    for _ in range(3):
        checked = wll.ok(
            wll.post("/commands/validate_voucher", {"code": code, "allowFutureValidation": True})
        )
        assert checked["burnedAt"] is None
    assert checked["code"]["validatedAt"] == "2026-01-01T00:00:00.000Z"
    assert wll.tenant.engine.voucher(code).burns == 0
    wll.advance(60)
    burned = wll.ok(wll.post("/commands/validate_voucher", {"code": code.lower()}))
    assert burned["burnedAt"] == "2026-01-01T00:01:00.000Z"
    assert burned["code"]["validatedAt"] == "2026-01-01T00:00:00.000Z"  # the first validation
    wll.failed(wll.post("/commands/validate_voucher", {"code": code}), 400)


def test_redeem_benefit_lifecycle(wll: Wll):
    user = _rich_user(wll)
    benefit = wll.ok(wll.purchase(user, wll.create_reward()))
    wll.failed(wll.post("/commands/redeem_benefit", {"benefitId": "missing"}), 404)
    redeemed = wll.ok(wll.post("/commands/redeem_benefit", {"benefitId": benefit["id"]}))
    assert redeemed["redeemedAt"] == "2026-01-01T00:00:00.000Z"
    assert redeemed["code"]["redeemedAt"] == redeemed["redeemedAt"]
    body = wll.failed(wll.post("/commands/redeem_benefit", {"benefitId": benefit["id"]}), 400)
    assert body["message"] == "Benefit has already been redeemed"
    fetched = wll.ok(wll.get(f"/benefits/{benefit['id']}"))
    assert fetched["code"]["value"] == redeemed["code"]["value"]


def test_codes_of_unredeemed_or_unknown_benefits_do_not_validate(wll: Wll):
    user = _rich_user(wll)
    benefit = wll.ok(wll.purchase(user, wll.create_reward()))
    code = next(iter(wll.tenant.engine.member_vouchers(user["id"]))).code
    body = wll.failed(wll.post("/commands/validate_voucher", {"code": code}), 400)
    assert body["message"] == "Benefit is not redeemed"
    wll.failed(wll.post("/commands/validate_voucher", {"code": "NOPE1234"}), 404)
    wll.failed(wll.post("/commands/validate_voucher", {}), 400)
    wll.failed(wll.post("/commands/validate_voucher", {"code": code}, token=None), 401)
    assert wll.ok(wll.get(f"/benefits/{benefit['id']}"))["burnedAt"] is None


def test_unredeemed_benefit_expires_but_a_redeemed_one_does_not(wll: Wll):
    user = _rich_user(wll)
    reward = wll.create_reward(purchaseExpiration=3600, price=10)
    stale = wll.ok(wll.purchase(user, reward))
    kept = wll.ok(wll.purchase(user, reward))
    assert stale["expiresAt"] == "2026-01-01T01:00:00.000Z"
    wll.ok(wll.post("/commands/redeem_benefit", {"benefitId": kept["id"]}))
    wll.advance(3600)
    body = wll.failed(wll.post("/commands/redeem_benefit", {"benefitId": stale["id"]}), 400)
    assert body["message"] == "Benefit has expired"
    code = wll.ok(wll.get(f"/benefits/{kept['id']}"))["code"]["value"]
    wll.ok(wll.post("/commands/validate_voucher", {"code": code}))
    redeemable = wll.ok(wll.get(f"/benefits?redeemable=true&user={user['id']}"))
    assert redeemable == []


def test_code_pool_hands_out_uploaded_codes_in_order_then_runs_out(wll: Wll):
    user = _rich_user(wll)
    reward = wll.create_reward(codeType="POOL", codes=["POOL-A", "POOL-B"], price=10)
    assert reward["stockCapacity"] == 2 and reward["stockConsumed"] == 0
    assert wll.redeemed_code(user, reward) == "POOL-A"
    assert wll.redeemed_code(user, reward) == "POOL-B"
    body = wll.failed(wll.purchase(user, reward), 400)
    assert body["message"] == "Reward is out of stock"
    assert wll.points(user) == 480  # the refused purchase spent nothing
    wll.ok(wll.post(f"/rewards/{reward['id']}/codes", {"codes": ["POOL-C"]}))
    assert wll.redeemed_code(user, reward) == "POOL-C"
    wll.failed(wll.post(f"/rewards/{reward['id']}/codes", {"codes": ["POOL-C"]}), 400)
    wll.ok(wll.post("/commands/validate_voucher", {"code": "POOL-A"}))
    wll.failed(wll.post("/commands/validate_voucher", {"code": "POOL-A"}), 400)


def test_benefit_listing_filters(wll: Wll):
    ann = _rich_user(wll, "auth0|ann")
    bob = _rich_user(wll, "auth0|bob")
    reward = wll.create_reward(price=10)
    fresh = wll.ok(wll.purchase(ann, reward))
    used = wll.ok(wll.purchase(ann, reward))
    wll.ok(wll.post("/commands/redeem_benefit", {"benefitId": used["id"]}))
    theirs = wll.ok(wll.purchase(bob, reward))

    def ids(path: str, token: str | None = "admin") -> set[str]:
        return {b["id"] for b in wll.ok(wll.get(path, token=token))}

    assert ids("/benefits") == {fresh["id"], used["id"], theirs["id"]}
    assert ids(f"/benefits?userId={ann['id']}") == {fresh["id"], used["id"]}
    assert ids(f"/benefits?accountNumber={ann['accountNumber']}&redeemable=true") == {fresh["id"]}
    token = wll.user_token("auth0|ann")
    assert ids("/benefits?redeemable=true", token) == {fresh["id"]}
    assert ids("/benefits?redeemable=false", token) == {used["id"]}
    wll.failed(wll.get("/benefits?redeemable=maybe"), 400)
    # another user's benefit looks absent to a user token
    wll.failed(wll.get(f"/benefits/{theirs['id']}", token=token), 404)
    wll.failed(wll.post("/commands/redeem_benefit", {"benefitId": theirs["id"]}, token), 404)


def test_user_redeems_in_app_and_the_pos_validates(wll: Wll):
    _rich_user(wll)
    token = wll.user_token("auth0|ann")
    reward = wll.create_reward()
    benefit = wll.ok(wll.post("/commands/purchase_reward", {"rewardId": reward["id"]}, token))
    redeemed = wll.post("/commands/redeem_benefit", {"benefitId": benefit["id"]}, token)
    code = wll.ok(redeemed)["code"]
    result = wll.ok(wll.post("/commands/validate_voucher", {"code": code["value"]}))
    assert result["id"] == benefit["id"] and result["burnedAt"] is not None


def test_codes_handed_out_elsewhere_validate_without_redeem_benefit(wll: Wll):
    user = _rich_user(wll)
    control = "/_posim/tenants/demo/vouchers"
    seed = {"code": "SAVE10", "member_id": user["id"], "discount_value": 1000}
    assert wll.client.post(control, json=seed).status_code == 201
    wallet = wll.ok(wll.get(f"/users/{user['id']}/wallet"))
    (listed,) = wallet["vouchers"]
    assert listed["code"]["value"] == "SAVE10"  # its holder has the code already
    assert listed["reward"]["discounts"][0]["value"] == "1000"
    checked = wll.ok(
        wll.post("/commands/validate_voucher", {"code": "save10", "allowFutureValidation": True})
    )
    assert checked["burnedAt"] is None and checked["discounts"][0]["type"] == "ABSOLUTE"
    # redeem_benefit still works once (it stamps the time), then it is redeemed
    wll.ok(wll.post("/commands/redeem_benefit", {"benefitId": listed["id"]}))
    wll.failed(wll.post("/commands/redeem_benefit", {"benefitId": listed["id"]}), 400)
    burned = wll.ok(wll.post("/commands/validate_voucher", {"code": "SAVE10"}))
    assert burned["burnedAt"] is not None
    body = wll.failed(wll.post("/commands/validate_voucher", {"code": "SAVE10"}), 400)
    assert body["message"] == "Voucher has already been used"


def test_a_handed_out_code_past_its_end_is_expired(wll: Wll):
    user = _rich_user(wll)
    seed = {"code": "OLD", "member_id": user["id"], "discount_value": 100, "valid_days": 1}
    assert wll.client.post("/_posim/tenants/demo/vouchers", json=seed).status_code == 201
    wll.advance(86400)
    wll._admin = None  # the admin token lived 24 h too
    assert wll.ok(wll.get(f"/users/{user['id']}/wallet"))["vouchers"] == []
    body = wll.failed(wll.post("/commands/validate_voucher", {"code": "OLD"}), 400)
    assert body["message"] == "Benefit has expired"
