"""Unit tests of the capillary dialect's small helpers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from reference_backend.dialects.capillary import CapillaryConfig, basic_header
from reference_backend.dialects.capillary.auth import _decode_basic, md5_hex, store_of
from reference_backend.dialects.capillary.errors import ItemError
from reference_backend.dialects.capillary.schemas import listed, parse_time, points_of

# -- unit tests of the dialect's small helpers ---------------------------------------


def test_basic_header_carries_md5_of_password():
    header = basic_header("demo.store1.till1", "123")
    decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
    assert decoded == "demo.store1.till1:202cb962ac59075b964b07152d234b70"
    assert md5_hex("123") == "202cb962ac59075b964b07152d234b70"


def test_decoding_tolerates_the_doc_sample_space_and_upper_case_hex():
    token = base64.b64encode(b"till1: 202CB962AC59075B964B07152D234B70").decode()
    assert _decode_basic(f"Basic {token}") == ("till1", "202cb962ac59075b964b07152d234b70")
    assert _decode_basic("Bearer abc") is None
    assert _decode_basic("Basic !!!") is None
    assert _decode_basic("Basic " + base64.b64encode(b"no-colon").decode()) is None


def test_store_is_read_from_the_till_code():
    assert store_of("demo.store2.till1") == "store2"
    assert store_of("t.x.y.store9.till1") == "store9"
    assert store_of("plain") == "store1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("100", 100), (100, 100), ("100.000", 100), (" 7 ", 7)],
)
def test_points_accept_numeric_strings(raw, expected):
    assert points_of(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [("abc", 801), ("-5", 801), ("0", 801), (None, 801), ("1.2345", 878), ("1.5", 801)],
)
def test_points_reject_with_item_codes(raw, code):
    with pytest.raises(ItemError) as caught:
        points_of(raw)
    assert caught.value.code == code


def test_list_containers_accept_object_or_list():
    assert listed({"line_item": {"a": 1}}, "line_item") == [{"a": 1}]
    assert listed({"line_item": [{"a": 1}]}, "line_item") == [{"a": 1}]
    assert listed([{"a": 1}], "line_item") == [{"a": 1}]
    assert listed(None, "line_item") == []


def test_times_accept_the_v11_formats():
    expected = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2026-01-02 03:04:05", 621) == expected
    assert parse_time("2026-01-02T03:04:05", 621) == expected
    assert parse_time("2026-01-02T05:04:05+02:00", 621) == expected
    assert parse_time("2026-01-02", 621) == expected - timedelta(hours=3, minutes=4, seconds=5)
    with pytest.raises(ItemError):
        parse_time("yesterday", 621)


def test_rate_limits_follow_the_region_table():
    cfg = CapillaryConfig()
    assert cfg.limit_for("transaction/add") == 1500
    assert cfg.limit_for("customer/add") == 700
    assert cfg.limit_for("customer/get") == 1000
    assert CapillaryConfig(region="emea").limit_for("customer/update") == 300
    assert CapillaryConfig(region="us").limit_for("transaction/add") == 0
    assert CapillaryConfig(rate_limits={"customer/get": 5}).limit_for("customer/get") == 5
