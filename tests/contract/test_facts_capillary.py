"""Capillary's server dialect, client codec, certify reader and load limits, each against
fixtures/vendor/capillary/facts.json (none of them is checked against another)."""

from __future__ import annotations

import json

import pytest

from loadtests import limits
from reference_backend.dialects.capillary import DIALECT, config, reversals, schemas
from reference_backend.dialects.capillary import errors as server_errors
from reference_backend.dialects.capillary import routes as server_routes
from simulator.certify import traffic_calls
from simulator.protocol import capillary as codec_module
from tests.support.vendor_facts import (
    ROOT,
    dependency_setting,
    facts,
    route_for,
    route_table,
)

FACTS = facts("capillary")
ERRORS = FACTS["errors"]
ITEM = {int(code) for code in ERRORS["item_codes"]}
REQUEST = {int(code): entry for code, entry in ERRORS["request_codes"].items()}
V2 = {int(code) for code in ERRORS["v2_codes"]}
LIMITS = FACTS["rate_limits"]
OPERATIONS = FACTS["operations"]


# -- error codes ------------------------------------------------------------------------
def test_every_item_code_the_server_answers_is_documented():
    assert set(server_errors.MESSAGES) <= ITEM | set(REQUEST)
    for table in (
        server_errors.TRANSACTION_CODES,
        server_errors.POINTS_CODES,
        server_errors.COUPON_CODES,
    ):
        assert set(table.values()) <= ITEM


def test_request_level_failures_carry_the_documented_code_and_status():
    for status, (code, _text) in server_errors._REQUEST_LEVEL.items():
        assert REQUEST[code]["status"] == status, code


def test_every_v2_code_the_server_answers_is_documented():
    assert set(reversals.MESSAGES) <= V2


def test_every_code_the_codec_reads_is_documented():
    assert set(codec_module.ITEM_ERRORS) <= ITEM | set(REQUEST)
    assert set(codec_module.V2_ERRORS) <= V2
    assert set(codec_module.COUPON_USED) <= ITEM


def test_the_certify_reader_knows_the_documented_success_duplicate_and_throttle_codes():
    assert set(traffic_calls._CAP_OK_CODES) == set(ERRORS["success_codes"])
    assert set(traffic_calls._CAP_DUPLICATE_CODES) == set(ERRORS["duplicate_codes"])
    assert traffic_calls._CAP_THROTTLED_CODE == ERRORS["throttle_code"] == LIMITS["code"]
    assert REQUEST[LIMITS["code"]]["status"] == LIMITS["status"]


# -- rate limits ------------------------------------------------------------------------
def test_the_server_enforces_the_documented_limits():
    documented = {region: row or {} for region, row in LIMITS["per_minute"].items()}
    assert documented == config.REGION_LIMITS
    assert LIMITS["default_per_minute"] == config.DEFAULT_LIMIT
    assert LIMITS["api_per_minute"] == config.API_LIMITS
    assert config.CapillaryConfig().region == LIMITS["default_region"]


def test_the_load_oracle_assumes_the_default_region():
    row = LIMITS["per_minute"][LIMITS["default_region"]]
    for op in OPERATIONS:
        found = limits.bucket_for("capillary", op["method"], op["path"])
        if not op["path"].startswith(FACTS["base_paths"]["client"] + "/"):
            assert found is None  # v2 calls: the oracle checks no limit there
            continue
        per_minute = row.get(op["api"], LIMITS["api_per_minute"].get(op["api"]))
        per_minute = per_minute or LIMITS["default_per_minute"]
        assert found == (op["api"], [(per_minute / 60.0, float(per_minute))]), op["name"]


# -- base paths and operations ----------------------------------------------------------
def test_base_paths_of_server_codec_and_certify_reader():
    paths = FACTS["base_paths"]
    assert tuple(paths["server"]) == (server_routes.PREFIX, server_routes.PREFIX_V2)
    assert tuple(DIALECT.prefixes) == tuple(paths["server"])
    assert (paths["client"], paths["client_v2"]) == (codec_module.BASE, codec_module.BASE_V2)
    for base in paths["server"]:
        assert traffic_calls._PATHS["capillary"].match(base + "/customer/get")
    assert not traffic_calls._PATHS["capillary"].match("/v1/users/x")


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op["name"])
def test_each_operation_is_served_on_its_rate_limit_key(op):
    route = route_for(route_table(DIALECT.router), op["method"], op["path"])
    assert route is not None, f"{op['method']} {op['path']} is not served"
    assert dependency_setting(route, "api") == op["api"]


def test_the_codec_sends_only_documented_operations():
    codec = codec_module.CapillaryCodec({"till": "t1", "password": "p"})
    sent = [
        codec._get("customer/get", {}),
        codec._get("points/isredeemable", {}),
        codec._post("transaction/add", "transaction", {}),
        codec._post("points/redeem", "redeem", {}),
        codec._post_v2("points/reverse", {}),
    ]
    documented = {(op["method"], op["path"]) for op in OPERATIONS}
    for request in sent:
        assert (request.method, request.path) in documented, request.path
    assert set(sent[2].json) == {FACTS["fields"]["envelope_root"]}


# -- field names ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        (schemas.RedeemIn, "points_redeem_request"),
        (schemas.CouponRedeemIn, "coupon_redeem_request"),
        (schemas.TransactionIn, "transaction_add_request"),
    ],
)
def test_the_server_schemas_read_the_documented_field_names(schema, fields):
    assert set(FACTS["fields"][fields]) <= set(schema.model_fields)


def test_the_facts_agree_with_the_vendor_openapi_file():
    spec = json.loads((ROOT / "fixtures/vendor/capillary/openapi-facts.json").read_text())
    for op in OPERATIONS:
        if op["path"].startswith("/v1.1/") and op["path"] in spec["paths"]:
            assert op["method"].lower() in spec["paths"][op["path"]], op["name"]
    query = spec["paths"]["/v1.1/points/isredeemable"]["get"]["parameters"]
    assert set(FACTS["fields"]["points_isredeemable_query"]) <= {p["name"] for p in query}
