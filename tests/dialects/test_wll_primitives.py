"""Unit tests of the wll dialect's small helpers."""

from __future__ import annotations

import base64

import pytest

from reference_backend.dialects.wll import jwt, payload_schema

SECRET = "s" * 32  # HS256 wants a key of 32 bytes or more

# -- unit tests of the JWT module (over PyJWT) and the payload schema checker -----------


def test_jwt_round_trip_and_tamper_detection():
    token = jwt.encode({"sub": "u1", "exp": 10}, SECRET)
    assert jwt.decode(token, SECRET) == {"sub": "u1", "exp": 10}
    with pytest.raises(jwt.JwtError):
        jwt.decode(token, "o" * 32)
    head, body, sig = token.split(".")
    forged = jwt.encode({"sub": "u2", "exp": 10}, "x" * 32).split(".")[1]
    with pytest.raises(jwt.JwtError, match="signature"):
        jwt.decode(f"{head}.{forged}.{sig}", SECRET)


def test_jwt_refuses_alg_none_and_garbage():
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    body = base64.urlsafe_b64encode(b'{"sub":"u1"}').decode().rstrip("=")
    with pytest.raises(jwt.JwtError, match="algorithm"):
        jwt.decode(f"{none_header}.{body}.", SECRET)
    for garbage in ("a.b", "!!!.###.$$$", "e30.e30"):
        with pytest.raises(jwt.JwtError):
            jwt.decode(garbage, SECRET)


def test_jwt_times_are_checked_against_the_given_clock():
    jwt.check_times({"exp": 100}, now=99.9)
    with pytest.raises(jwt.JwtError, match="expired"):
        jwt.check_times({"exp": 100}, now=100)
    with pytest.raises(jwt.JwtError, match="not valid yet"):
        jwt.check_times({"exp": 100, "nbf": 50}, now=10)


def test_payload_schema_subset():
    schema = {
        "type": "object",
        "required": ["amount", "basket"],
        "properties": {
            "amount": {"type": "number", "minimum": 0},
            "points": {"type": "integer", "minimum": 1},
            "basket": {"type": "array", "items": {"type": "object", "required": ["sku"]}},
        },
    }
    assert payload_schema.check(schema, {"amount": 1.5, "basket": [{"sku": "A"}]}) == {}
    assert payload_schema.check(schema, {"amount": 2, "points": 3.0, "basket": []}) == {}
    errors = payload_schema.check(schema, {"amount": -1, "points": 1.5, "basket": [{}]})
    assert errors == {
        "amount": "must be >= 0",
        "points": "must be of type integer",
        "basket.0.sku": "is required",
    }
    assert payload_schema.check(schema, {"amount": True, "basket": []}) == {
        "amount": "must be of type number"
    }
    assert payload_schema.check({"type": "object"}, []) == {"payload": "must be of type object"}
