"""Masking for the traffic log: no secret or personal value leaves it in clear.

Applied when an exchange is read (control plane, inspector) and when it is written to the
`--record` file, over every encoding a body or credential travels in: JSON (also a cut-off
JSON prefix), form-encoded OAuth bodies, query strings, Basic and Bearer headers.

Secrets keep their last 4 characters (enough to tell two keys apart); personal values keep
their shape, an e-mail's domain and a phone's last 2 digits, the same way every time, so a
reader (or `posim audit`) can still tell that one was sent and follow a member.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

_SECRET_HINTS = ("key", "secret", "authorization", "token", "password", "cookie")
_NOT_SECRET = ("token_type", "expires_in")
_PERSONAL_HINTS = ("email", "mobile", "phone", "msisdn")

_EMAIL = re.compile(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)")
_PHONE = re.compile(r"\+\d[\d ()-]{6,18}\d")
_AUTH_VALUE = re.compile(r"\b(Bearer|Basic)\s+[\w.~+/=-]+", re.IGNORECASE)
# "client_secret": "abc" in JSON that could not be parsed (cut off at the stored prefix)
_JSON_SECRET = re.compile(
    r'("[^"]*(?:key|secret|token|password|authorization)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"?',
    re.IGNORECASE,
)
# client_secret=abc in form or query text
_FORM_SECRET = re.compile(
    r"((?:^|[&?\s])[\w.\[\]-]*(?:key|secret|token|password)[\w.\[\]-]*=)[^&\s]*",
    re.IGNORECASE,
)


def mask(value: str) -> str:
    return "***" + value[-4:] if len(value) > 8 else "***"


def mask_personal(value: str) -> str:
    """An e-mail or phone keeps its shape (so `posim audit` still sees one was sent) but
    not its person: redacted@domain, +000000000NN."""
    text = value.strip()
    email = _EMAIL.fullmatch(text)
    if email:
        return f"redacted@{email.group(1)}"
    digits = [ch for ch in text if ch.isdigit()]
    if text.startswith("+") and len(digits) >= 8:
        return "+" + "0" * (len(digits) - 2) + "".join(digits[-2:])
    return "***" + "".join(digits[-2:])


def secret_name(name: str) -> bool:
    name = name.lower()
    return not name.endswith(_NOT_SECRET) and any(h in name for h in _SECRET_HINTS)


def personal_name(name: str) -> bool:
    name = name.lower()
    return any(h in name for h in _PERSONAL_HINTS)


def masked_text(text: str) -> str:
    """Secrets and personal data masked by shape, in text of any encoding."""
    text = _JSON_SECRET.sub(r'\1"***"', text)
    text = _FORM_SECRET.sub(r"\1***", text)
    text = _AUTH_VALUE.sub(r"\1 ***", text)
    text = _EMAIL.sub(lambda m: f"redacted@{m.group(1)}", text)
    return _PHONE.sub(lambda m: mask_personal(m.group(0)), text)


def masked_json(value: Any) -> Any:
    """Secret and personal keys masked by name anywhere in a JSON document; other strings
    by shape."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = str(key)
            if isinstance(item, str | int) and not isinstance(item, bool):
                if secret_name(name):
                    item = mask(str(item))
                elif personal_name(name):
                    item = mask_personal(str(item))
            out[key] = masked_json(item)
        return out
    if isinstance(value, list):
        return [masked_json(v) for v in value]
    if isinstance(value, str):
        return masked_text(value)
    return value


def _masked_pairs(pairs: list[tuple[str, str]]) -> str:
    shown = []
    for name, value in pairs:
        if secret_name(name):
            value = mask(value)
        elif personal_name(name):
            value = mask_personal(value)
        else:
            value = masked_text(value)
        shown.append((name, value))
    return urlencode(shown, safe="*@")


def masked_query(raw: bytes) -> str:
    return _masked_pairs(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


def masked_form(text: str) -> str:
    return _masked_pairs(parse_qsl(text, keep_blank_values=True))


def masked_header(name: str, value: str) -> str:
    if name == "authorization":  # keep the scheme: it tells Basic from Bearer
        scheme, _, credential = value.partition(" ")
        return f"{scheme} {mask(credential)}" if credential else mask(value)
    if secret_name(name):
        return mask(value)
    return masked_text(value) if personal_name(name) or "@" in value else value


def masked_headers(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    out = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        out[name] = masked_header(name, raw_value.decode("latin-1"))
    return out
