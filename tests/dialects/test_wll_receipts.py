"""WLL's Receipts API: POST /receipts/v1/orders stores the order once and emits ORDER_PLACED,
which the program's earning reactor rewards."""

from __future__ import annotations

from tests.support.wll import Wll, make_fixture

wll = make_fixture()

ORDERS = "/receipts/v1/orders"


def order_body(user: dict, **fields) -> dict:
    body = {
        "id": "R-1001",
        "submitter": {"authIdentifier": user["authIdentifier"]},
        "totalSpend": 42.5,
        "currency": "EGP",
        "items": [{"sku": "LATTE", "name": "Latte", "quantity": 2, "price": 21.25}],
        "occurredAt": "2025-12-31T10:00:00.000Z",
    }
    return {**body, **fields}


def post_order(wll: Wll, body, token=None, path: str = ORDERS):
    headers = wll.headers() if token is None else wll.headers(token)
    return wll.client.post(path, json=body, headers=headers)


def test_an_order_earns_once_and_emits_order_placed(wll: Wll):
    user = wll.create_user("auth0|ann")
    placed = wll.ok(post_order(wll, order_body(user)), 201)
    assert placed["id"] == "R-1001" and placed["pointsEarned"] == 42
    assert placed["submitter"]["id"] == user["id"]
    assert placed["event"]["type"] == "ORDER_PLACED"
    assert placed["occurredAt"] == "2025-12-31T10:00:00.000Z"
    assert wll.points(user) == 42
    # the same order again (a till retrying after a lost answer): the stored result
    again = wll.ok(post_order(wll, order_body(user), path=ORDERS + "/"), 201)
    assert again == placed and wll.points(user) == 42
    # other content under the same order id is a conflict, and earns nothing
    wll.failed(post_order(wll, order_body(user, totalSpend=99)), 409)
    assert wll.points(user) == 42
    events = wll.ok(wll.get("/events/", params={"filter": '{"type": "ORDER_PLACED"}'}))
    assert [e["payload"]["orderId"] for e in events] == ["R-1001"]
    assert events[0]["subject"] == user["id"]
    reactions = wll.ok(wll.get(f"/events/{events[0]['id']}/reactions"))
    assert reactions == [{"eventType": "ORDER_PLACED", "action": "earn", "points": 42}]


def test_a_user_submits_their_own_orders_only(wll: Wll):
    ann = wll.create_user("auth0|ann")
    bo = wll.create_user("auth0|bo")
    token = wll.user_token("auth0|ann")
    mine = {k: v for k, v in order_body(ann).items() if k != "submitter"}
    wll.ok(post_order(wll, mine, token=token), 201)
    assert wll.points(ann) == 42
    theirs = order_body(bo, id="R-2")
    wll.failed(post_order(wll, theirs, token=token), 403)
    wll.failed(post_order(wll, mine), 400)  # an admin must name the submitter
    assert wll.points(bo) == 0


def test_bad_orders_are_refused_and_earn_nothing(wll: Wll):
    user = wll.create_user("auth0|ann")
    for change in (
        {"totalSpend": -1},
        {"totalSpend": "ten"},
        {"totalSpend": 1.005},  # finer than the currency
        {"id": ""},
        {"currency": "EURO"},
        {"occurredAt": "today"},
        {"items": [{"quantity": 0}]},
        {"submitter": {"authIdentifier": "auth0|ghost"}},
    ):
        response = post_order(wll, order_body(user, **change))
        assert response.status_code in (400, 404), (change, response.text)
        assert response.json()["status"] == "fail"
    wll.failed(post_order(wll, order_body(user), token=wll.user_token("auth0|ann") + "x"), 401)
    assert wll.points(user) == 0
    assert wll.client.post(ORDERS, json=order_body(user)).status_code == 403  # no API key


def test_a_stored_order_can_be_read_back_after_a_lost_answer(wll: Wll):
    ann = wll.create_user("auth0|ann")
    wll.create_user("auth0|bo")
    placed = wll.ok(post_order(wll, order_body(ann)), 201)
    read = wll.ok(wll.client.get(f"{ORDERS}/R-1001", headers=wll.headers()))
    assert read == placed
    mine = wll.client.get(f"{ORDERS}/R-1001/", headers=wll.headers(wll.user_token("auth0|ann")))
    assert wll.ok(mine) == placed
    theirs = wll.client.get(f"{ORDERS}/R-1001", headers=wll.headers(wll.user_token("auth0|bo")))
    wll.failed(theirs, 404)
    wll.failed(wll.client.get(f"{ORDERS}/R-404", headers=wll.headers()), 404)
