"""Coupons as v1.1 shows them: engine vouchers plus Capillary's series info and history.

Series attributes read here (all optional): description, discount_code, discount_on,
min_bill_amount and discount_upto (minor units), same_user_multiple_redeem (bool), and the
series' product restrictions: products (SKUs), categories and brands (names).
"""

from __future__ import annotations

from typing import Any

from ...engine import EngineError, Voucher, VoucherSeries
from .auth import Till
from .bills import numeric_id
from .schemas import fmt_time, major

REDEMPTIONS = "coupon_redemptions"
UNLIMITED = 10**6  # a per-code limit this high is shown as -1 ("unlimited")


def find(till: Till, code: str) -> Voucher:
    """Codes are matched as given, then upper-cased (InTouch upper-cases by default)."""
    try:
        return till.engine.voucher(code)
    except EngineError as exc:
        if exc.code != "voucher_not_found" or code.upper() == code:
            raise
        return till.engine.voucher(code.upper())


def coupon_id(code: str) -> str:
    return str(numeric_id(f"coupon\x00{code}"))


def log(till: Till) -> list[dict[str, Any]]:
    return till.data.setdefault(REDEMPTIONS, [])


def active_log(till: Till) -> list[dict[str, Any]]:
    """Coupon redemptions still in force (v2 coupon/reactivate undoes one)."""
    return [r for r in log(till) if not r.get("reactivated_at")]


def uses_by(till: Till, code: str, member_id: str) -> int:
    return sum(1 for r in active_log(till) if r["code"] == code and r["member_id"] == member_id)


def is_absolute(series: VoucherSeries) -> bool:
    return series.discount_kind != "percent"


def coupon_value(till: Till, series: VoucherSeries) -> str:
    if series.discount_kind == "fixed":
        return str(major(series.discount_value, till.engine.config.minor_units))
    return str(series.discount_value)


def series_info(till: Till, series: VoucherSeries) -> dict[str, Any]:
    extra, units = series.attributes, till.engine.config.minor_units
    return {
        "description": extra.get("description", series.name),
        "discount_code": extra.get("discount_code", series.series_id),
        "valid_till": fmt_time(series.valid_until),
        "discount_type": "PERC" if series.discount_kind == "percent" else "ABS",
        "discount_value": coupon_value(till, series),
        "discount_on": extra.get("discount_on", "BILL"),
        "detailed_info": extra.get("detailed_info", series.name),
        "series_code": series.series_id,
        "discount_upto": str(major(int(extra.get("discount_upto", 0)), units)),
        "min_bill_amount": str(major(int(extra.get("min_bill_amount", 0)), units)),
        "valid_with_discounted_item": "true",
        **restrictions(series),
    }


def _names(series: VoucherSeries, key: str) -> list[str]:
    raw = series.attributes.get(key) or []
    return [str(v) for v in (raw if isinstance(raw, list) else [raw])]


def restrictions(series: VoucherSeries) -> dict[str, Any]:
    """What the coupon applies to, in every shape clients read: `productInfo` (one entry per
    restriction; a shop counts it to know whether the cart must be checked), `products`
    (null when the series names no SKU), `categories`, `brands` and `product_sku`."""
    skus, categories = _names(series, "products"), _names(series, "categories")
    brands = _names(series, "brands")
    info = [{"type": "PRODUCT", "sku": sku} for sku in skus]
    info += [{"type": "CATEGORY", "name": name} for name in categories]
    info += [{"type": "BRAND", "name": name} for name in brands]
    return {
        "productInfo": info,
        "products": {"product": [{"sku": sku} for sku in skus]} if skus else None,
        "categories": {
            "category": [{"name": name, "label": name, "level": "1"} for name in categories]
        },
        "brands": {"brand": brands},
        "product_sku": {"sku": skus},
    }


def redemptions_left(voucher: Voucher) -> int:
    if voucher.limit >= UNLIMITED:
        return -1
    return max(0, voucher.limit - voucher.redeemed)


def state_of(till: Till, voucher: Voucher) -> str:
    if voucher.redeemed >= voucher.limit:
        return "redeemed"
    if voucher.valid_until and till.engine.now() >= voucher.valid_until:
        return "expired"
    return "unredeemed"


def short(till: Till, voucher: Voucher) -> dict[str, Any]:
    """customer/get's compact coupon entry."""
    series = till.engine.series(voucher.series_id)
    return {
        "id": coupon_id(voucher.code),
        "series_id": series.series_id,
        "code": voucher.code,
        "description": series.attributes.get("description", series.name),
        "created_date": fmt_time(voucher.created_at),
        "valid_till": fmt_time(voucher.valid_until),
        "redeemed": voucher.redeemed > 0,
        "same_user_multiple_redeem": bool(series.attributes.get("same_user_multiple_redeem")),
    }


def full(till: Till, voucher: Voucher) -> dict[str, Any]:
    """customer/coupons' entry, with this coupon's redemption history."""
    series = till.engine.series(voucher.series_id)
    history = [r for r in active_log(till) if r["code"] == voucher.code]
    return {
        "id": coupon_id(voucher.code),
        "series_id": series.series_id,
        "series_name": series.name,
        "redemption_count": voucher.redeemed,
        "created_date": fmt_time(voucher.created_at),
        "valid_till": fmt_time(voucher.valid_until),
        "code": voucher.code,
        "transaction_number": history[-1]["number"] if history else None,
        "purpose": "",
        "custom_properties": {"custom_property": []},
        "redemptions": (
            {
                "redemption": [
                    {
                        "id": r["id"],
                        "date": r["at"],
                        "transaction_number": r["number"],
                        "redeemed_at": {"code": r["store"], "name": r["store"]},
                    }
                    for r in history
                ]
            }
            if history
            else {}
        ),
    }
