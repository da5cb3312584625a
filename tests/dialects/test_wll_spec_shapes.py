"""WLL request and response shapes as WLL's own OpenAPI writes them: a POS written from the
spec is served at its first call (profile.emailAddress, telephoneNumber, beneficiaryId,
isPrivate, settings records, trailing-slash paths), and the spec's other operations work."""

from __future__ import annotations

from tests.support.wll import Wll, make_fixture

wll = make_fixture()

SPEC_USER = {
    "profile": {
        "givenName": "Ann",
        "familyName": "Lee",
        "emailAddress": "ann@example.com",
        "telephoneNumber": "+447700900123",
        "gender": "FEMALE",
        "birthdate": "1990-04-01",
        "country": "GB",
        "attributes": {"store": "S1"},
    },
    "authIdentifier": "auth0|ann",
    "externalIdentifier": "CRM-1",
    "flags": {"vip": True},
}


def test_register_with_the_spec_profile_keeps_every_field(wll: Wll):
    user = wll.ok(wll.post("/users/", SPEC_USER))
    profile = user["profile"]
    assert profile["emailAddress"] == "ann@example.com"
    assert profile["telephoneNumber"] == "+447700900123"
    assert (profile["givenName"], profile["familyName"]) == ("Ann", "Lee")
    assert profile["gender"] == "FEMALE" and profile["birthdate"] == "1990-04-01"
    assert profile["attributes"] == {"store": "S1"}
    assert user["flags"] == {"vip": True} and user["externalIdentifier"] == "CRM-1"
    # the telephone number is a lookup key, like the email
    assert wll.ok(wll.get("/users/%2B447700900123"))["id"] == user["id"]
    assert wll.ok(wll.get(f"/users/{user['id']}/"))["id"] == user["id"]


def test_spec_enums_and_patterns_are_checked(wll: Wll):
    bad_gender = {**SPEC_USER, "profile": {**SPEC_USER["profile"], "gender": "ROBOT"}}
    assert "gender" in wll.failed(wll.post("/users/", bad_gender), 400)["data"]
    no_email = {"profile": {"givenName": "A", "familyName": "B"}}
    assert "emailAddress" in wll.failed(wll.post("/users/", no_email), 400)["data"]


def test_patch_user_changes_only_what_is_sent(wll: Wll):
    user = wll.ok(wll.post("/users/", SPEC_USER))
    wll.advance(60)
    patch = {"profile": {"familyName": "Lee-Smith", "telephoneNumber": "+447700900999"}}
    response = wll.client.patch(f"/v1/users/{user['id']}", json=patch, headers=wll.headers())
    changed = wll.ok(response)
    assert changed["profile"]["familyName"] == "Lee-Smith"
    assert changed["profile"]["givenName"] == "Ann"  # untouched
    assert changed["profile"]["telephoneNumber"] == "+447700900999"
    assert changed["updatedAt"] > changed["createdAt"]
    # the new number names the user; the record read back carries the change
    assert wll.ok(wll.get("/users/%2B447700900999"))["id"] == user["id"]
    # a user token may change only itself
    other = wll.create_user("auth0|bo")
    token = wll.user_token("auth0|ann")
    headers = wll.headers(token)
    denied = wll.client.patch(f"/v1/users/{other['id']}", json=patch, headers=headers)
    wll.failed(denied, 403)
    bad = wll.client.patch("/v1/users/me", json={"profile": {"gender": "X"}}, headers=headers)
    wll.failed(bad, 400)


def test_list_users_pages_orders_and_filters(wll: Wll):
    made = []
    for n in range(5):
        made.append(wll.create_user(f"auth0|u{n}"))
        wll.advance(1)
    everyone = wll.ok(wll.get("/users/"))
    assert [u["id"] for u in everyone] == [u["id"] for u in made]
    newest = wll.ok(wll.get("/users/", params={"order": "DESC", "limit": 2}))
    assert [u["id"] for u in newest] == [made[4]["id"], made[3]["id"]]
    second_page = wll.ok(wll.get("/users/", params={"order": "ASC", "limit": 2, "skip": 2}))
    assert [u["id"] for u in second_page] == [made[2]["id"], made[3]["id"]]
    found = wll.ok(wll.get("/users/", params={"filter": '{"authIdentifier": "auth0|u3"}'}))
    assert [u["id"] for u in found] == [made[3]["id"]]
    by_email = '{"profile.emailAddress": "u1@example.com"}'
    assert wll.ok(wll.get("/users/", params={"filter": by_email}))[0]["id"] == made[1]["id"]
    for params in ({"limit": 0}, {"limit": 1001}, {"skip": -1}, {"order": "UP"}, {"filter": "["}):
        wll.failed(wll.get("/users/", params=params), 400)
    wll.failed(wll.get("/users/", token=wll.user_token("auth0|u1")), 403)


def test_purchase_reward_for_the_beneficiary(wll: Wll):
    user = wll.create_user("auth0|ann")
    wll.earn(user, 100)
    reward = wll.create_reward(price=40)
    body = {"rewardId": reward["id"], "beneficiaryId": user["id"], "comment": "till 3"}
    benefit = wll.ok(wll.post("/commands/purchase_reward", body))
    assert benefit["owner"]["id"] == user["id"] and benefit["reward"]["id"] == reward["id"]
    assert wll.points(user) == 60
    # an admin must name the beneficiary
    missing = wll.failed(wll.post("/commands/purchase_reward", {"rewardId": reward["id"]}), 400)
    assert "beneficiaryId" in missing["data"]


def test_is_private_decides_who_may_report_an_event_type(wll: Wll):
    public = {"name": "APP_OPENED", "description": "app opened", "isPrivate": False}
    created = wll.ok(wll.post("/event_types/", public))
    assert created["isPrivate"] is False and created["public"] is True
    assert created.get("secret") is None
    private = {"name": "STAFF_BONUS", "description": "given by staff", "isPrivate": True}
    secret_type = wll.ok(wll.post("/event_types/", private))
    assert secret_type["isPrivate"] is True and secret_type["secret"]
    user = wll.create_user("auth0|ann")
    token = wll.user_token("auth0|ann")
    event = {"type": "APP_OPENED", "subject": user["id"], "payload": {}}
    wll.ok(wll.post("/events/", event, token=token))
    wll.failed(wll.post("/events/", {**event, "type": "STAFF_BONUS"}, token=token), 403)
    # read back, by name, with its secret; PATCH flips it
    assert wll.ok(wll.get("/event_types/APP_OPENED"))["isPrivate"] is False
    shown = wll.ok(wll.get("/event_types/STAFF_BONUS/secret"))
    assert shown["secret"] == secret_type["secret"]
    wll.failed(wll.get("/event_types/APP_OPENED/secret"), 404)
    flip = wll.client.patch(
        "/v1/event_types/APP_OPENED", json={"isPrivate": True}, headers=wll.headers()
    )
    assert wll.ok(flip)["isPrivate"] is True
    wll.failed(wll.post("/events/", event, token=token), 403)
    off = wll.client.patch(
        "/v1/event_types/STAFF_BONUS", json={"isActive": False}, headers=wll.headers()
    )
    assert wll.ok(off)["isActive"] is False
    wll.failed(wll.post("/events/", {**event, "type": "STAFF_BONUS"}), 400)
    fixed = wll.client.patch("/v1/event_types/TRANSACTION", json={}, headers=wll.headers())
    wll.failed(fixed, 400)
    wll.failed(wll.get("/event_types/NO_SUCH"), 404)


def test_trailing_slash_paths_are_served_directly(wll: Wll):
    user = wll.create_user("auth0|ann")
    for path in ("/rewards/", "/benefits/", "/vouchers/", "/events/", "/event_types/"):
        response = wll.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert wll.get(f"/users/{user['id']}/wallet/").status_code == 200
    assert wll.get("/users").status_code == 200  # and without the slash


def test_closing_an_account_keeps_its_ledger_and_refuses_new_points(wll: Wll):
    user = wll.create_user("auth0|ann")
    wll.earn(user, 80)
    other = wll.create_user("auth0|bo")
    token = wll.user_token("auth0|ann")
    wll.failed(wll.client.delete(f"/v1/users/{other['id']}", headers=wll.headers(token)), 403)
    closed = wll.ok(wll.client.delete(f"/v1/users/{user['id']}", headers=wll.headers()))
    assert closed["active"] is False
    again = wll.ok(wll.client.delete(f"/v1/users/{user['id']}/", headers=wll.headers()))
    assert again["active"] is False
    assert wll.points(user) == 80  # nothing is lost
    earn = {"type": "TRANSACTION", "subject": user["id"], "payload": {"amount": 5}}
    wll.failed(wll.post("/events/", earn), 403)
    closures = wll.ok(wll.get("/events/", params={"filter": '{"type": "CLOSED_ACCOUNT"}'}))
    assert [e["subject"] for e in closures] == [user["id"]]
    assert wll.ok(wll.get(f"/users/{other['id']}"))["active"] is True
