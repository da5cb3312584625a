"""Gameball's server dialect, client codec, certify reader and load limits, each against
fixtures/vendor/gameball/facts.json (none of them is checked against another)."""

from __future__ import annotations

import json

import pytest

from loadtests import limits
from reference_backend.dialects.gameball import DIALECT, auth, schemas
from reference_backend.dialects.gameball import errors as server_errors
from simulator.certify import traffic_calls
from simulator.protocol import gameball as codec_module
from simulator.protocol import ops
from tests.support.vendor_facts import (
    ROOT,
    concrete,
    dependency_setting,
    facts,
    operation_for,
    route_for,
    route_table,
    token_buckets,
)

FACTS = facts("gameball")
CODES = {int(code): entry for code, entry in FACTS["errors"]["codes"].items()}
BASE = FACTS["base_paths"]["client"]
OPERATIONS = FACTS["operations"]


# -- error codes ------------------------------------------------------------------------
def test_every_code_the_server_answers_is_documented_with_its_status():
    for code, (status, _message) in server_errors.CODES.items():
        assert code in CODES, f"server answers undocumented code {code}"
        assert CODES[code]["status"] == status, f"code {code}"


def test_engine_codes_map_to_documented_codes():
    assert set(server_errors.ENGINE_CODES.values()) <= set(CODES)


def test_every_code_the_codec_reads_is_documented():
    assert set(codec_module.ERRORS) <= set(CODES)


def test_the_certify_reader_knows_the_duplicate_code():
    assert set(traffic_calls._GB_DUPLICATE) == set(FACTS["errors"]["duplicate_codes"])


def test_a_throttled_call_answers_the_facts_code_and_status():
    caller = auth.Caller(_Tenant(), "key")
    with pytest.raises(server_errors.GameballError) as raised:
        for _ in range(100):
            auth.throttle(caller, "transactions")
    assert raised.value.code == FACTS["rate_limits"]["code"]
    assert raised.value.status == FACTS["rate_limits"]["status"]
    assert codec_module.ERRORS[FACTS["rate_limits"]["code"]] == "rate_limited"


class _Tenant:
    """Just enough of a tenant for `throttle`: one token bucket per key, no refill."""

    def __init__(self) -> None:
        self.buckets: dict = {}

    def limiter(self, key, rate, burst):
        from reference_backend.dialects.ratelimit import TokenBucket

        return self.buckets.setdefault(key, TokenBucket(rate, burst, now=lambda: 0.0))


# -- rate limits ------------------------------------------------------------------------
def test_the_server_enforces_the_documented_buckets():
    assert set(auth.RATE_LIMITS) == set(FACTS["rate_limits"]["buckets"])
    for bucket, (per_second, per_30s) in auth.RATE_LIMITS.items():
        # auth.throttle takes a token from (per_second, per_second) and (per_30s/30, per_30s)
        enforced = [(float(per_second), float(per_second)), (per_30s / 30, float(per_30s))]
        assert enforced == token_buckets("gameball", bucket), bucket


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op["name"])
def test_each_operation_is_served_under_every_base_path_on_its_bucket(op):
    table = route_table(DIALECT.router)
    for base in FACTS["base_paths"]["server"]:
        route = route_for(table, op["method"], base + op["path"])
        assert route is not None, f"{op['method']} {base}{op['path']} is not served"
        assert dependency_setting(route, "bucket") == op["bucket"]


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op["name"])
def test_the_load_oracle_counts_each_operation_against_its_bucket(op):
    found = limits.bucket_for("gameball", op["method"], BASE + concrete(op["path"]))
    assert found == (op["bucket"], token_buckets("gameball", op["bucket"]))


# -- base paths -------------------------------------------------------------------------
def test_base_paths_of_server_codec_and_certify_reader():
    server = FACTS["base_paths"]["server"]
    assert DIALECT.prefixes[: len(server)] == tuple(server)
    assert codec_module.BASE == BASE
    for base in server:
        assert traffic_calls._PATHS["gameball"].match(base + "/orders")
        assert traffic_calls._GB.match(base + "/orders")
    for other in ("/v1/users/x", "/v1.1/customer/get"):
        assert not traffic_calls._PATHS["gameball"].match(other)


# -- what the codec sends ---------------------------------------------------------------
def _codec():
    return codec_module.GameballCodec({"apiKey": "k", "secretKey": "s"})


SALE_LINE = ops.SaleLine("sku1", 1, 1000)
RESERVATION = ops.Reservation("hold-1", 100)
CODEC_OPS = [
    ops.Enroll("c1", email="a@example.com"),
    ops.GetBalance("c1"),
    ops.Identify("c1"),
    ops.ReservePoints("c1", 100, "chk-1"),
    ops.ReleasePoints("c1", RESERVATION),
    ops.SubmitSale("c1", "o1", (SALE_LINE,), 1000, 900, RESERVATION, ("SAVE5",)),
    ops.RefundSale("c1", "o1", "r1", amount=500),
    ops.TrackEvent("c1", "visit", {}),
    ops.ListVouchers("c1"),
    ops.UseVoucher("c1", "SAVE5", burn=False),
    ops.UseVoucher("c1", "SAVE5", order_id="o1"),
]


@pytest.mark.parametrize("op", CODEC_OPS, ids=lambda op: type(op).__name__)
def test_the_codec_sends_only_documented_operations(op):
    request = _codec().encode(op)
    assert request.path.startswith(BASE + "/")
    assert operation_for("gameball", request.method, request.path[len(BASE) :]), request.path


def test_the_codec_sends_the_documented_field_names():
    fields = FACTS["fields"]
    codec = _codec()
    hold = codec.encode(ops.ReservePoints("c1", 100, "chk-1")).json
    assert set(hold) <= set(fields["hold_request"])
    order = codec.encode(CODEC_OPS[5]).json
    assert set(fields["order_request"]) <= set(order)
    assert set(order["redemption"]) == set(fields["order_redemption"])
    refund = codec.encode(CODEC_OPS[6]).json
    assert set(refund) <= set(fields["refund_request"])


# -- what the server reads --------------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        (schemas.HoldRequest, "hold_request"),
        (schemas.OrderRequest, "order_request"),
        (schemas.Redemption, "order_redemption"),
        (schemas.RedeemRequest, "redeem_request"),
        (schemas.RefundRequest, "refund_request"),
    ],
)
def test_the_server_schemas_read_the_documented_field_names(schema, fields):
    assert set(FACTS["fields"][fields]) <= set(schema.model_fields)


# -- the facts against the vendor's own OpenAPI file ------------------------------------
def test_the_facts_agree_with_the_vendor_openapi_file():
    spec = json.loads((ROOT / "fixtures/vendor/gameball/openapi-facts.json").read_text())
    for op in OPERATIONS:
        assert op["method"].lower() in spec["paths"].get(BASE + op["path"], {}), op["name"]
    for fields, path in (("hold_request", "/transactions/hold"), ("order_request", "/orders")):
        body = spec["paths"][BASE + path]["post"]["requestBody"]["content"]["application/json"]
        assert set(FACTS["fields"][fields]) <= set(body["schema"]["properties"]), fields
