"""GET coupon/series: the org's coupon series (engine voucher series) in v1.1's shape."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...engine import VoucherSeries
from . import vouchers
from .auth import Till, guard
from .convert import item_status, request_status, respond
from .errors import ItemError, run_batch
from .schemas import major


def _series_item(till: Till, series: VoucherSeries, issued: int, redeemed: int) -> dict[str, Any]:
    extra, units = series.attributes, till.engine.config.minor_units
    info = vouchers.series_info(till, series)
    return {
        "id": series.series_id,
        "description": info["description"],
        "series_type": "CAMPAIGN",
        "client_handling_type": "DISC_CODE",
        "discount_code": info["discount_code"],
        "valid_till_date": series.valid_until.strftime("%Y-%m-%d") if series.valid_until else "",
        "max_redeem": "-1"
        if series.uses_per_code >= vouchers.UNLIMITED
        else str(series.uses_per_code),
        "same_user_multiple_redeem": "1" if extra.get("same_user_multiple_redeem") else "0",
        "is_validation_required": "0",
        "valid_with_discounted_item": "true",
        "series_code": series.series_id,
        "discount_on": info["discount_on"],
        "discount_type": info["discount_type"],
        "discount_value": info["discount_value"],
        "min_bill_amount": info["min_bill_amount"],
        "max_bill_amount": str(major(int(extra.get("max_bill_amount", 0)), units)),
        "coupons": {"issued": str(issued), "redeemed": str(redeemed)},
        # the sample shows these as plain strings; restrictions as comma lists
        "products": ",".join(p["sku"] for p in (info["products"] or {}).get("product", [])),
        "brands": ",".join(info["brands"]["brand"]),
        "categories": ",".join(c["name"] for c in info["categories"]["category"]),
        "item_status": item_status(700, "Coupon series fetched successfully", True),
    }


def _expired(till: Till, series: VoucherSeries) -> bool:
    return series.valid_until is not None and till.engine.now() >= series.valid_until


async def coupon_series(request: Request, till: Till = Depends(guard("coupon/series"))):
    params = request.query_params
    engine = till.engine
    with engine.lock:  # one read of the series and their codes
        every = dict(engine.state.series)
        counts: dict[str, list[int]] = {sid: [0, 0] for sid in every}
        for voucher in engine.state.vouchers.values():
            if voucher.series_id in counts:
                counts[voucher.series_id][0] += 1
                counts[voucher.series_id][1] += voucher.redeemed
    wanted = [v.strip() for v in (params.get("id") or "").split(",") if v.strip()]
    expired = (params.get("expired") or "").lower()
    if not wanted:
        wanted = [
            sid
            for sid, series in every.items()
            if expired not in ("true", "false") or _expired(till, series) == (expired == "true")
        ]

    def handle(sid: str) -> dict[str, Any]:
        series = every.get(sid)
        if series is None:
            raise ItemError(400, f"Invalid coupon series id {sid}")
        return _series_item(till, series, *counts[sid])

    def fail(sid: str, err: ItemError) -> dict[str, Any]:
        return {"id": sid, "item_status": item_status(err.code, err.message, False)}

    items, outcomes = run_batch(wanted, handle, fail)
    listed: Any = items[0] if len(items) == 1 else items
    body = {"status": request_status(outcomes or [True]), "series": {"items": {"item": listed}}}
    return respond(request, {"response": body}, till.cfg)
