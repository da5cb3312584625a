"""Validation codes (OTP) for points redemption, timed on the tenant's engine clock.

Within its validity the same code is issued again (capillary.md §3.8). A successful
redeem consumes it. Codes are derived from a hash, so runs are reproducible.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from .auth import Till

OTPS = "otps"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _make_code(till: Till, member_id: str) -> str:
    serial = till.data.get("otp_serial", 0) + 1
    till.data["otp_serial"] = serial
    digest = hashlib.sha256(f"{till.tenant.tenant_id}:{member_id}:{serial}".encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:6])


def issue(till: Till, member_id: str) -> str:
    store = till.data.setdefault(OTPS, {})
    now = till.engine.now()
    current = store.get(member_id)
    if current and now < current["expires_at"]:
        return current["code"]
    code = _make_code(till, member_id)
    expires = now + timedelta(minutes=till.cfg.otp_validity_minutes)
    store[member_id] = {"code": code, "expires_at": expires}
    return code


def is_valid(till: Till, member_id: str, code: str) -> bool:
    current = till.data.get(OTPS, {}).get(member_id)
    if not current or till.engine.now() >= current["expires_at"]:
        return False
    return current["code"].upper() == code.strip().upper()


def consume(till: Till, member_id: str) -> None:
    till.data.get(OTPS, {}).pop(member_id, None)
