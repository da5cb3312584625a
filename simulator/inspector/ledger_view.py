"""The Members view: balances, lots, holds, orders, refunds and vouchers from the engine."""

from __future__ import annotations

from typing import Any

from ..certify.redact import Redactor


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def members(tenant, redactor: Redactor, limit: int = 200) -> list[dict[str, Any]]:
    """One line per member (the first `limit`), with the balance the POS would see."""
    engine = tenant.engine
    out = []
    for member_id in list(engine.state.members)[:limit]:
        balance = engine.balance(member_id)
        out.append(
            {
                "member": member_id,
                "shown": redactor.text(member_id),
                **{k: balance[k] for k in ("balance", "available", "held", "pending", "debt")},
            }
        )
    return out


def member(tenant, member_id: str, redactor: Redactor) -> dict[str, Any]:
    """Everything the ledger holds for one member; raises the engine's error if unknown."""
    engine = tenant.engine
    balance = engine.balance(member_id)
    with engine.lock:
        st = engine.state
        lots = [st.lots[i] for i in st.member_lots.get(member_id, ()) if i in st.lots]
        holds = [h for h in st.holds.values() if h.member_id == member_id]
        orders = [st.orders[k] for k in st.member_orders.get(member_id, ()) if k in st.orders]
        refunds = [r for r in st.refunds.values() if r.member_id == member_id]
        vouchers = [v for v in st.vouchers.values() if v.owner_id == member_id]
        identifiers = dict(st.members[member_id].identifiers)
    return {
        "member": member_id,
        "shown": redactor.text(member_id),
        "identifiers": {k: redactor.text(str(v)) for k, v in identifiers.items()},
        "balance": {k: _iso(v) if k.endswith("_at") else v for k, v in balance.items()},
        "lots": [
            {
                "lot": lot.lot_id,
                "state": lot.state,
                "amount": lot.amount,
                "remaining": lot.remaining,
                "reserved": lot.reserved,
                "source": lot.source,
                "activates_at": _iso(lot.activates_at),
                "expires_at": _iso(lot.expires_at),
            }
            for lot in lots
        ],
        "holds": [
            {
                "hold": h.hold_id,
                "state": h.state,
                "amount": h.amount,
                "captured": h.captured,
                "created_at": _iso(h.created_at),
                "expires_at": _iso(h.expires_at),
                "resolved_at": _iso(h.resolved_at),
                "order": h.order_id,
            }
            for h in holds
        ],
        "orders": [_plain(o, ORDER_FIELDS) for o in orders],
        "refunds": [_plain(r, REFUND_FIELDS) for r in refunds],
        "vouchers": [_plain(v, VOUCHER_FIELDS) for v in vouchers],
    }


ORDER_FIELDS = (
    "order_id",
    "paid_amount",
    "points_earned",
    "points_redeemed",
    "points_revoked",
    "points_restored",
    "state",
)
REFUND_FIELDS = ("refund_id", "order_id", "amount", "points_revoked", "points_restored")
VOUCHER_FIELDS = ("code", "series_id", "limit", "redeemed", "reserved", "voided", "valid_until")


def _plain(obj, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields an entity has (entities differ a little between engine versions)."""
    out = {}
    for name in names:
        if hasattr(obj, name):
            value = getattr(obj, name)
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
