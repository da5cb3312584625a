"""The one client-side Retry-After parser: delta-seconds, HTTP-dates, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.protocol import ops
from simulator.protocol.base import LoyaltyError, Response
from simulator.protocol.capillary import CapillaryCodec
from simulator.protocol.gameball import GameballCodec
from simulator.protocol.retry_after import parse_retry_after, retry_after
from simulator.protocol.wll import WLLCodec

NOW = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
instants = st.integers(min_value=0, max_value=4_000_000_000)


@given(st.integers(min_value=0, max_value=10**9))
def test_delta_seconds_are_read_as_given(seconds: int):
    assert parse_retry_after(str(seconds), now=NOW) == seconds
    assert parse_retry_after(f" {seconds} ", now=NOW) == seconds


@given(st.integers(min_value=-(10**9), max_value=-1))
def test_negative_delays_clamp_to_zero(seconds: int):
    assert parse_retry_after(str(seconds), now=NOW) == 0.0


@given(instants, instants)
def test_http_dates_count_from_the_given_instant(at: int, now: int):
    date = format_datetime(datetime.fromtimestamp(at, UTC), usegmt=True)
    assert parse_retry_after(date, now=now) == max(0, at - now)


@given(st.text())
def test_garbage_is_none_never_an_exception(value: str):
    wait = parse_retry_after(value, now=NOW)
    assert wait is None or wait >= 0


def test_unreadable_values_are_none():
    for value in (None, "", "  ", "soon", "nan", "inf", "-inf", "1e999", "Mon, 99 Foo 2015"):
        assert parse_retry_after(value, now=NOW) is None, value


def test_a_date_without_zone_is_utc():
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:30 -0000", now=NOW) == 30


def test_header_lookup_ignores_letter_case():
    assert retry_after({"RETRY-AFTER": "7"}) == 7
    assert retry_after({"Content-Type": "x"}) is None


CODECS = {
    "gameball": lambda: GameballCodec({"apiKey": "k" * 32, "secretKey": "sk_" + "s" * 32}),
    "wll": lambda: WLLCodec({"apiKey": "key", "clientId": "cid", "clientSecret": "secret"}),
    "capillary": lambda: CapillaryCodec({"till": "t1.store1.till1", "password": "123"}),
}
PAST = "Wed, 21 Oct 2015 07:28:00 GMT"


@pytest.mark.parametrize("dialect", sorted(CODECS))
@pytest.mark.parametrize(("header", "wait"), [("3", 3.0), ("-4", 0.0), (PAST, 0.0), ("x", None)])
def test_every_codec_reads_retry_after_the_same_way(dialect: str, header: str, wait):
    codec = CODECS[dialect]()
    codec.token = "tok"  # WLL: as after its first call
    with pytest.raises(LoyaltyError) as caught:
        codec.decode(ops.Identify("m1"), Response(429, {"Retry-After": header}, b"{}"))
    assert (caught.value.code, caught.value.retry_after) == ("rate_limited", wait)
