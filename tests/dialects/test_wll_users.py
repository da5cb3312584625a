"""WLL users: registration, lookup by WLL id / account number / auth identifier, wallet."""

from __future__ import annotations

import re

from tests.support.wll import Wll, make_fixture

wll = make_fixture()


def test_register_returns_identifiers_and_profile(wll: Wll):
    body = {
        "email": "ann@example.com",
        "givenName": "Ann",
        "familyName": "Lee",
        "birthdate": "1990-04-01",
        "country": "GB",
        "externalIdentifier": "CRM-1",
        "authIdentifier": "auth0|ann",
        "attributes": {"favouriteDrink": "flat white"},
    }
    user = wll.ok(wll.post("/users", body))
    assert re.fullmatch(r"[0-9a-f-]{36}", user["id"])
    assert re.fullmatch(r"\d{7}", user["accountNumber"])
    assert user["authIdentifier"] == "auth0|ann"
    assert user["externalIdentifier"] == "CRM-1"
    assert user["givenName"] == user["profile"]["givenName"] == "Ann"
    assert user["birthdate"] == "1990-04-01" and user["gender"] == "UNKNOWN"
    assert user["profile"]["attributes"] == {"favouriteDrink": "flat white"}
    assert user["createdAt"] == "2026-01-01T00:00:00.000Z"


def test_profile_fields_may_be_nested(wll: Wll):
    body = {"profile": {"email": "bo@example.com", "givenName": "Bo"}, "authIdentifier": "a|bo"}
    user = wll.ok(wll.post("/users", body))
    assert user["email"] == "bo@example.com" and user["givenName"] == "Bo"


def test_lookup_by_every_identifier(wll: Wll):
    user = wll.create_user("auth0|ann")
    for ref in (user["id"], user["accountNumber"], "auth0|ann"):
        assert wll.ok(wll.get(f"/users/{ref}"))["id"] == user["id"]
    wll.failed(wll.get("/users/0000000"), 404)
    wll.failed(wll.get("/users/5b1f0c1e-0000-4000-8000-000000000000"), 404)


def test_user_registers_themselves_with_their_token(wll: Wll):
    token = wll.user_token("firebase|zed")
    body = {"email": "zed@example.com", "authIdentifier": "spoofed"}
    user = wll.ok(wll.post("/users", body, token=token))
    assert user["authIdentifier"] == "firebase|zed"  # the token's sub wins
    assert wll.ok(wll.get("/users/me", token=token))["id"] == user["id"]


def test_duplicates_conflict_but_placeholder_emails_do_not(wll: Wll):
    wll.create_user("auth0|ann", email="ann@example.com")
    wll.failed(wll.post("/users", {"email": "x@example.com", "authIdentifier": "auth0|ann"}), 409)
    wll.failed(wll.post("/users", {"email": "ANN@example.com", "authIdentifier": "auth0|a2"}), 409)
    for n in range(2):
        wll.ok(wll.post("/users", {"email": "REDACTED", "authIdentifier": f"anon|{n}"}))


def test_bad_registration_bodies_are_400_with_field_errors(wll: Wll):
    body = wll.failed(wll.post("/users", {"givenName": "No email"}), 400)
    assert "emailAddress" in body["data"]  # the spec's name for it
    body = wll.failed(wll.post("/users", {"email": "a@b.c", "birthdate": "1 April"}), 400)
    assert "birthdate" in body["data"]
    wll.failed(wll.post("/users", {"email": "a@b.c", "country": "GBR"}), 400)
    wll.failed(wll.post("/users", ["a list"]), 400)
    response = wll.client.post("/v1/users", content=b'{"email":', headers=wll.headers())
    assert wll.failed(response, 400)["message"] == "Malformed JSON body"


def test_wallet_shape_and_me_alias(wll: Wll):
    user = wll.create_user("auth0|ann")
    wll.earn(user, 1200)
    wallet = wll.ok(wll.get(f"/users/{user['id']}/wallet"))
    assert wallet == {
        "points": 1200,
        "lifetimePoints": 1200,
        "loyaltyCost": 0,
        "tier": {"id": "silver", "name": "Silver"},
        "vouchers": [],
    }
    mine = wll.ok(wll.get("/users/me/wallet", token=wll.user_token("auth0|ann")))
    assert mine == wallet
    # `me` needs a user token; an admin token names no user
    wll.failed(wll.get("/users/me/wallet"), 403)
    # a valid token whose subject never registered
    wll.failed(wll.get("/users/me/wallet", token=wll.user_token("auth0|ghost")), 404)


def test_a_till_may_look_a_user_up_by_email_or_mobile(wll: Wll):
    body = {"email": "Ann@Example.com", "telephone": "+201000000042", "authIdentifier": "pos|ann"}
    user = wll.ok(wll.post("/users", body))
    for ref in ("ann@example.com", "+201000000042", "%2B201000000042"):
        assert wll.ok(wll.get(f"/users/{ref}"))["id"] == user["id"]
        assert wll.ok(wll.get(f"/users/{ref}/wallet"))["points"] == 0
    wll.failed(wll.get("/users/%2B201099999999"), 404)
    # the telephone is a lookup key, so like the email it names one user only
    other = {"email": "bo@example.com", "telephone": "+201000000042", "authIdentifier": "pos|bo"}
    wll.failed(wll.post("/users", other), 409)
