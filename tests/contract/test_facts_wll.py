"""WLL's server dialect, client codec, certify reader and load limits, each against
fixtures/vendor/wll/facts.json (none of them is checked against another)."""

from __future__ import annotations

import pytest

from loadtests import limits
from reference_backend.dialects.wll import DIALECT, auth, schemas
from reference_backend.dialects.wll import errors as server_errors
from simulator.certify import traffic_calls
from simulator.protocol import wll as codec_module
from tests.support.vendor_facts import (
    concrete,
    facts,
    operation_for,
    route_for,
    route_table,
    token_buckets,
)

FACTS = facts("wll")
MESSAGES = FACTS["errors"]["messages"]
STATUSES = {int(status) for status in FACTS["errors"]["statuses"]}
OPERATIONS = FACTS["operations"]


# -- errors -----------------------------------------------------------------------------
def test_every_engine_refusal_the_server_renders_is_a_documented_message():
    for code, (status, message) in server_errors._ENGINE_MAP.items():
        assert status in STATUSES, code
        if message is not None:  # None: the engine's own message
            assert MESSAGES.get(message) == status, f"{code}: {status} {message!r}"


def test_the_throttle_message_and_status_are_the_facts():
    status = FACTS["rate_limits"]["status"]
    assert MESSAGES[server_errors._FAILURE_MESSAGES["rate_limited"]] == status


def test_every_message_hint_of_the_codec_matches_a_documented_message():
    known = [message.lower() for message in MESSAGES]
    for hint, _neutral in codec_module.MESSAGE_HINTS:
        assert any(hint in message for message in known), hint


# -- rate limits ------------------------------------------------------------------------
def test_the_server_enforces_the_documented_bucket():
    assert [(float(auth.RATE_PER_S), float(auth.BURST))] == token_buckets("wll", "api_key")


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op["bucket"]], ids=lambda op: op["name"])
def test_the_load_oracle_counts_each_operation_against_its_bucket(op):
    found = limits.bucket_for("wll", op["method"], concrete(op["path"]))
    assert found == (op["bucket"], token_buckets("wll", op["bucket"]))


# -- base paths and operations ----------------------------------------------------------
def test_base_paths_of_server_codec_and_certify_reader():
    paths = FACTS["base_paths"]
    assert tuple(p.rstrip("/") for p in DIALECT.prefixes) == tuple(paths["server"])
    assert paths["client"] == codec_module.BASE
    assert codec_module.TOKEN_PATH in paths["token"]
    for base in paths["server"]:
        assert traffic_calls._PATHS["wll"].match(base + "/users")
    assert not traffic_calls._PATHS["wll"].match("/v1.1/customer/get")


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op["name"])
def test_each_operation_is_served(op):
    assert route_for(route_table(DIALECT.router), op["method"], op["path"])


def test_the_token_is_served_on_every_documented_path():
    table = route_table(DIALECT.router)
    for path in FACTS["base_paths"]["token"]:
        assert route_for(table, "POST", path), path


def test_the_codec_sends_only_documented_operations():
    codec = codec_module.WLLCodec({"apiKey": "k", "accessToken": "t"})
    sent = [
        codec._req("GET", codec._user("u1")),
        codec._req("GET", codec._user("u1") + "/wallet"),
        codec._event(codec_module.EARN, "u1", {}, "e1"),
    ]  # the token request: see test_base_paths_of_server_codec_and_certify_reader
    for request in sent:
        assert operation_for("wll", request.method, request.path), request.path


# -- event types and field names --------------------------------------------------------
def test_the_codec_uses_the_documented_event_types():
    types = FACTS["event_types"]
    assert (
        types["earn"],
        types["deduct"],
        types["restore"],
    ) == (codec_module.EARN, codec_module.DEDUCT, codec_module.RESTORE)


def test_the_codec_sends_the_documented_field_names():
    codec = codec_module.WLLCodec({"apiKey": "k", "accessToken": "t"})
    event = codec._event(codec_module.EARN, "u1", {}, "e1").json
    assert set(event) <= set(FACTS["fields"]["event_request"])
    assert set(codec._token_request().json) == set(FACTS["fields"]["token_request"])


@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        (schemas.EventIn, "event_request"),
        (schemas.ValidateVoucherIn, "validate_voucher_request"),
        (schemas.RedeemBenefitIn, "redeem_benefit_request"),
    ],
)
def test_the_server_schemas_read_the_documented_field_names(schema, fields):
    accepted = set()
    for name, field in schema.model_fields.items():
        alias = field.validation_alias
        aliases = getattr(alias, "choices", None) or [alias or name]
        accepted |= {str(choice) for choice in aliases}
    assert set(FACTS["fields"][fields]) <= accepted
