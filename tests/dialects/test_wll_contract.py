"""Contract: a client written from WLL's OpenAPI is served by every operation the dialect serves.

For each served operation, a body is built from the spec's own request schema (required
fields only, then every field), sent to the spec's path (trailing slash and all), and must be
accepted with the status the spec documents, in JSend. The records read back validate against
the spec's definitions of what the client wrote. The coverage the parity table states is
measured here from the facts and the dialect's routes.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from reference_backend.dialects.wll.routes import ROUTERS
from tests.support.wll import Wll
from tests.support.wll_spec import (
    BASE,
    OMIT,
    PARITY,
    coverage,
    coverage_section,
    instance,
    load,
    operations,
    reason,
    request_schema,
    served,
    success_status,
)

SPEC = load()
SERVED = [op for op in operations(SPEC) if served(*op, ROUTERS)]
# the order a back office and a till would call them in: set up, sell, then read and change
FIRST = [
    ("POST", "/users/"),
    ("POST", "/rewards/"),
    ("POST", "/event_types/"),
    ("POST", "/settings/"),
    ("POST", "/events/"),
    ("POST", "/commands/adjust_points"),
    ("POST", "/commands/purchase_reward"),
    ("POST", "/commands/redeem_benefit"),
    ("POST", "/commands/validate_voucher"),
]
# deleting ends what the pass made: the discount, the reward, then the account
LAST = [
    ("DELETE", "/rewards/{rewardId}/discounts/{id}"),
    ("DELETE", "/rewards/{id}"),
    ("DELETE", "/users/{id}"),
]


def hints(ctx: dict[str, Any]) -> dict[str, Any]:
    """Values that name things this pass made, and sensible values for a sale to work."""
    return {
        "UserDefinition.authIdentifier": "spec|till-client",
        "telephoneNumber": "+447700900123",
        "emailAddress": "spec.client@example.com",
        "referralInviteCode": OMIT,  # referral campaigns are not modelled
        "RewardDefinition.type": "VOUCHER",
        "RewardDefinition.codeType": "OTP",
        "RewardDefinition.name": "Spec coffee",
        "RewardPatch.name": "Spec coffee, large",
        "code": ctx.get("code") or OMIT,
        "codes": OMIT,
        "price": 10,
        "purchasable": True,
        "purchaseExpiration": 86400,
        "availability": {"start": "2025-01-01", "end": "2027-01-01"},
        "EventTypeDefinition.name": "SPEC_SCANNED",
        "EventTypeDefinition.isActive": True,
        "EventTypeDefinition.isPrivate": True,  # so it has a secret to read back
        "EventTypePatch.name": OMIT,
        "EventTypePatch.isActive": True,
        "EventTypePatch.isPrivate": True,
        "SettingDefinition.name": "brand.colour",
        "SettingDefinition.value": "red",
        "EventDefinition.type": "TRANSACTION",
        "EventDefinition.payload": {"amount": 25},
        "subject": ctx.get("user"),
        "executor": "till-1",
        "rewardId": ctx.get("reward"),
        "beneficiaryId": ctx.get("user"),
        "actorId": ctx.get("user"),
        "points": 50,
        "benefitId": ctx.get("benefit"),
        "userIdentifier": ctx.get("user"),
        "venueIdentifier": "store-1",
    }


def concrete(template: str, ctx: dict[str, Any]) -> str:
    """The spec's path with the ids of what this pass made."""

    def value(match: re.Match) -> str:
        before = template[: match.start()]
        if before.endswith("/discounts/"):
            return ctx["discount"]
        if before.startswith("/event_types/"):
            return ctx["event_type"]
        owner = before.strip("/").split("/")[0]
        return ctx[
            {
                "users": "user",
                "rewards": "reward",
                "benefits": "benefit",
                "vouchers": "benefit",
                "events": "event",
                "settings": "setting",
                "tiers": "tier",
            }[owner]
        ]

    return BASE + re.sub(r"\{([^}]+)\}", value, template)


def body_for(method: str, template: str, ctx: dict[str, Any], full: bool) -> Any:
    if (method, template) == ("PATCH", "/settings/"):  # an array of patches, none required
        return [{"name": "brand.colour", "value": "blue"}]
    schema = request_schema(SPEC, method, template)
    body = None if schema is None else instance(SPEC, schema, hints(ctx), full)
    if method == "POST" and template in ("/events/", "/events/test_reaction"):
        # optional in EventDefinition, because the event type's own schema decides: the
        # TRANSACTION type (a sale) needs its user and an amount
        body.setdefault("subject", ctx["user"])
        body.setdefault("payload", {"amount": 25})
    if template == "/commands/purchase_reward":  # optional for a user buying for themselves
        body.setdefault("beneficiaryId", ctx["user"])
    return body


def remember(ctx: dict[str, Any], method: str, template: str, data: Any) -> None:
    made = {
        ("POST", "/users/"): "user",
        ("POST", "/rewards/"): "reward",
        ("POST", "/event_types/"): "event_type",
        ("POST", "/settings/"): "setting",
        ("POST", "/events/"): "event",
        ("POST", "/commands/purchase_reward"): "benefit",
    }.get((method, template))
    if made in ("event_type", "setting"):
        ctx[made] = data["name"]
    elif made:
        ctx[made] = data["id"]
    if made == "reward":
        ctx["discount"] = data["discounts"][0]["id"]
    if (method, template) == ("GET", "/tiers/"):
        ctx["tier"] = data[0]["id"]
    if (method, template) == ("POST", "/commands/redeem_benefit"):
        ctx["code"] = data["code"]["value"]


def run_pass(wll: Wll, full: bool) -> dict[tuple[str, str], Any]:
    """Every served operation once, with a body from the spec; returns each answer's data."""
    ctx: dict[str, Any] = {}
    answers = {}
    middle = [op for op in SERVED if op not in FIRST + LAST]
    for method, template in FIRST + middle + LAST:
        body = body_for(method, template, ctx, full)
        if (method, template) == ("POST", "/rewards/"):  # discounts ride on the reward
            body["discounts"] = [{"type": "ABSOLUTE", "value": 300}]
        path = concrete(template, ctx)
        response = wll.client.request(method, path, json=body, headers=wll.headers())
        expected = success_status(SPEC, method, template)
        assert response.status_code == expected, (method, path, body, response.text)
        envelope = response.json()
        assert set(envelope) == {"status", "data"} and envelope["status"] == "success"
        answers[(method, template)] = envelope["data"]
        remember(ctx, method, template, envelope["data"])
    return answers


@pytest.mark.parametrize("full", [False, True], ids=["required-fields", "every-field"])
def test_spec_shaped_requests_are_accepted_by_every_served_operation(full: bool):
    wll = Wll()
    try:
        answers = run_pass(wll, full)
    finally:
        wll.close()
    assert set(answers) == set(SERVED)


def test_records_read_back_validate_against_the_spec_definitions():
    wll = Wll()
    try:
        answers = run_pass(wll, full=True)
    finally:
        wll.close()
    checks = [
        (("GET", "/users/{id}"), "UserDefinition"),
        (("PATCH", "/users/{id}"), "UserDefinition"),
        (("GET", "/rewards/{id}"), "RewardDefinition"),
        (("GET", "/event_types/{identifier}"), "EventTypeDefinition"),
        (("GET", "/events/{id}"), "EventDefinition"),
        (("GET", "/settings/{name}"), "SettingDefinition"),
    ]
    for op, definition in checks:
        schema = {"$ref": f"#/components/schemas/{definition}"}
        assert SPEC.errors(answers[op], schema) == [], (op, definition)
    for op in [("GET", "/users/"), ("GET", "/events/"), ("GET", "/settings/")]:
        assert isinstance(answers[op], list) and answers[op], op


def test_the_api_key_has_the_format_the_spec_declares():
    wll = Wll()
    try:
        key = wll.creds["apiKey"]
        assert str(uuid.UUID(key)) == key  # X-Api-Key: {type: string, format: uuid}
    finally:
        wll.close()


def test_validation_checks_the_spec_definitions():
    """The check above can fail: a record missing what the spec requires does not validate."""
    schema = {"$ref": "#/components/schemas/UserDefinition"}
    assert SPEC.errors({"profile": {"givenName": "A"}}, schema)
    assert SPEC.errors(
        {"subject": {"id": "x"}, "type": "A"}, {"$ref": "#/components/schemas/EventDefinition"}
    )


def test_parity_table_states_the_measured_coverage():
    done, left = coverage(ROUTERS)
    assert len(done) == len(SERVED) >= 35
    missing = [op for op in left if reason(*op) is None]
    assert missing == [], "give a reason in wll_spec.REASONS for each operation left out"
    assert coverage_section(ROUTERS) in PARITY.read_text(), (
        "docs/parity/wll.md is stale: run `python -m tests.support.wll_spec`"
    )


def test_bodies_of_the_wrong_shape_get_a_jsend_400_on_every_served_operation():
    wll = Wll()
    try:
        ctx = {"user": "u", "reward": "r", "benefit": "b", "event": "e", "discount": "d"}
        ctx.update(event_type="TRANSACTION", setting="pointsCurrencyValue")
        with_body = [op for op in SERVED if request_schema(SPEC, *op) is not None]
        assert len(with_body) >= 15
        for method, template in with_body:
            path = concrete(template, ctx)
            response = wll.client.request(method, path, json=[1], headers=wll.headers())
            assert response.status_code in (400, 404), (method, path, response.text)
            body = response.json()
            assert body["status"] == "fail" and isinstance(body["message"], str), body
    finally:
        wll.close()
