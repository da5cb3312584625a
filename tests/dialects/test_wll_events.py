"""WLL POST /events: reactors move points, schemas are enforced, replays by event id."""

from __future__ import annotations

from tests.support.wll import Wll, make_fixture

wll = make_fixture()


def test_transaction_earns_on_the_reactor_rule(wll: Wll):
    user = wll.create_user()
    payload = {"transactionId": "T-1", "amount": 12.5, "branchId": "B1", "basket": []}
    event = wll.ok(wll.event({"accountNumber": user["accountNumber"]}, "TRANSACTION", payload))
    assert event["type"] == "TRANSACTION" and event["payload"] == payload
    assert event["subject"] == event["user"]["id"] == user["id"]
    assert wll.points(user) == 12  # 1 point per unit, floored


def test_every_subject_form_names_the_same_user(wll: Wll):
    user = wll.create_user("auth0|ann")
    subjects = [
        {"id": user["id"]},
        {"accountNumber": user["accountNumber"]},
        {"authIdentifier": "auth0|ann"},
        user["accountNumber"],
        user["id"],
    ]
    for subject in subjects:
        wll.ok(wll.event(subject, "TRANSACTION", {"amount": 1}))
    assert wll.points(user) == len(subjects)
    wll.failed(wll.event({"accountNumber": "9999999"}, "TRANSACTION", {"amount": 1}), 404)
    wll.failed(wll.event({"nickname": "ann"}, "TRANSACTION", {"amount": 1}), 400)
    wll.failed(wll.post("/events", {"type": "TRANSACTION", "payload": {"amount": 1}}), 400)


def test_over_redeem_goes_negative_and_refund_restores(wll: Wll):
    user = wll.create_user()
    wll.earn(user, 500)
    wll.ok(wll.event({"id": user["id"]}, "REDEEMED_POINTS", {"points": 1000}))
    assert wll.points(user) == -500  # accepted, as WLL documents: the POS must cap
    wll.ok(wll.event({"id": user["id"]}, "POINTS_REFUND", {"points": 1000}))
    assert wll.points(user) == 500
    wallet = wll.ok(wll.get(f"/users/{user['id']}/wallet"))
    assert wallet["lifetimePoints"] == 500  # a refund restores, it does not earn


def test_payload_must_match_the_event_type_schema(wll: Wll):
    user = wll.create_user()
    subject = {"id": user["id"]}
    cases = [
        ("TRANSACTION", {}, "payload.amount", "is required"),
        ("TRANSACTION", {"amount": "12.50"}, "payload.amount", "must be of type number"),
        ("TRANSACTION", {"amount": -1}, "payload.amount", "must be >= 0"),
        ("REDEEMED_POINTS", {"points": 2.5}, "payload.points", "must be of type integer"),
        ("REDEEMED_POINTS", {"points": 0}, "payload.points", "must be >= 1"),
    ]
    for type_, payload, field, reason in cases:
        body = wll.failed(wll.event(subject, type_, payload), 400)
        assert body["data"] == {field: reason}
    assert wll.points(user) == 0


def test_unknown_and_intrinsic_types_are_refused(wll: Wll):
    user = wll.create_user()
    for type_ in ("REGISTERED_ACCOUNT", "PURCHASED_REWARD", "POINTS_ADJUSTED", "BOUGHT_CAKE"):
        wll.failed(wll.event({"id": user["id"]}, type_, {"points": 5}), 400)
    assert wll.points(user) == 0


def test_wrong_types_and_bad_json_are_400_never_500(wll: Wll):
    user = wll.create_user()
    bodies = [
        {"type": "TRANSACTION", "subject": {"id": user["id"]}, "payload": [1, 2]},
        {"type": 7, "subject": {"id": user["id"]}, "payload": {"amount": 1}},
        {"type": "TRANSACTION", "subject": 12345, "payload": {"amount": 1}},
        {"type": "TRANSACTION", "subject": {"id": {"deep": 1}}, "payload": {"amount": 1}},
        "just a string",
    ]
    for body in bodies:
        wll.failed(wll.post("/events", body), 400)
    raw = b'{"type":"TRANSACTION","subject":{"id":"%s"},"payload":{"amount":NaN}}'
    for content in (raw % user["id"].encode(), b"{", b"\xff\xfe"):
        response = wll.client.post("/v1/events", content=content, headers=wll.headers())
        wll.failed(response, 400)
    assert wll.points(user) == 0


def test_event_id_makes_a_report_idempotent(wll: Wll):
    user = wll.create_user()
    body = {"id": "pos-7-txn-42", "type": "TRANSACTION", "subject": {"id": user["id"]}}
    first = wll.ok(wll.post("/events", {**body, "payload": {"amount": 30}}))
    again = wll.ok(wll.post("/events", {**body, "payload": {"amount": 30}}))
    assert first == again and first["id"] == "pos-7-txn-42"
    assert wll.points(user) == 30
    wll.failed(wll.post("/events", {**body, "payload": {"amount": 31}}), 409)
    # without an id nothing is de-duplicated (WLL documents none): twice means twice
    wll.earn(user, 10)
    wll.earn(user, 10)
    assert wll.points(user) == 50


def test_private_types_accept_their_secret_and_users_report_public_ones(wll: Wll):
    user = wll.create_user("auth0|ann")
    secret = wll.creds["eventTypeSecret"]
    wll.ok(wll.event({"id": user["id"]}, "TRANSACTION", {"amount": 5}, token=secret))
    wll.failed(wll.get(f"/users/{user['id']}", token=secret), 401)  # only good for events
    created = wll.post(
        "/event_types",
        {
            "name": "VISITED_SHOP",
            "isPrivate": False,
            "schema": {"type": "object", "required": ["shopId"]},
        },
    )
    assert wll.ok(created)["secret"] is None
    token = wll.user_token("auth0|ann")
    event = wll.ok(
        wll.post("/events", {"type": "VISITED_SHOP", "payload": {"shopId": "S1"}}, token)
    )
    assert event["user"]["authIdentifier"] == "auth0|ann"
    wll.failed(wll.post("/events", {"type": "VISITED_SHOP", "payload": {}}, token), 400)
    other = wll.create_user("auth0|bob")
    body = {"type": "VISITED_SHOP", "subject": {"id": other["id"]}, "payload": {"shopId": "S"}}
    wll.failed(wll.post("/events", body, token), 403)
    assert wll.points(user) == 5  # a type without a reactor moves no points


def test_private_custom_type_has_its_own_secret(wll: Wll):
    user = wll.create_user()
    created = wll.ok(wll.post("/event_types", {"name": "SCANNED_RECEIPT"}))
    secret = created["secret"]
    body = {"type": "SCANNED_RECEIPT", "subject": {"id": user["id"]}, "payload": {}}
    wll.ok(wll.post("/events", body, token=secret))
    wll.failed(wll.post("/events", {**body, "type": "TRANSACTION"}, token=secret), 401)
    wll.failed(wll.post("/event_types", {"name": "SCANNED_RECEIPT"}), 409)
    wll.failed(wll.post("/event_types", {"name": "ORDER_PLACED"}), 400)
    wll.failed(wll.post("/event_types", {"name": "lower_case"}), 400)
    names = {t["name"] for t in wll.ok(wll.get("/event_types"))}
    assert {"TRANSACTION", "REDEEMED_POINTS", "POINTS_REFUND", "SCANNED_RECEIPT"} <= names
