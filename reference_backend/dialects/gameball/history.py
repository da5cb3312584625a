"""Read-only history: an order's transactions, customer activities, a customer's referrals."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import Activity, EngineError, Order
from . import store
from .auth import Caller, guard
from .convert import numeric_id, points_value, stamp, to_major
from .customers import get_member
from .errors import GameballError
from .schemas import Json

ACTIVITY_TYPES = (
    "TierUpgraded",
    "TierDowngraded",
    "TierMigration",
    "CampaignRewarded",
    "SuccessfulAction",
    "Referral",
    "Referred",
    "ReferralBonusReward",
    "PaymentReward",
    "Refund",
    "Redemption",
    "Cancel",
    "Expiry",
    "Migration",
    "Lifetime",
    "Automation",
)
MAX_PAGE = 200


def _row(type_: str, transaction_id: str, when, amount: float, points: int, id_kind: str) -> dict:
    """`id_kind` makes gameballTransactionId match the one the write call answered with."""
    return {
        "transactionDate": stamp(when),
        "gameballTransactionId": numeric_id(id_kind, transaction_id),
        "transactionType": type_,
        "amount": amount,
        "transactionId": transaction_id,
        "equivalentPoints": points,
    }


def order_movements(tenant: Tenant, order_id: str) -> dict[str, Any]:
    try:
        order = tenant.engine.order(order_id)
    except EngineError:
        order = None
    if order is not None:
        rows = _order_rows(tenant, order)
    elif order_id in store.redeems(tenant):
        rows = _redeem_rows(tenant, order_id)
    else:
        raise GameballError(9002, f"No transactions for order {order_id!r}")
    return {"transactions": rows, "count": len(rows)}


def _order_rows(tenant: Tenant, order: Order) -> list[dict]:
    cfg = tenant.engine.config
    oid, at = order.order_id, order.created_at
    rows = []
    if order.points_redeemed:
        value = points_value(cfg, order.points_redeemed)
        rows.append(_row("Redemption", oid, at, value, order.points_redeemed, "redeem"))
    paid = to_major(cfg, order.paid_amount)
    rows.append(_row("PaymentReward", oid, at, paid, order.points_earned, "order"))
    refunded = 0
    for record in tenant.engine.order_refunds(oid):
        refunded += record.amount + record.points_value
        full = refunded >= order.refundable_total
        money = to_major(cfg, record.amount + record.points_value)
        rid, when = record.refund_id, record.created_at
        revoked = record.points_revoked + record.points_uncollectable
        # taking earned points back is a Cancel; giving redeemed points back is a Refund
        if revoked:
            kind = "Cancel" if full else "PartialRefund"
            rows.append(_row(kind, rid, when, money, revoked, "refund"))
        if record.points_restored or not revoked:
            kind = "Refund" if full else "PartialRefund"
            id_kind = "restore" if revoked else "refund"
            rows.append(_row(kind, rid, when, money, record.points_restored, id_kind))
    return rows


def _redeem_rows(tenant: Tenant, transaction_id: str) -> list[dict]:
    record = store.redeems(tenant)[transaction_id]
    cfg = tenant.engine.config
    when = tenant.engine.redemption(transaction_id).created_at
    money = to_major(cfg, record["money"])
    rows = [_row("Redemption", transaction_id, when, money, record["points"], "redeem")]
    for back in record.get("refunds", ()):
        full = back is record["refunds"][-1] and record["refunded"] >= record["money"]
        kind = "Refund" if full else "PartialRefund"
        money = to_major(cfg, back["money"])
        rows.append(_row(kind, back["id"], back["at"], money, back["points"], "refund"))
    return rows


def page_args(query: dict[str, str]) -> tuple[int, int]:
    try:
        start = int(query.get("startAfter") or 0)
        limit = int(query.get("limit") or 50)
    except ValueError:
        raise GameballError(3003, "startAfter and limit must be integers") from None
    if start < 0 or limit < 1:
        raise GameballError(3003, "startAfter must be >= 0 and limit >= 1")
    return start, min(limit, MAX_PAGE)


def activity_type(line: Activity) -> str | None:
    kind = line.kind
    if kind == "earn":
        if "event" in line.detail:
            return "CampaignRewarded"
        return "Migration" if "source" in line.detail else "PaymentReward"
    if kind == "referral":
        return "Referral" if line.detail.get("side") == "referrer" else "Referred"
    return _KINDS.get(kind)  # holds and releases are not customer activities in Gameball


_KINDS = {
    "capture": "Redemption",
    "redeem": "Redemption",
    "revoke": "Cancel",
    "referral_revoked": "Cancel",
    "restore": "Refund",
    "reverse": "Refund",
    "expire": "Expiry",
    "adjust": "Migration",
}


def transaction_id_of(tenant: Tenant, line: Activity) -> str | None:
    if line.kind == "capture" and line.ref:
        return tenant.engine.hold(line.ref).order_id or line.ref
    return line.ref


def activities(tenant: Tenant, customer_id: str, query: dict[str, str]) -> dict[str, Any]:
    engine = tenant.engine
    member = get_member(engine, customer_id)
    customer_id = member.member_id
    start, limit = page_args(query)
    wanted = query.get("activityType")
    if wanted and wanted not in ACTIVITY_TYPES:
        raise GameballError(3003, f"activityType must be one of {', '.join(ACTIVITY_TYPES)}")
    typed = [(line, activity_type(line)) for line in engine.activities(customer_id)]
    matching = [(a, t) for a, t in typed if t and (not wanted or t == wanted)]
    after = [(a, t) for a, t in matching if a.seq > start]
    page = after[:limit]
    cfg = engine.config
    stored = member.attributes.get("gameball", {})
    out = []
    for line, type_ in page:
        money = points_value(cfg, abs(line.points))
        out.append(
            {
                "activityId": line.seq,
                "activityType": type_,
                "activityDay": line.at.strftime("%A"),
                "activityDate": line.at.strftime("%B %d, %Y"),
                "activityTime": line.at.strftime("%H:%M:%S"),
                "customerId": customer_id,
                "email": member.identifiers.get("email"),
                "phoneNumber": member.identifiers.get("mobile"),
                "displayName": stored.get("displayName"),
                "transactionId": transaction_id_of(tenant, line),
                "isManualActivity": line.kind == "adjust",
                "points": line.points,
                "score": max(line.points, 0) if type_ == "PaymentReward" else 0,
                "reason": line.ref if line.kind == "adjust" else None,
                "currency": cfg.currency,
                "calculatedRedemption": money if type_ == "Redemption" else None,
                "actualRedemption": money if type_ == "Redemption" else None,
                "rewardPoints": line.points if type_ == "PaymentReward" else None,
                "isGuest": bool(stored.get("guest", False)),
            }
        )
    return {"activities": out, "count": len(matching), "hasMore": len(after) > limit}


def referrals(tenant: Tenant, customer_id: str, query: dict[str, str]) -> dict[str, Any]:
    engine = tenant.engine
    customer_id = get_member(engine, customer_id).member_id
    start, limit = page_args(query)
    found = [r for r in engine.referrals_of(customer_id) if r.state != "rejected"]
    page = found[start : start + limit]
    friends = []
    for referral in page:
        friend = engine.member(referral.referee_id)
        stored = friend.attributes.get("gameball", {})
        row = {
            "customerId": friend.member_id,
            "displayName": stored.get("displayName"),
            "email": friend.identifiers.get("email"),
            "mobileNumber": friend.identifiers.get("mobile"),
            "joinDate": stamp(friend.created_at),
            "status": "Active" if referral.state == "rewarded" else "Pending",
        }
        friends.append({k: v for k, v in row.items() if v is not None})
    return {"referredFriends": friends, "count": len(found), "hasMore": start + limit < len(found)}


def referral_counts(tenant: Tenant, customer_id: str) -> dict[str, Any]:
    engine = tenant.engine
    customer_id = get_member(engine, customer_id).member_id
    found = [r for r in engine.referrals_of(customer_id) if r.state != "rejected"]
    active = sum(1 for r in found if r.state == "rewarded")
    return {"count": len(found), "totalActive": active, "totalPending": len(found) - active}


# -- handlers ---------------------------------------------------------------------------
async def get_activities(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return activities(caller.tenant, customerId, dict(request.query_params))


async def get_referrals(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return referrals(caller.tenant, customerId, dict(request.query_params))


async def order_transactions(orderId: str, caller: Caller = Depends(guard("orders", True))) -> Json:
    return order_movements(caller.tenant, orderId)


async def count_activities(
    customerId: str, request: Request, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    listed = activities(caller.tenant, customerId, dict(request.query_params))
    return {"count": listed["count"]}


async def count_referrals(
    customerId: str, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return referral_counts(caller.tenant, customerId)
