"""Points holds: create (optionally with a QR hash), look up, release."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import EngineError, Hold
from . import qr
from .auth import Caller, guard
from .convert import points_value, stamp, to_major, to_minor
from .customers import active_member
from .errors import GameballError
from .program import rule_points
from .schemas import HoldRequest, Json, parse, read_json

# Gameball's "Points Holding Duration" bounds: 1 minute to 15 days (the program sets it)
TTL_BOUNDS_S = (60, 15 * 86400)
# engine hold state -> Gameball's (active | used | expired); "released" is posim's addition
_STATES = {"pending": "active", "captured": "used", "expired": "expired", "released": "released"}


def find_hold(tenant: Tenant, hold_id: str) -> Hold:
    try:
        return tenant.engine.hold(hold_id)
    except EngineError as exc:
        raise GameballError(9006, f"Hold reference {hold_id!r} not found") from exc


def state_of(hold: Hold) -> str:
    return _STATES[hold.state]


def hold_amount(tenant: Tenant, hold: Hold) -> float:
    cfg = tenant.engine.config
    if hold.amount_minor is not None:
        return to_major(cfg, hold.amount_minor)
    return points_value(cfg, hold.amount)


def create(tenant: Tenant, req: HoldRequest) -> dict[str, Any]:
    engine = tenant.engine
    customer_id, scanned = qr.split_scan(tenant, req.customerId)
    code = req.hash or scanned
    active_member(engine, customer_id)
    given = [x for x in (req.pointsToHold, req.amountToHold, req.ruleId) if x is not None]
    if len(given) != 1:
        missing = not given
        raise GameballError(
            3000 if missing else 3003,
            "Provide exactly one of pointsToHold, amountToHold or ruleId",
        )
    if code:
        qr.check_hash(tenant, customer_id, code)
    amount = None
    if req.amountToHold is not None:
        amount = to_minor(engine.config, req.amountToHold, "amountToHold")
        if amount == 0:
            raise GameballError(3003, "amountToHold is below the smallest currency unit")
    points = rule_points(engine.config, req.ruleId) if req.ruleId else req.pointsToHold
    ttl = _ttl(engine.config.hold_ttl_default_s)
    try:
        hold = engine.create_hold(customer_id, points=points, amount=amount, ttl_s=ttl).value
    except EngineError as exc:
        raise GameballError.from_engine(exc) from exc
    if code:
        qr.burn_hash(tenant, customer_id, code)
    return {
        "customerId": customer_id,
        "holdAmount": hold_amount(tenant, hold),
        "holdEquivalentPoints": hold.amount,
        "holdReference": hold.hold_id,
    }


def _ttl(configured: int) -> int | None:
    """The program's hold duration kept inside Gameball's bounds (None: use it as is)."""
    low, high = TTL_BOUNDS_S
    bounded = min(max(configured, low), high)
    return None if bounded == configured else bounded


def describe(tenant: Tenant, hold_id: str) -> dict[str, Any]:
    hold = find_hold(tenant, hold_id)
    return {
        "customerId": hold.member_id,
        "holdAmount": hold_amount(tenant, hold),
        "holdEquivalentPoints": hold.amount,
        "state": state_of(hold),
        "dateToExpire": stamp(hold.expires_at),
    }


def release(tenant: Tenant, hold_id: str) -> dict[str, Any]:
    """Release a live hold; releasing twice or after expiry succeeds (the points are back)."""
    hold = find_hold(tenant, hold_id)
    state = state_of(hold)
    if state == "active":
        try:
            tenant.engine.release_hold(hold_id)
        except EngineError as exc:  # expired between the read and the release
            if exc.code != "hold_expired":
                raise
        return {"success": True, "message": "Hold released successfully"}
    if state in ("released", "expired"):
        return {"success": True, "message": f"Hold already {state}; the points are available"}
    raise GameballError(9006, f"Hold reference {hold_id!r} was already used")


# -- handlers ---------------------------------------------------------------------------
async def create_hold(
    request: Request, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    req = parse(HoldRequest, await read_json(request))
    return create(caller.tenant, req)


async def get_hold(
    holdReferenceId: str, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return describe(caller.tenant, holdReferenceId)


async def release_hold(
    holdReferenceId: str, caller: Caller = Depends(guard("transactions", True))
) -> Json:
    return release(caller.tenant, holdReferenceId)
