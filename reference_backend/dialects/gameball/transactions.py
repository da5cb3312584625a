"""GET transactions, transactions/count and transactions/customer-view: every customer's
points movements (the same lines as customer activities), filtered and paged."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import Activity
from .auth import Caller, guard
from .convert import numeric_id, points_value, stamp
from .customers import get_member
from .history import activity_type, page_args, transaction_id_of
from .schemas import Json


def _lines(tenant: Tenant, query: dict[str, str]) -> list[tuple[Activity, str]]:
    """Typed activity lines in time order, after the customerId/direction/status filters."""
    engine = tenant.engine
    if query.get("customerId"):
        members = [get_member(engine, query["customerId"]).member_id]
    else:
        members = list(engine.state.members)
    typed = [
        (line, kind)
        for member_id in members
        for line in engine.activities(member_id)
        if (kind := activity_type(line))
    ]
    typed.sort(key=lambda pair: pair[0].seq)
    direction, status = query.get("direction"), query.get("status")
    return [
        (line, kind)
        for line, kind in typed
        if (not direction or _direction(line) == direction)
        and (not status or _status(line) == status)
    ]


def _direction(line: Activity) -> str:
    return "credit" if line.points >= 0 else "debit"


def _status(line: Activity) -> str:
    return "pending" if line.detail.get("pending") else "active"


def listing(tenant: Tenant, query: dict[str, str], customer_view: bool) -> dict[str, Any]:
    start, limit = page_args(query)
    lines = _lines(tenant, query)
    after = [(line, kind) for line, kind in lines if line.seq > start]
    engine = tenant.engine
    rows = []
    for line, kind in after[:limit]:
        transaction_id = transaction_id_of(tenant, line) or str(line.seq)
        row: dict[str, Any] = {
            "transactionId": transaction_id,
            "gameballTransactionId": str(numeric_id(line.kind, transaction_id)),
            "type": kind,
            "direction": _direction(line),
            "customerId": line.member_id,
            "points": line.points,
            "amount": points_value(engine.config, abs(line.points)),
            "transactionTime": stamp(line.at),
            "status": _status(line),
        }
        if line.kind == "adjust" and line.ref:
            row["reason"] = line.ref
        if customer_view:
            member = engine.member(line.member_id)
            name = " ".join(p for p in (member.first_name, member.last_name) if p)
            row.update(customerName=name, isCustomerDeleted=member.erased)
            if member.identifiers.get("email"):
                row["customerEmail"] = member.identifiers["email"]
        rows.append(row)
    return {"transactions": rows, "count": len(lines), "hasMore": len(after) > limit}


def count(tenant: Tenant, query: dict[str, str]) -> dict[str, Any]:
    return {"count": len(_lines(tenant, query))}


# -- handlers ---------------------------------------------------------------------------
async def list_transactions(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return listing(caller.tenant, dict(request.query_params), customer_view=False)


async def list_transactions_with_customers(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return listing(caller.tenant, dict(request.query_params), customer_view=True)


async def count_transactions(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return count(caller.tenant, dict(request.query_params))
