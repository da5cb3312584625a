"""WLL user tokens: HS256 with the tenant's key, RS256 against the tenant's JWKS, and a 401
in WLL's own envelope (never a 500) for every token it refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from reference_backend.dialects.wll import jwt
from tests.support.wll import Wll, make_fixture

wll = make_fixture()
SUB = "auth0|ann"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks(key: rsa.RSAPrivateKey, kid: str = "k1") -> dict:
    public = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {"keys": [{**public, "kid": kid, "use": "sig", "alg": "RS256"}]}


def _claims(w: Wll, **changes) -> dict:
    now = int(w.tenant.engine.now().timestamp())
    claims = {"sub": SUB, "iss": w.creds["jwtIssuer"], "iat": now, "exp": now + 600}
    return {**claims, **changes}


def _set_jwks(w: Wll, jwks: dict | None):
    return w.client.put("/_posim/tenants/demo/dialects/wll", json={"jwks": jwks})


def _refused(w: Wll, token: str) -> dict:
    return w.failed(w.get("/users/me/wallet", token=token), 401)


def test_rs256_token_round_trip_against_the_tenant_jwks(wll: Wll):
    wll.create_user(SUB)
    key = _rsa_key()
    token = jwt.encode(_claims(wll), key, headers={"kid": "k1"}, algorithm="RS256")
    assert (
        _refused(wll, token)["data"]["reason"]
        == "RS256 tokens need a JWKS, and this tenant has none"
    )
    assert _set_jwks(wll, _jwks(key)).status_code == 200
    assert wll.ok(wll.get("/users/me/wallet", token=token))["points"] == 0
    # HS256 user tokens keep working beside the JWKS
    wll.ok(wll.get("/users/me/wallet", token=wll.user_token(SUB)))
    assert _set_jwks(wll, None).status_code == 200  # null forgets the keys
    _refused(wll, token)


def test_rs256_refusals(wll: Wll):
    wll.create_user(SUB)
    key, other = _rsa_key(), _rsa_key()
    _set_jwks(wll, _jwks(key))
    cases = {
        "token kid is not in the tenant's JWKS": jwt.encode(
            _claims(wll), key, headers={"kid": "k9"}, algorithm="RS256"
        ),
        "RS256 token has no kid": jwt.encode(_claims(wll), key, algorithm="RS256"),
        "invalid token signature": jwt.encode(
            _claims(wll), other, headers={"kid": "k1"}, algorithm="RS256"
        ),
        "token expired": jwt.encode(
            _claims(wll, exp=_claims(wll)["iat"]), key, headers={"kid": "k1"}, algorithm="RS256"
        ),
    }
    for reason, token in cases.items():
        assert _refused(wll, token)["data"]["reason"] == reason


def test_hs256_signed_with_the_public_key_is_refused(wll: Wll):
    # algorithm confusion: the JWKS's public key used as an HMAC secret
    wll.create_user(SUB)
    key = _rsa_key()
    _set_jwks(wll, _jwks(key))
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(_claims(wll)).encode())
    signature = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert _refused(wll, f"{head}.{body}.{_b64(signature)}")["data"]["reason"] == (
        "invalid token signature"
    )


def _forged(header: bytes, claims: dict) -> str:
    return f"{_b64(header)}.{_b64(json.dumps(claims).encode())}.{_b64(b'sig')}"


@pytest.mark.parametrize(
    "name",
    ["garbage", "alg none", "wrong key", "expired", "deep header", "huge header", "bad json"],
)
def test_every_bad_token_is_a_401_in_the_wll_envelope(wll: Wll, name: str):
    wll.create_user(SUB)
    claims = _claims(wll)
    secret = wll.creds["jwtSecret"]
    deep = b'{"alg":"HS256","x":' + b"[" * 2_000 + b"]" * 2_000 + b"}"
    tokens = {
        "garbage": "a.b.c",
        "alg none": _forged(b'{"alg":"none","typ":"JWT"}', claims)[: -len(_b64(b"sig"))],
        "wrong key": jwt.encode(claims, "not-the-tenant-secret-but-long-enough-for-hs256"),
        "expired": jwt.encode({**claims, "exp": claims["iat"]}, secret),
        "deep header": _forged(deep, claims),
        "huge header": jwt.encode(claims, secret, headers={"pad": "x" * 20_000}),
        "bad json": _forged(b'{"alg":"HS256"', claims),
    }
    body = _refused(wll, tokens[name])
    assert body["message"] in ("Invalid token", "Token expired")
    assert (body["message"] == "Token expired") == (name == "expired")


def test_deep_header_is_refused_before_pyjwt_parses_it():
    deep = b'{"alg":"HS256","x":' + b"[" * 2_000 + b"]" * 2_000 + b"}"
    with pytest.raises(jwt.JwtError, match="not JSON"):
        jwt.decode(_forged(deep, {"sub": "u"}), "s" * 32)


def test_jwks_settings_are_checked(wll: Wll):
    key = _rsa_key()
    good = _jwks(key)
    bad = [
        {"keys": []},
        {"keys": "no"},
        [good["keys"][0]],
        {"keys": [{**good["keys"][0], "kid": ""}]},
        {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]},
        {"keys": [{**good["keys"][0], "n": "!!"}]},
    ]
    for jwks in bad:
        response = _set_jwks(wll, jwks)
        assert response.status_code == 400, (jwks, response.text)
        assert "invalid wll settings" in response.json()["error"]["message"]
    response = wll.client.put("/_posim/tenants/demo/dialects/wll", json={"jwksUrl": "x"})
    assert response.status_code == 400
    assert _set_jwks(wll, good).status_code == 200
    assert wll.tenant.dialect_data("wll")["jwks"] == good


def test_the_jwks_survives_a_snapshot_and_restore(wll: Wll):
    wll.create_user(SUB)
    key = _rsa_key()
    _set_jwks(wll, _jwks(key))
    snapshot = wll.client.get("/_posim/tenants/demo/snapshot").json()
    _set_jwks(wll, None)
    assert wll.client.post("/_posim/tenants/demo/restore", json=snapshot).status_code == 200
    token = jwt.encode(_claims(wll), key, headers={"kid": "k1"}, algorithm="RS256")
    wll.ok(wll.get("/users/me/wallet", token=token))
