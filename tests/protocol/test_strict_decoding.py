"""An answer that is not in the vendor's shape is a failure naming the call, the status and the
first bytes of the body: never a default value (a garbage 200 once read as zero balances)."""

from __future__ import annotations

import json

import pytest

from simulator.gateway import LoyaltyGateway
from simulator.protocol import codec_for, ops
from simulator.protocol.base import BadAnswer, Response

CREDENTIALS = {
    "gameball": {"apiKey": "k", "secretKey": "s"},
    "wll": {"apiKey": "k", "clientId": "c", "clientSecret": "s"},
    "capillary": {"till": "t1.store1.till1", "password": "123"},
}
GARBAGE = b"<html><body>It works!</body></html>"


class Answering:
    """A transport that answers every request with the same bytes, and notes the calls."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body, self.sent = status, body, []

    def send(self, request):
        self.sent.append(request)
        if request.path.endswith(("/token", "oauth/token")):  # WLL's token step first
            return Response(200, {}, json.dumps({"access_token": "t"}).encode())
        return Response(self.status, {}, self.body)


def _codec(dialect: str):
    codec = codec_for(dialect, CREDENTIALS[dialect])
    if dialect == "wll":
        codec.token = "t"  # past the token step: the answer under test is the API's own
    return codec


def test_a_body_that_is_not_json_is_a_bad_answer_not_none():
    with pytest.raises(BadAnswer, match=r"HTTP 200, the body is not JSON; body '<html>"):
        Response(200, {}, GARBAGE).json()
    assert Response(200, {}, b"").json() is None  # an empty body is no body
    assert Response(502, {}, GARBAGE).answer() is None  # the status already says it failed


@pytest.mark.parametrize("dialect", sorted(CREDENTIALS))
@pytest.mark.parametrize("body", [GARBAGE, b"{}", b"[1, 2]", b'"text"'])
def test_a_balance_never_defaults_to_zero(dialect, body):
    with pytest.raises(BadAnswer) as caught:
        _codec(dialect).decode(ops.GetBalance("m1"), Response(200, {}, body))
    assert caught.value.code == "server_error" and caught.value.status == 200
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("dialect", sorted(CREDENTIALS))
def test_the_gateway_names_the_call_status_and_first_bytes(dialect):
    transport = Answering(200, GARBAGE * 10)
    gateway = LoyaltyGateway(_codec(dialect), transport)
    with pytest.raises(BadAnswer) as caught:
        gateway.balance("m1")
    reason = str(caught.value)
    last = transport.sent[-1]
    assert reason.startswith(f"{last.method} {last.path}: HTTP 200")
    assert "<html><body>It works!" in reason and reason.endswith("…'")
    assert len(reason) < 300 and "\n" not in reason
    assert len(transport.sent) <= 2  # not retried: the request may have taken effect


def test_a_hold_without_its_reference_is_a_bad_answer_not_a_key_error():
    codec = _codec("gameball")
    op = ops.ReservePoints("m1", 100, "chk-1")
    with pytest.raises(BadAnswer, match="no holdReference"):
        codec.decode(op, Response(200, {}, b'{"holdAmount": 1}'))
