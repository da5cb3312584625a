"""Program read-outs a shop shows: tiers (and a customer's progress), the referral
configuration, and a preview of what events would reward."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...engine import Engine
from .auth import Caller, guard
from .customers import get_member
from .schemas import EventPreviewRequest, Json, parse, read_json


def _tiers(engine: Engine) -> list[dict[str, Any]]:
    ordered = sorted(engine.config.tiers, key=lambda t: t.min_points)
    return [
        {"name": t.name, "minProgress": t.min_points, "order": i, "benefits": []}
        for i, t in enumerate(ordered, start=1)
    ]


def tiers(engine: Engine) -> list[dict[str, Any]]:
    """GET configurations/tiers; progress is the points earned over the lifetime."""
    return _tiers(engine)


def progress_of(engine: Engine, customer_id: str) -> dict[str, Any]:
    member = get_member(engine, customer_id)
    progress = member.lifetime_earned
    states = [{k: v for k, v in t.items() if k != "benefits"} for t in _tiers(engine)]
    reached = [s for s in states if s["minProgress"] <= progress]
    ahead = [s for s in states if s["minProgress"] > progress]
    body: dict[str, Any] = {"progress": progress}
    if reached:
        body["current"] = reached[-1]
    if ahead:
        body["next"] = ahead[0]
    return body


def referral_rules(engine: Engine) -> dict[str, Any]:
    """Both sides are rewarded in points on the referee's first purchase."""
    cfg = engine.config
    return {
        "referralMethod": "code",
        "eventName": "place_order",
        "eventMetaData": None,
        "customerReward": {"score": None, "point": cfg.referral_reward_referrer, "coupon": None},
        "friendReward": {"score": None, "point": cfg.referral_reward_referee, "coupon": None},
    }


def event_preview(engine: Engine, req: EventPreviewRequest) -> dict[str, Any]:
    """What `events` would reward now, with nothing recorded (no auto-create: 7000)."""
    member = get_member(engine, req.customerId)
    results = []
    for name, metadata in req.events.items():
        points, reason = _event_points(engine, name, metadata or {}, member.active)
        results.append(
            {
                "eventName": name,
                "valid": reason is None,
                "invalidReason": reason,
                "totalPoints": points,
                "campaigns": [],
            }
        )
    total = sum(r["totalPoints"] for r in results)
    return {"customerId": member.member_id, "totalPoints": total, "events": results}


def _event_points(engine: Engine, name: str, metadata: dict, active: bool):
    rule = engine.config.event_rules.get(name)
    if not active:
        return 0, "The customer is inactive"
    if rule is None or rule.action != "earn":
        return 0, f"No reward is configured for event {name!r}"
    value = metadata.get(rule.amount_field)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return 0, f"Metadata {rule.amount_field!r} must be a non-negative number"
    return int(value * rule.points_per_unit), None


# -- handlers ---------------------------------------------------------------------------
async def tier_configuration(caller: Caller = Depends(guard("others"))) -> list[Json]:
    return tiers(caller.tenant.engine)


async def tier_progress(
    customerId: str, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return progress_of(caller.tenant.engine, customerId)


async def referral_configuration(caller: Caller = Depends(guard("others"))) -> Json:
    return referral_rules(caller.tenant.engine)


async def event_reward_preview(request: Request, caller: Caller = Depends(guard("events"))) -> Json:
    req = parse(EventPreviewRequest, await read_json(request))
    return event_preview(caller.tenant.engine, req)
