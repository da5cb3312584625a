"""Rewards over engine voucher series; WLL-only fields ride in `series.attributes["wll"]`.

Series created by other dialects are shown too, with fields derived from the series.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import EngineError, VoucherSeries
from . import benefits, users
from . import discounts as discount_api
from .auth import NAME, Caller, caller, require_admin, require_user_or_admin
from .convert import NAMESPACE, iso
from .errors import WllFail, success
from .listing import page
from .schemas import (
    CodesIn,
    DiscountIn,
    DiscountPatchIn,
    PurchaseIn,
    RewardIn,
    RewardPatchIn,
    parse,
    parse_body,
    read_json,
)

_ENGINE_KIND = {"ABSOLUTE": "fixed", "FIXED": "fixed", "PERCENTAGE": "percent"}
_WLL_KIND = {"fixed": "ABSOLUTE", "percent": "PERCENTAGE"}


def reward_not_found() -> WllFail:
    return WllFail(404, "Reward not found")


def wll_fields(series: VoucherSeries) -> dict[str, Any]:
    return series.attributes.get(NAME) or {}


def is_deleted(series: VoucherSeries) -> bool:
    return bool(wll_fields(series).get("deletedAt"))


def all_series(tenant: Tenant) -> list[VoucherSeries]:
    """The catalogue: every series but deleted rewards (their bought benefits stay)."""
    with tenant.engine.lock:
        return [s for s in tenant.engine.state.series.values() if not is_deleted(s)]


def get(tenant: Tenant, reward_id: str) -> VoucherSeries:
    try:
        series = tenant.engine.series(reward_id)
    except EngineError as exc:
        raise reward_not_found() from exc
    if is_deleted(series):
        raise reward_not_found()
    return series


def own(tenant: Tenant, reward_id: str) -> VoucherSeries:
    """A reward made through the Rewards API, which its admin may change."""
    series = get(tenant, reward_id)
    if NAME not in series.attributes:  # its codes are handed out elsewhere (benefits.py)
        raise WllFail(400, "This reward is managed outside the Rewards API")
    return series


def delete(tenant: Tenant, reward_id: str) -> VoucherSeries:
    """Out of the catalogue and no longer for sale; benefits already bought keep working."""
    with tenant.engine.lock:
        series = own(tenant, reward_id)
        series.attributes[NAME] = {**wll_fields(series), "deletedAt": iso(tenant.engine.now())}
        return series


def _new_reward_id(tenant: Tenant) -> str:
    existing = tenant.engine.state.series
    n = len(existing) + 1
    while str(uuid.uuid5(NAMESPACE, f"{tenant.tenant_id}:reward:{n}")) in existing:
        n += 1
    return str(uuid.uuid5(NAMESPACE, f"{tenant.tenant_id}:reward:{n}"))


def create(tenant: Tenant, body: RewardIn) -> VoucherSeries:
    engine = tenant.engine
    code_type = body.code_type or ("POOL" if body.codes else "OTP")
    first = body.discounts[0] if body.discounts else None
    fields = {
        "name": body.name,
        "summary": body.summary,
        "description": body.description,
        "pictureUrl": body.picture_url,
        "priority": body.priority,
        "type": body.type,
        "codeType": code_type if body.type == "VOUCHER" else None,
        "code": body.code,
        "value": body.value,
        "purchasable": body.type == "VOUCHER" if body.purchasable is None else body.purchasable,
        "availability": {
            "start": iso(body.availability.start) if body.availability else None,
            "end": iso(body.availability.end) if body.availability else None,
        },
        "purchaseExpiration": body.purchase_expiration,
        "discounts": [d.model_dump(by_alias=False) for d in body.discounts],
        "redemptionMessage": body.redemption_message,
        "metadata": body.metadata,
        "details": body.details,
        "createdAt": iso(engine.now()),
    }
    with engine.lock:
        return engine.create_series(
            body.name,
            series_id=_new_reward_id(tenant),
            discount_kind=_ENGINE_KIND[first.type] if first else "fixed",
            discount_value=int(first.value) if first else 0,
            points_cost=body.price,
            codes=body.codes,
            # a pool reward hands out uploaded codes only; empty pool = out of stock
            attributes={NAME: fields, "pool_only": code_type == "POOL"},
        )


_PATCHABLE = (
    ("name", "name"),
    ("summary", "summary"),
    ("description", "description"),
    ("picture_url", "pictureUrl"),
    ("priority", "priority"),
    ("value", "value"),
    ("purchasable", "purchasable"),
    ("purchase_expiration", "purchaseExpiration"),
    ("redemption_message", "redemptionMessage"),
)


def update(tenant: Tenant, reward_id: str, body: RewardPatchIn) -> VoucherSeries:
    """Catalogue fields only: vouchers already bought keep what they were bought with."""
    engine = tenant.engine
    with engine.lock:
        series = own(tenant, reward_id)
        fields = dict(wll_fields(series))
        for attr, key in _PATCHABLE:
            value = getattr(body, attr)
            if value is not None:
                fields[key] = value
        if body.availability is not None:
            fields["availability"] = {
                "start": iso(body.availability.start),
                "end": iso(body.availability.end),
            }
        fields["updatedAt"] = iso(engine.now())
        if body.price is not None:
            series.points_cost = body.price
        series.attributes[NAME] = fields
        return series


def append_codes(tenant: Tenant, reward_id: str, codes: list[str]) -> VoucherSeries:
    series = get(tenant, reward_id)
    return tenant.engine.add_codes(series.series_id, codes)


def discount_id(series: VoucherSeries, index: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"discount:{series.series_id}:{index}"))


def discounts(series: VoucherSeries) -> list[dict[str, Any]]:
    fields = wll_fields(series)
    if NAME in series.attributes:
        raw = fields.get("discounts", [])
    elif series.discount_kind in _WLL_KIND:
        raw = [{"type": _WLL_KIND[series.discount_kind], "value": series.discount_value}]
    else:
        raw = []
    return [
        {
            "id": d.get("id") or discount_id(series, i),
            "type": d["type"],
            "value": str(d["value"]),  # WLL sends the value as a string
            "sku": d.get("sku"),
            "productSku": d.get("product_sku"),
            "venues": d.get("venues", []),
        }
        for i, d in enumerate(raw)
    ]


def issued_counts(tenant: Tenant) -> Counter[str]:
    """Vouchers issued per series; list endpoints compute it once per request."""
    with tenant.engine.lock:
        return Counter(v.series_id for v in tenant.engine.state.vouchers.values())


def _stock(tenant: Tenant, series: VoucherSeries, issued: Counter[str] | None):
    consumed = (issued or issued_counts(tenant))[series.series_id]
    if series.attributes.get("pool_only"):
        return consumed + len(series.pool), consumed
    return None, consumed


def render(
    tenant: Tenant, series: VoucherSeries, issued: Counter[str] | None = None
) -> dict[str, Any]:
    fields = wll_fields(series)
    capacity, consumed = _stock(tenant, series, issued)
    out = {
        "id": series.series_id,
        "createdAt": fields.get("createdAt"),
        "updatedAt": fields.get("updatedAt") or fields.get("createdAt"),
        "name": fields.get("name", series.name),
        "summary": fields.get("summary"),
        "description": fields.get("description"),
        "pictureUrl": fields.get("pictureUrl"),
        "priority": fields.get("priority", 0),
        "type": fields.get("type", "VOUCHER"),
        "codeType": fields.get("codeType", "POOL" if series.pool else "OTP"),
        "price": series.points_cost,
        "value": fields.get(
            "value", series.discount_value if series.discount_kind == "fixed" else 0
        ),
        "purchasable": fields.get("purchasable", True),
        "availability": fields.get("availability")
        or {"start": iso(series.valid_from), "end": iso(series.valid_until)},
        "purchaseExpiration": fields.get("purchaseExpiration"),
        "stockCapacity": capacity,
        "stockConsumed": consumed,
        "discounts": discounts(series),
        "redemptionMessage": fields.get("redemptionMessage"),
        "metadata": fields.get("metadata", {}),
        "details": fields.get("details", {}),
        "visibilityCriteria": None,
        "hideCode": False,
    }
    if fields.get("code"):  # the spec's reward `code` is an object; a STATIC code sits in it
        out["code"] = {"value": fields["code"]}
    return out


def check_purchasable(series: VoucherSeries, now: datetime) -> None:
    fields = wll_fields(series)
    if not fields.get("purchasable", True):
        raise WllFail(400, "Reward is not purchasable")
    window = fields.get("availability") or {}
    start = datetime.fromisoformat(window["start"]) if window.get("start") else None
    end = datetime.fromisoformat(window["end"]) if window.get("end") else None
    if (start and now < start) or (end and now >= end):
        raise WllFail(400, "Reward is not available")


# -- handlers ---------------------------------------------------------------------------
# Rewards: the catalogue (GET), admin set-up (POST, PATCH, code pools, discounts) and
# purchase with points (`commands/purchase_reward`).
async def list_rewards(request: Request, type: str | None = None, who: Caller = Depends(caller)):
    issued = issued_counts(who.tenant)
    found = [render(who.tenant, s, issued) for s in all_series(who.tenant)]
    if type:  # POS guides filter offers; accepted as a query as well as client-side
        found = [r for r in found if r["type"] == type.upper()]
    found.sort(key=lambda r: -int(r["priority"] or 0))
    return success(page(found, request.query_params))


async def get_reward(reward_id: str, who: Caller = Depends(caller)):
    return success(render(who.tenant, get(who.tenant, reward_id)))


async def create_reward(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, RewardIn)
    if body.code_type == "STATIC" and not body.code:
        raise WllFail(400, "Validation failed", {"code": "is required for STATIC codes"})
    series = create(who.tenant, body)
    return success(render(who.tenant, series))  # the spec documents 200


async def update_reward(reward_id: str, request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, RewardPatchIn)
    series = update(who.tenant, reward_id, body)
    return success(render(who.tenant, series))


async def delete_reward(reward_id: str, who: Caller = Depends(caller)):
    require_admin(who)
    series = delete(who.tenant, reward_id)
    return success(render(who.tenant, series))


async def add_discount(reward_id: str, request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, DiscountIn)
    return success(discount_api.add(who.tenant, reward_id, body), status=201)  # as the spec says


async def change_discount(
    reward_id: str, discount_id: str, request: Request, who: Caller = Depends(caller)
):
    require_admin(who)
    body = await parse_body(request, DiscountPatchIn)
    return success(discount_api.change(who.tenant, reward_id, discount_id, body))


async def remove_discount(reward_id: str, discount_id: str, who: Caller = Depends(caller)):
    require_admin(who)
    discount_api.remove(who.tenant, reward_id, discount_id)
    return success(discounts(get(who.tenant, reward_id)))


async def list_discounts(reward_id: str, who: Caller = Depends(caller)):
    return success(discounts(get(who.tenant, reward_id)))


async def get_discount(reward_id: str, discount_id: str, who: Caller = Depends(caller)):
    for discount in discounts(get(who.tenant, reward_id)):
        if discount["id"] == discount_id:
            return success(discount)
    raise WllFail(404, "Discount not found")


async def list_codes(reward_id: str, who: Caller = Depends(caller)):
    require_admin(who)
    series = get(who.tenant, reward_id)
    return success([{"value": code, "rewardId": series.series_id} for code in series.pool])


async def add_codes(reward_id: str, request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = parse(CodesIn, CodesIn.from_body(await read_json(request)))
    series = append_codes(who.tenant, reward_id, body.codes)
    return success(render(who.tenant, series))


async def purchase_reward(request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    body = await parse_body(request, PurchaseIn)
    tenant = who.tenant
    beneficiary = body.beneficiary_id
    if who.is_user:
        member = users.me(tenant, who)
        if beneficiary is not None and users.resolve(tenant, beneficiary) is not member:
            raise WllFail(403, "A user token can only purchase for its own user")
    elif beneficiary is None:
        missing = {"beneficiaryId": "is required with an admin token"}
        raise WllFail(400, "Validation failed", missing)
    else:
        member = users.resolve(tenant, beneficiary)
    series = get(tenant, body.reward_id)
    check_purchasable(series, tenant.engine.now())
    voucher = tenant.engine.purchase_voucher(series.series_id, member.member_id)
    return success(benefits.render(tenant, voucher))
