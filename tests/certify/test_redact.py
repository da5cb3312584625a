"""Masking: by field name, by known value and by shape."""

from __future__ import annotations

from simulator.certify.redact import PERSONAL, SECRET, Redactor, personal_name, secret_name


def test_names_that_look_secret_or_personal():
    for name in ("APIKey", "SecretKey", "Authorization", "access_token", "client_secret", "hash"):
        assert secret_name(name), name
    for name in ("token_type", "expires_in", "orderId", "pointsHoldReference", "amount"):
        assert not secret_name(name), name
    for name in ("email", "mobile", "firstName", "last_name", "telephone", "card_number"):
        assert personal_name(name), name
    for name in ("customerId", "title", "sku", "name", "authIdentifier"):
        assert not personal_name(name), name


def test_json_is_masked_by_key_at_any_depth():
    r = Redactor()
    doc = {
        "customerId": "alice-1",
        "customerAttributes": {"email": "a@example.com", "firstName": "Alice", "mobile": None},
        "lines": [{"sku": "A", "secretKey": "s3cr3t-value"}],
    }
    assert r.json(doc) == {
        "customerId": "alice-1",
        "customerAttributes": {"email": PERSONAL, "firstName": PERSONAL, "mobile": None},
        "lines": [{"sku": "A", "secretKey": SECRET}],
    }


def test_learned_values_are_masked_wherever_they_appear():
    r = Redactor()
    r.learn_headers({"APIKey": "gb-key-123456", "Authorization": "Bearer opaque-token-9"})
    r.learn_json({"customer": {"mobile": "201012345678", "email": "bob@shop.test"}})
    text = r.text(
        "GET /customers/201012345678 key gb-key-123456 token opaque-token-9 bob@shop.test"
    )
    assert "201012345678" not in text and "gb-key-123456" not in text
    assert "opaque-token-9" not in text and "bob@shop.test" not in text
    assert r.headers({"APIKey": "anything", "Accept": "application/json"}) == {
        "APIKey": SECRET,
        "Accept": "application/json",
    }


def test_shapes_are_masked_in_free_text():
    r = Redactor()
    text = r.text(
        "Customer '+201093475490' not found; mail x.y@corp.example; card 4000000012345678; "
        "jwt eyJhbGciOi.eyJzdWIiOiJ4In0.c2lnbmF0dXJl; Basic dXNlcjpwYXNz; "
        "https://user:pw@host.example/api at 2026-11-25T14:00:00Z order downtown-lane-1-00001"
    )
    for leaked in ("201093475490", "x.y@corp", "4000000012345678", "eyJhbGciOi", "dXNlcjpwYXNz"):
        assert leaked not in text, leaked
    assert "user:pw" not in text
    assert "2026-11-25T14:00:00Z" in text and "downtown-lane-1-00001" in text
