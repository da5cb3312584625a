"""Masking for everything certify writes: secrets and personal data never reach a report.

Three layers, applied in this order:

1. by key: the value of a header or JSON field whose name looks secret (key, secret, token,
   authorization, password, ...) or personal (email, mobile, phone, first/last name, card
   number, address, birth date, ...) is replaced whatever it looks like;
2. by value: every secret and personal value seen anywhere in the run (credentials, personas,
   values masked by key) is replaced wherever else it turns up (paths, messages, bodies);
3. by shape: e-mail addresses, international phone numbers, long digit runs (cards, phones),
   JWTs and Bearer/Basic credentials are replaced in any text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, quote_plus

SECRET = "[secret]"
PERSONAL = "[personal]"

_SECRET_HINTS = ("key", "secret", "token", "authorization", "password", "passwd", "cookie")
_NOT_SECRET_SUFFIXES = ("type", "expiresin", "expiresat", "ttl")
_SECRET_EXACT = {"hash", "signature", "otp", "validationcode", "pin", "cvv", "credentials"}
_PERSONAL_EXACT = {
    "email",
    "mobile",
    "phone",
    "telephone",
    "msisdn",
    "firstname",
    "lastname",
    "middlename",
    "givenname",
    "familyname",
    "fullname",
    "names",
    "customername",
    "birthdate",
    "dateofbirth",
    "dob",
    "birthday",
    "address",
    "streetaddress",
    "street",
    "postcode",
    "zipcode",
    "zip",
    "cardnumber",
    "card",
}
_PERSONAL_SUFFIXES = ("email", "mobile", "phone", "phonenumber", "firstname", "lastname")

_SHAPES = (
    (re.compile(r"[\w.+'%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+"), PERSONAL),
    (re.compile(r"(?:\+|%2[Bb])\d[\d ]{6,16}\d"), PERSONAL),
    (re.compile(r"(?<![\w.\-])\d{10,19}(?![\w.\-])"), PERSONAL),
    (re.compile(r"\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*"), SECRET),
    (re.compile(r"\b(Bearer|Basic)\s+[\w.~+/=-]+", re.IGNORECASE), r"\1 " + SECRET),
    (re.compile(r"(?<=://)[^/@\s:]+:[^/@\s]+(?=@)"), SECRET),
)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def secret_name(name: str) -> bool:
    n = _norm(name)
    if n.endswith(_NOT_SECRET_SUFFIXES):  # token_type, key_expires_in: about a secret
        return False
    return n in _SECRET_EXACT or any(h in n for h in _SECRET_HINTS)


def personal_name(name: str) -> bool:
    n = _norm(name)
    return n in _PERSONAL_EXACT or n.endswith(_PERSONAL_SUFFIXES)


def _leaves(value: Any):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


class Redactor:
    """Masks one run's secrets and personal data; learn values first, then mask."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    # -- learning ---------------------------------------------------------------------
    def _remember(self, leaf: str, mask: str) -> None:
        for form in {leaf, quote(leaf, safe=""), quote_plus(leaf)}:  # as sent in a URL too
            if self._known.get(form) != SECRET:
                self._known[form] = mask

    def secret(self, value: Any) -> None:
        for leaf in _leaves(value):
            if len(leaf) >= 4:
                self._remember(leaf, SECRET)

    def personal(self, value: Any) -> None:
        """A personal value masked wherever it appears (names are masked by key only)."""
        for leaf in _leaves(value):
            if len(leaf) >= 5:
                self._remember(leaf, PERSONAL)

    def learn_headers(self, headers: dict[str, Any] | None) -> None:
        for name, value in (headers or {}).items():
            if secret_name(name):
                self.secret(value)
                parts = str(value).split()
                if len(parts) > 1:  # "Bearer <token>", "Basic <base64>"
                    self.secret(parts[-1])

    def learn_json(self, value: Any) -> None:
        """Learn the values of secret- and personal-looking fields anywhere in a document."""
        if isinstance(value, dict):
            for k, v in value.items():
                if secret_name(str(k)):
                    self.secret(v)
                elif personal_name(str(k)) and not _norm(str(k)).endswith("name"):
                    self.personal(v)
                else:
                    self.learn_json(v)
        elif isinstance(value, list | tuple):
            for v in value:
                self.learn_json(v)

    # -- masking ----------------------------------------------------------------------
    def text(self, value: str | None) -> str | None:
        return None if value is None else self.mask(value)

    def mask(self, value: str) -> str:
        out = value
        for known in sorted(self._known, key=len, reverse=True):
            if known in out:
                out = out.replace(known, self._known[known])
        for pattern, replacement in _SHAPES:
            out = pattern.sub(replacement, out)
        return out

    def headers(self, headers: dict[str, Any] | None) -> dict[str, str]:
        return {
            str(k): SECRET if secret_name(str(k)) else self.mask(str(v))
            for k, v in (headers or {}).items()
        }

    def json(self, value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                key = self.text(str(k))
                if secret_name(str(k)) and v not in (None, ""):
                    out[key] = SECRET
                elif personal_name(str(k)) and v not in (None, ""):
                    out[key] = PERSONAL
                else:
                    out[key] = self.json(v)
            return out
        if isinstance(value, list | tuple):
            return [self.json(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value
