"""WLL's admin commands and event reads from the spec: adjust_points, events list / read /
reactions, test_reaction, occurredAt; reward PATCH, discounts, codes; vouchers."""

from __future__ import annotations

from tests.support.wll import Wll, make_fixture

wll = make_fixture()


def test_adjust_points_credits_and_debits_and_emits_points_adjusted(wll: Wll):
    user = wll.create_user("auth0|ann")
    body = {"points": 250, "actorId": user["id"], "comment": "goodwill", "impactType": "EARN"}
    event = wll.ok(wll.post("/commands/adjust_points", body))
    assert event["type"] == "POINTS_ADJUSTED" and event["payload"]["points"] == 250
    assert wll.points(user) == 250
    wll.ok(wll.post("/commands/adjust_points", {"points": -50.0, "actorId": "auth0|ann"}))
    assert wll.points(user) == 200
    # REJECT_EVENT refuses what the balance cannot cover; BYPASS lets it go negative
    strict = {"points": -500, "actorId": user["id"], "liabilityHandlingPolicy": "REJECT_EVENT"}
    wll.failed(wll.post("/commands/adjust_points", strict), 400)
    assert wll.points(user) == 200
    loose = {**strict, "liabilityHandlingPolicy": "BYPASS"}
    wll.ok(wll.post("/commands/adjust_points", loose))
    assert wll.points(user) == -300
    listed = wll.ok(wll.get("/events/", params={"filter": '{"type": "POINTS_ADJUSTED"}'}))
    assert [e["payload"]["points"] for e in listed] == [250, -50, -500]
    reactions = wll.ok(wll.get(f"/events/{listed[1]['id']}/reactions"))
    assert reactions == [{"eventType": "POINTS_ADJUSTED", "action": "adjust", "points": -50}]


def test_adjust_points_refuses_bad_input_and_users(wll: Wll):
    user = wll.create_user("auth0|ann")
    for points in (0, 1.5, True, "ten", None):
        body = {"points": points, "actorId": user["id"]}
        wll.failed(wll.post("/commands/adjust_points", body), 400)
    wll.failed(wll.post("/commands/adjust_points", {"points": 5}), 400)
    wll.failed(wll.post("/commands/adjust_points", {"points": 5, "actorId": "nobody"}), 404)
    token = wll.user_token("auth0|ann")
    body = {"points": 5, "actorId": user["id"]}
    wll.failed(wll.post("/commands/adjust_points", body, token=token), 403)
    assert wll.points(user) == 0


def test_events_keep_occurred_at_and_can_be_read_back(wll: Wll):
    user = wll.create_user("auth0|ann")
    when = "2025-12-31T23:59:59.000Z"
    body = {"type": "TRANSACTION", "subject": user["id"], "payload": {"amount": 42}}
    event = wll.ok(wll.post("/events/", {**body, "occurredAt": when}))
    assert event["occurredAt"] == when and event["createdAt"] == "2026-01-01T00:00:00.000Z"
    wll.failed(wll.post("/events/", {**body, "occurredAt": "yesterday"}), 400)
    read = wll.ok(wll.get(f"/events/{event['id']}"))
    assert read["occurredAt"] == when and read["payload"] == {"amount": 42}
    reactions = wll.ok(wll.get(f"/events/{event['id']}/reactions"))
    assert reactions == [{"eventType": "TRANSACTION", "action": "earn", "points": 42}]
    # users read their own events only
    other = wll.create_user("auth0|bo")
    wll.earn(other, 5)
    mine = wll.ok(wll.get("/events/", token=wll.user_token("auth0|ann")))
    assert [e["id"] for e in mine] == [event["id"]]
    wll.failed(wll.get(f"/events/{event['id']}", token=wll.user_token("auth0|bo")), 404)
    wll.failed(wll.get("/events/no-such-event"), 404)


def test_test_reaction_previews_without_moving_points(wll: Wll):
    user = wll.create_user("auth0|ann")
    wll.earn(user, 100)
    preview = {"type": "REDEEMED_POINTS", "subject": user["id"], "payload": {"points": 30}}
    found = wll.ok(wll.post("/events/test_reaction", preview))
    assert found["reactions"] == [
        {"eventType": "REDEEMED_POINTS", "action": "deduct", "points": -30}
    ]
    earn = {"type": "TRANSACTION", "payload": {"amount": 12.9}}
    assert wll.ok(wll.post("/events/test_reaction", earn))["reactions"][0]["points"] == 12
    assert wll.points(user) == 100
    wll.failed(wll.post("/events/test_reaction", {"type": "TRANSACTION", "payload": {}}), 400)
    wll.failed(wll.post("/events/test_reaction", {"type": "ORDER_PLACED"}), 400)


def test_reward_patch_discounts_and_codes(wll: Wll):
    reward = wll.create_reward(price=50, codeType="POOL", codes=["A1"])
    patch = {"price": 80, "name": "Large coffee", "purchasable": True}
    changed = wll.ok(
        wll.client.patch(f"/v1/rewards/{reward['id']}", json=patch, headers=wll.headers())
    )
    assert (changed["price"], changed["name"]) == (80, "Large coffee")
    user = wll.create_user("auth0|ann")
    wll.earn(user, 100)
    wll.ok(wll.purchase(user, changed))
    assert wll.points(user) == 20  # the new price
    bad = wll.client.patch(f"/v1/rewards/{reward['id']}", json={"price": -1}, headers=wll.headers())
    wll.failed(bad, 400)
    discounts = wll.ok(wll.get(f"/rewards/{reward['id']}/discounts"))
    assert discounts[0]["type"] == "ABSOLUTE" and discounts[0]["value"] == "300"
    assert (
        wll.ok(wll.get(f"/rewards/{reward['id']}/discounts/{discounts[0]['id']}")) == discounts[0]
    )
    wll.failed(wll.get(f"/rewards/{reward['id']}/discounts/nope"), 404)
    # the spec's one-code body
    wll.ok(wll.post(f"/rewards/{reward['id']}/codes", {"value": "B2", "voucher": {}}))
    assert [c["value"] for c in wll.ok(wll.get(f"/rewards/{reward['id']}/codes"))] == ["B2"]


def test_vouchers_are_the_benefits_of_voucher_rewards(wll: Wll):
    user = wll.create_user("auth0|ann")
    wll.earn(user, 100)
    voucher = wll.ok(wll.purchase(user, wll.create_reward(price=10)))
    wll.ok(wll.purchase(user, wll.create_reward(price=10, type="GENERIC_OFFER", purchasable=True)))
    assert [v["id"] for v in wll.ok(wll.get("/vouchers/"))] == [voucher["id"]]
    assert wll.ok(wll.get(f"/vouchers/{voucher['id']}"))["id"] == voucher["id"]
    assert len(wll.ok(wll.get("/benefits/", params={"limit": 1}))) == 1


def test_discounts_are_managed_one_by_one_and_keep_their_ids(wll: Wll):
    reward = wll.create_reward()  # one ABSOLUTE 300 discount
    path = f"/rewards/{reward['id']}/discounts"
    first = wll.ok(wll.get(path))[0]
    added = wll.ok(wll.post(path, {"type": "percentage", "value": 10, "sku": "LATTE"}), 201)
    assert (added["type"], added["value"], added["sku"]) == ("PERCENTAGE", "10", "LATTE")
    assert [d["id"] for d in wll.ok(wll.get(path))] == [first["id"], added["id"]]
    patch = {"value": 450}
    changed = wll.client.patch(f"/v1{path}/{first['id']}", json=patch, headers=wll.headers())
    assert wll.ok(changed)["value"] == "450" and wll.ok(changed)["id"] == first["id"]
    series = wll.tenant.engine.series(reward["id"])
    assert (series.discount_kind, series.discount_value) == ("fixed", 450)
    gone = wll.client.delete(f"/v1{path}/{first['id']}", headers=wll.headers())
    assert [d["id"] for d in wll.ok(gone)] == [added["id"]]  # the other keeps its id
    assert (series.discount_kind, series.discount_value) == ("percent", 10)
    wll.failed(wll.client.delete(f"/v1{path}/{first['id']}", headers=wll.headers()), 404)
    wll.failed(wll.post(path, {"type": "ABSOLUTE", "value": 1.5}), 400)
    wll.failed(wll.post(path, {"type": "ABSOLUTE", "value": 1}, token=None), 401)


def test_a_deleted_reward_leaves_the_catalogue_but_its_benefits_work(wll: Wll):
    user = wll.create_user("auth0|ann")
    wll.earn(user, 100)
    reward = wll.create_reward(price=10)
    code = wll.redeemed_code(user, reward)
    wll.ok(wll.client.delete(f"/v1/rewards/{reward['id']}", headers=wll.headers()))
    assert wll.ok(wll.get("/rewards/")) == []
    wll.failed(wll.get(f"/rewards/{reward['id']}"), 404)
    wll.failed(wll.purchase(user, reward), 404)
    assert wll.ok(wll.post("/commands/validate_voucher", {"code": code}))["burnedAt"]
    assert wll.points(user) == 90


def test_tiers_are_read_from_the_program(wll: Wll):
    tiers = wll.ok(wll.get("/tiers/", token=None))
    assert [t["pointsRequirement"] for t in tiers] == sorted(t["pointsRequirement"] for t in tiers)
    user = wll.create_user("auth0|ann")
    wll.earn(user, 1200)
    mine = wll.ok(wll.get(f"/users/{user['id']}/wallet"))["tier"]
    assert wll.ok(wll.get(f"/tiers/{mine['id']}"))["name"] == mine["name"]
    wll.failed(wll.get("/tiers/no-such-tier"), 404)
