"""The Codec contract: every vendor codec meets it, and the gateway holds each answer to the
kind of result its operation promises (a codec answering the wrong kind is a bug, not data)."""

from __future__ import annotations

import json

import pytest

from simulator.gateway import LoyaltyGateway
from simulator.protocol import DIALECTS, Codec, codec_for, ops
from simulator.protocol.base import Response

CREDENTIALS = {
    "gameball": {"apiKey": "k", "secretKey": "s"},
    "wll": {"apiKey": "k", "clientId": "c", "clientSecret": "s"},
    "capillary": {"till": "t1.store1.till1", "password": "123"},
}


class Answering:
    def __init__(self, body: dict) -> None:
        self.body = json.dumps(body).encode()

    def send(self, request):
        return Response(200, {}, self.body)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_codec_meets_the_contract(dialect):
    codec = codec_for(dialect, CREDENTIALS[dialect])
    assert isinstance(codec, Codec)
    assert codec.dialect == dialect
    assert all(isinstance(why, str) and why for why in codec.not_applicable.values())


def test_the_gateway_refuses_an_answer_of_the_wrong_kind(monkeypatch):
    codec = codec_for("gameball", CREDENTIALS["gameball"])
    monkeypatch.setattr(codec, "decode", lambda op, response: ops.Balance(available=5))
    gateway = LoyaltyGateway(codec, Answering({}))
    with pytest.raises(TypeError, match="answered Identify with Balance"):
        gateway.identify("m1")
    assert gateway.balance("m1") == ops.Balance(available=5)
