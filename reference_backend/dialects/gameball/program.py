"""Program-level reads: conversion configs, cashback quotes, reward previews, events."""

from __future__ import annotations

import math
from typing import Any

from fastapi import Depends, Request

from ...engine import Engine, EngineError, ProgramConfig
from .auth import Caller, guard
from .convert import earn_decimal_points, redemption_factor, stamp, to_major, to_minor
from .customers import customer_id_of, ensure_customer, find_customer
from .errors import GameballError
from .schemas import EventsRequest, Json, LineItem, QuoteRequest, parse, read_json

# posim exposes one redemption rule: the program's points-to-money rate
DEFAULT_RULE_ID = "1"


def rule_points(config: ProgramConfig, rule_id: str) -> int:
    if rule_id != DEFAULT_RULE_ID:
        raise GameballError(3003, f"Redemption rule {rule_id!r} not found")
    return config.redeem_points


def _money_per_threshold(config: ProgramConfig) -> float:
    return to_major(config, config.earn_per_minor)


def _cashback_percent(config: ProgramConfig) -> float:
    """Cashback as % of the amount paid: points per unit of money times money per point."""
    per_unit = config.earn_points / _money_per_threshold(config)
    return round(per_unit * redemption_factor(config) * 100, 4)


def redemption_config_view(engine: Engine) -> dict[str, Any]:
    cfg = engine.config
    rule = {
        "id": int(DEFAULT_RULE_ID),
        "pointsToRedeem": cfg.redeem_points,
        "valueOfPoint": to_major(cfg, cfg.redeem_value_minor),
        "ruleType": "fixed_rate_settings",
        "creationDate": stamp(engine.now()),
        "isActive": True,
    }
    return {"redemptionFactor": redemption_factor(cfg), "redemptionRules": [rule]}


def redemption_settings_view(engine: Engine) -> dict[str, Any]:
    """The configurations/rewards/redemption shape (a different schema in the OAS)."""
    cfg = engine.config
    return {
        "minimumPoints": cfg.min_redeem_points,
        "pointValue": redemption_factor(cfg),
        "enabled": True,
        "redemptionMethods": ["points"],
    }


def _cashback_rule(cfg: ProgramConfig) -> dict[str, Any]:
    return {
        "amountRewardThreshold": _money_per_threshold(cfg),
        "rewardWalletFactor": cfg.earn_points,
        "rewardRankFactor": cfg.earn_points,
        "rewardFactor": _cashback_percent(cfg),
    }


def cashback_config_view(engine: Engine) -> dict[str, Any]:
    cfg = engine.config
    rule = _cashback_rule(cfg)
    tiers = [{"tierName": tier.name, **rule} for tier in cfg.tiers]
    return {"defaultCashbackRule": rule, "tierCashbackRules": tiers}


def cashback_settings_view(engine: Engine) -> dict[str, Any]:
    """The configurations/rewards/cashback shape."""
    cfg = engine.config
    return {
        "rate": _cashback_percent(cfg),
        "minimumOrderValue": 0,
        "enabled": cfg.earn_points > 0,
        "categories": [],
    }


def _line_net(config: ProgramConfig, item: LineItem) -> int:
    gross = to_minor(config, item.price * item.quantity, "lineItems.price")
    discount = to_minor(config, item.discount or 0, "lineItems.discount")
    if discount > gross:
        raise GameballError(3003, f"line {item.key}: discount is above the line total", 400)
    return gross - discount


def share_points(config: ProgramConfig, nets: list[int], paid: int) -> list[tuple[float, int]]:
    """(decimalPoints, points) per line: the amount paid shared by each line's net value."""
    total = sum(nets)
    out = []
    for net in nets:
        share = paid * net / total if total else paid / len(nets)
        decimal = earn_decimal_points(config, share)
        out.append((decimal, math.floor(decimal)))
    return out


def cashback_quote(engine: Engine, req: QuoteRequest) -> dict[str, Any]:
    cfg = engine.config
    paid = to_minor(cfg, req.totalPaid, "totalPaid")
    total = engine.quote_points(paid)
    items = req.lineItems or []
    shares = share_points(cfg, [_line_net(cfg, item) for item in items], paid)
    lines = []
    for item, (decimal, points) in zip(items, shares, strict=True):
        lines.append(
            {
                "productId": item.key,
                "quantity": item.quantity,
                "totalDecimalPoints": decimal,
                "totalPoints": points,
                "totalScore": points,
                "rewardWalletFactor": cfg.earn_points,
                "campaignId": None,
                "campaignName": None,
                "campaignEndDate": None,
                "campaignImpactWalletFactor": 0,
                "campaignImpactPoints": 0,
            }
        )
    return {"totalPoints": total, "totalScore": total, "lineItems": lines}


def reward_preview(engine: Engine, req: QuoteRequest) -> dict[str, Any]:
    """Cashback quote plus the place_order event preview; posim has no event campaigns."""
    cashback = cashback_quote(engine, req)
    member = find_customer(engine, req.customerId) if req.customerId else None
    event = None
    if member is not None and member.active:
        event = {
            "eventName": "place_order",
            "valid": True,
            "invalidReason": None,
            "totalPoints": 0,
            "campaigns": [],
        }
    body: dict[str, Any] = {
        "customerFound": member is not None,
        "totalPoints": int(cashback["totalPoints"]),
        "totalCoupons": 0,
        "cashback": cashback,
        "eventRewards": event,
    }
    if req.customerId:
        body = {"customerId": member.member_id if member else req.customerId, **body}
    return body


def validate_referrer(engine: Engine, code: str, for_customer: str | None) -> dict[str, Any]:
    try:
        referrer = engine.referrer_for_code(code)
    except EngineError:
        return {"isValid": False}
    if for_customer:
        for_customer = customer_id_of(engine, for_customer)
    return {"isValid": referrer != for_customer}


def record_events(engine: Engine, req: EventsRequest) -> dict[str, Any]:
    """Both body forms; events with an `earn` rule in the program reward, others are noted."""
    if req.events is not None:
        pairs, message = list(req.events.items()), "Events processed"
    elif req.eventName:
        pairs, message = [(req.eventName, req.metadata or {})], "Event tracked successfully"
    else:
        raise GameballError(3000, "events is required")
    member = ensure_customer(engine, req.customerId, req.email, req.mobile)
    for name, metadata in pairs:
        rule = engine.config.event_rules.get(name)
        # Gameball events only ever reward; deduct/restore rules belong to other vendors
        if rule is None or rule.action != "earn" or not member.active:
            continue
        value = metadata.get(rule.amount_field)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            continue  # metadata that matches no reward condition earns nothing
        engine.apply_event(member.member_id, name, metadata)
    return {"success": True, "message": message}


# -- handlers ---------------------------------------------------------------------------
async def _quote(request: Request) -> QuoteRequest:
    """Quotes answer bad amounts with HTTP 400, as the reward-preview reference says."""
    try:
        return parse(QuoteRequest, await read_json(request))
    except GameballError as exc:
        if exc.code == 3003:
            exc.status = 400
        raise


async def order_cashback(request: Request, caller: Caller = Depends(guard("orders_calc"))) -> Json:
    return cashback_quote(caller.tenant.engine, await _quote(request))


async def order_reward_preview(
    request: Request, caller: Caller = Depends(guard("orders_calc"))
) -> Json:
    return reward_preview(caller.tenant.engine, await _quote(request))


async def send_events(request: Request, caller: Caller = Depends(guard("events"))) -> Json:
    req = parse(EventsRequest, await read_json(request))
    return record_events(caller.tenant.engine, req)


async def validate_referral(request: Request, caller: Caller = Depends(guard("others"))) -> Json:
    code = request.query_params.get("referrerCode")
    if not code:
        raise GameballError(3000, "referrerCode is required")
    for_customer = request.query_params.get("forCustomerId")
    return validate_referrer(caller.tenant.engine, code, for_customer)


async def redemption_config(caller: Caller = Depends(guard("others"))) -> Json:
    return redemption_config_view(caller.tenant.engine)


async def redemption_settings(caller: Caller = Depends(guard("others"))) -> Json:
    return redemption_settings_view(caller.tenant.engine)


async def cashback_config(caller: Caller = Depends(guard("others"))) -> Json:
    return cashback_config_view(caller.tenant.engine)


async def cashback_settings(caller: Caller = Depends(guard("others"))) -> Json:
    return cashback_settings_view(caller.tenant.engine)
