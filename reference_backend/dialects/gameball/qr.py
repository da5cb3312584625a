"""The QR flow: a scanned value is customerId + a 6-digit single-use hash.

Gameball does not publish the hash algorithm or its lifetime, so posim issues its own
tokens from GET customers/{id}/hash (HMAC of the tenant secret and a counter, so runs are
reproducible), keeps them for HASH_TTL on the tenant clock, and burns one on use.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from fastapi import Depends

from ...control.tenants import Tenant
from .auth import Caller, guard
from .customers import find_customer, get_member
from .errors import GameballError
from .schemas import Json

HASH_DIGITS = 6
HASH_TTL = timedelta(minutes=5)


def _store(tenant: Tenant) -> dict[str, dict[str, datetime]]:
    return tenant.dialect_data("gameball").setdefault("qr_hashes", {})


def issue_hash(tenant: Tenant, customer_id: str) -> str:
    data = tenant.dialect_data("gameball")
    data["qr_counter"] = counter = data.get("qr_counter", 0) + 1
    secret = tenant.credentials["gameball"]["secretKey"].encode()
    digest = hmac.new(secret, f"{customer_id}:{counter}".encode(), hashlib.sha256).digest()
    code = f"{int.from_bytes(digest[:8], 'big') % 10**HASH_DIGITS:0{HASH_DIGITS}d}"
    _store(tenant)[customer_id] = {
        **_store(tenant).get(customer_id, {}),
        code: tenant.engine.now() + HASH_TTL,
    }
    return code


def split_scan(tenant: Tenant, value: str) -> tuple[str, str | None]:
    """customerId, hash from a scanned value; a known customer (by customerId, mobile or
    email) is taken as it is. An unknown value comes back unchanged."""
    member = find_customer(tenant.engine, value)
    if member is not None:
        return member.member_id, None
    head, tail = value[:-HASH_DIGITS], value[-HASH_DIGITS:]
    member = find_customer(tenant.engine, head) if head and tail.isdigit() else None
    if member is not None:
        return member.member_id, tail
    return value, None


def check_hash(tenant: Tenant, customer_id: str, code: str) -> None:
    """A live hash issued to this customer, or Gameball's 3005."""
    expires = _store(tenant).get(customer_id, {}).get(code)
    if expires is None or tenant.engine.now() >= expires:
        raise GameballError(3005, "QR hash is invalid, used or expired; refresh the QR code")


def burn_hash(tenant: Tenant, customer_id: str, code: str) -> None:
    """Single use: called once the operation that presented the hash has succeeded."""
    _store(tenant).get(customer_id, {}).pop(code, None)


# -- handlers ---------------------------------------------------------------------------
async def get_hash(
    customerId: str, caller: Caller = Depends(guard("customers_read", secret=True))
) -> Json:
    member = get_member(caller.tenant.engine, customerId)
    return {"hash": issue_hash(caller.tenant, member.member_id)}
