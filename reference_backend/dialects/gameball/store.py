"""The Gameball-only facts the engine does not keep, per tenant (cleared by a tenant reset).

- redeems: transactions/redeem records: money value, points, money refunded so far, and the
  stored response (Gameball refunds a redeem by money; the engine reverses it by points).
- refunds: refundTransactionId -> (request digest, response), so a retried refund replays.
- coupon_locks: lockReference -> {customerId, codes, expiresAt} (the engine holds the
  reservations themselves); coupon_burns: burn transactionId -> codes.
- manual: transactions/manual transactionId -> {customerId, points, response}.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ...control.tenants import Tenant


def _data(tenant: Tenant) -> dict[str, Any]:
    return tenant.dialect_data("gameball")


def redeems(tenant: Tenant) -> dict[str, dict[str, Any]]:
    return _data(tenant).setdefault("redeems", {})


def refunds(tenant: Tenant) -> dict[str, tuple[str, dict[str, Any]]]:
    return _data(tenant).setdefault("refunds", {})


def coupon_locks(tenant: Tenant) -> dict[str, dict[str, Any]]:
    return _data(tenant).setdefault("coupon_locks", {})


def coupon_burns(tenant: Tenant) -> dict[str, list[str]]:
    return _data(tenant).setdefault("coupon_burns", {})


def manual(tenant: Tenant) -> dict[str, dict[str, Any]]:
    return _data(tenant).setdefault("manual", {})


def next_id(tenant: Tenant, prefix: str) -> str:
    """A reference of the dialect's own (e.g. a coupon lock), unique within the tenant."""
    data = _data(tenant)
    data["serial"] = data.get("serial", 0) + 1
    return f"{prefix}-{data['serial']:06d}"


def digest(payload: Any) -> str:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]
