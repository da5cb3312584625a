"""coupon/isredeemable (a dry run of the burn), coupon/redeem (burn once, after the bill),
coupon/series (the org's series with their counts) and coupon/get (coupons by code)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Depends, Request

from ...engine import EngineError, Member, Voucher, VoucherSeries
from ...hardening import read_body
from . import bills, members, vouchers
from .auth import Till, guard
from .convert import item_status, request_status, respond
from .errors import COUPON_CODES, ItemError, from_engine, run_batch
from .schemas import (
    CouponRedeemIn,
    decimal_of,
    fmt_time,
    listed,
    major,
    parse_item,
    read_items,
    split_list,
    text,
    to_minor,
)


def _coupon(till: Till, code: str) -> Voucher:
    try:
        return vouchers.find(till, code)
    except EngineError as exc:
        raise from_engine(exc, COUPON_CODES, 702) from exc


def check_usable(till: Till, voucher: Voucher, member: Member) -> None:
    """The engine's burn checks, then Capillary's one-redemption-per-customer rule."""
    try:
        till.engine.validate_voucher(voucher.code, member.member_id)
    except EngineError as exc:
        raise from_engine(exc, COUPON_CODES, 709) from exc
    if not member.active:
        raise ItemError(742)
    series = till.engine.series(voucher.series_id)
    repeat_ok = bool(series.attributes.get("same_user_multiple_redeem"))
    if not repeat_ok and vouchers.uses_by(till, voucher.code, member.member_id):
        raise ItemError(716)


def _customer(member: Member | None, idents: dict[str, str]) -> dict[str, Any]:
    source = member.identifiers if member is not None else idents
    return {k: source.get(k) for k in ("mobile", "email", "external_id")}


async def coupon_isredeemable(request: Request, till: Till = Depends(guard("coupon/isredeemable"))):
    params = request.query_params
    idents = dict(members.query_identifiers(params)[:1])
    codes = [c.strip() for c in (params.get("code") or "").split(",") if c.strip()]
    details = (params.get("details") or "").lower() in ("true", "extended")
    member = members.resolve(till, idents) if idents else None
    case = (params.get("coupon_code_case") or "").upper()
    items, outcomes = [], []
    for code in codes or [""]:
        entry: dict[str, Any] = {
            "mobile": _customer(member, idents)["mobile"],
            "code": code.upper() if case == "UPPER" else code.lower() if case == "LOWER" else code,
            "is_redeemable": False,
            "customer": _customer(member, idents),
        }
        try:
            if member is None:
                raise ItemError(701 if idents else 400)
            if not code:
                raise ItemError(702)
            voucher = _coupon(till, code)
            series = till.engine.series(voucher.series_id)
            entry.update(
                redemptions_left=vouchers.redemptions_left(voucher),
                no_of_redemptions_by_user=vouchers.uses_by(till, voucher.code, member.member_id),
                coupon_value=vouchers.coupon_value(till, series),
            )
            if details:
                entry["series_info"] = vouchers.series_info(till, series)
            check_usable(till, voucher, member)
            entry["is_redeemable"] = True
            status = item_status(700, "Coupon isRedeem successful", True)
        except ItemError as err:
            status = item_status(err.code, err.message, False)
        status["status"] = status["success"]
        entry["item_status"] = status
        items.append(entry)
        # a coupon that is merely not redeemable is still a completed check (sample: 200)
        outcomes.append(member is not None and bool(code))
    body = {
        "status": request_status(outcomes),
        "coupons": {"redeemable": items[0] if len(items) == 1 else items},
    }
    return respond(request, {"response": body}, till.cfg)


def _transaction(till: Till, item: CouponRedeemIn) -> tuple[str | None, int | None, str]:
    """The bill the coupon is used on: {number, amount} as an object or a one-item list."""
    found = listed(item.transaction, "transaction")
    first = found[0] if found and isinstance(found[0], dict) else {}
    number = text(first.get("number"))
    amount = decimal_of(first.get("amount"), 733)
    minor = to_minor(amount, till.engine.config.minor_units) if amount is not None else None
    return number, minor, text(first.get("amount")) or ""


def _coupon_code(till: Till, item: CouponRedeemIn, member: Member) -> str:
    code = text(item.code)
    if code:
        return code
    wanted = text(item.id)
    for voucher in till.engine.member_vouchers(member.member_id):
        if wanted and vouchers.coupon_id(voucher.code) == wanted:
            return voucher.code
    raise ItemError(702)


def redeem_one(till: Till, item: CouponRedeemIn) -> dict[str, Any]:
    idents = members.identifiers(item.customer)
    member = members.resolve(till, idents) if idents else None
    if member is None:
        raise ItemError(701)
    voucher = _coupon(till, _coupon_code(till, item, member))
    number, amount, shown_amount = _transaction(till, item)
    if till.cfg.redeem_requires_transaction:
        if number is None:
            raise ItemError(718)
        sale = bills.find_sale(till, number)
        if sale is None or sale.member_id != member.member_id:
            raise ItemError(719)
    series = till.engine.series(voucher.series_id)
    minimum = int(series.attributes.get("min_bill_amount", 0))
    if minimum and (amount is None or amount < minimum):
        raise ItemError(733)
    check_usable(till, voucher, member)
    try:
        till.engine.burn_voucher(voucher.code, member.member_id, order_id=number)
    except EngineError as exc:
        raise from_engine(exc, COUPON_CODES, 709) from exc
    log = vouchers.log(till)
    redemption_id = str(bills.numeric_id(f"coupon-redemption\x00{voucher.code}\x00{len(log)}"))
    log.append(
        {
            "id": redemption_id,
            "code": voucher.code,
            "member_id": member.member_id,
            "number": number or "",
            "amount_minor": amount,
            "at": fmt_time(till.engine.now()),
            "store": till.store,
            "till": till.code,
        }
    )
    info = vouchers.series_info(till, series)
    return {
        "customer": _customer(member, idents),
        "redemptionId": redemption_id,
        "code": voucher.code,
        "discount_code": info["discount_code"],
        "series_code": series.series_id,
        "series_info": info,
        "is_absolute": vouchers.is_absolute(series),
        "coupon_value": vouchers.coupon_value(till, series),
        "transaction": {"amount": shown_amount, "number": number or ""},
        "side_effects": [],
        "item_status": item_status(700, "Coupon processing successful", True),
    }


async def coupon_redeem(request: Request, till: Till = Depends(guard("coupon/redeem"))):
    raws = read_items(await read_body(request), "coupon")

    def fail(raw: Any, err: ItemError) -> dict[str, Any]:
        raw = raw if isinstance(raw, dict) else {}
        customer = raw.get("customer") if isinstance(raw.get("customer"), dict) else {}
        return {
            "customer": {k: customer.get(k) for k in ("mobile", "email", "external_id")},
            "code": text(raw.get("code")) or "",
            "side_effects": [],
            "item_status": item_status(err.code, err.message, False),
        }

    with till.engine.lock:
        items, outcomes = run_batch(
            raws, lambda raw: redeem_one(till, parse_item(CouponRedeemIn, raw)), fail
        )
    coupons = items[0] if len(items) == 1 else items
    body = {"status": request_status(outcomes), "coupons": {"coupon": coupons}}
    return respond(request, {"response": body}, till.cfg)


# -- coupon/series -----------------------------------------------------------------
# GET coupon/series: the org's coupon series (engine voucher series) in v1.1's shape.


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


# -- coupon/get --------------------------------------------------------------------
# A read of coupons by code (v1.1 coupon/get).


def _cased(code: str, case: str) -> str:
    return code.upper() if case == "UPPER" else code.lower() if case == "LOWER" else code


def _owner_block(till: Till, owner_id: str | None) -> dict[str, Any] | None:
    if owner_id is None:
        return None
    ids = members.identity(till.engine.member(owner_id))
    name = f"{ids['firstname']} {ids['lastname']}".strip()
    return {k: ids[k] for k in ("mobile", "email", "external_id")} | {
        "id": owner_id,
        "name": name,
    }


def _coupon_entry(till: Till, code: str, case: str, owners: list[str]) -> dict[str, Any]:
    try:
        voucher = vouchers.find(till, code)
    except EngineError as exc:
        raise ItemError(702) from exc
    if owners and voucher.owner_id not in owners:
        raise ItemError(703)
    series = till.engine.series(voucher.series_id)
    issued = fmt_time(voucher.created_at)
    until = voucher.valid_until.strftime("%d-%m-%Y") if voucher.valid_until else ""
    value = Decimal(vouchers.coupon_value(till, series))
    units = till.engine.config.minor_units
    return {
        "id": vouchers.coupon_id(voucher.code),
        "code": _cased(voucher.code, case),
        "valid_till": until,
        "issued_on": issued,
        "valid_from": fmt_time(voucher.valid_from) or issued,
        "purpose": "",
        "custom_properties": {"custom_property": []},
        "series_id": int(series.series_id) if series.series_id.isdigit() else series.series_id,
        "is_absolute": vouchers.is_absolute(series),
        "value": int(value) if value == value.to_integral_value() else float(value),
        "discount_upto": major(int(series.attributes.get("discount_upto", 0)), units),
        "customer": _owner_block(till, voucher.owner_id),
        "pincode": "NULL",
        "issued_store": {"code": till.store, "name": till.store},
        "item_status": item_status(700, "Coupon processing successful", True),
    }


async def coupon_get(request: Request, till: Till = Depends(guard("coupon/get"))):
    params = request.query_params
    case = (params.get("coupon_code_case") or "").upper()
    owners = split_list(params.get("issuedToIds"))
    codes = split_list(params.get("code")) or [""]

    def fail(code: str, err: ItemError) -> dict[str, Any]:
        shell = {"id": -1, "code": _cased(code, case), "is_absolute": False, "value": None}
        shell.update(discount_upto=None, pincode="NULL")
        return {**shell, "item_status": item_status(err.code, err.message, False)}

    def handle(code: str) -> dict[str, Any]:
        if not code:
            raise ItemError(702, "Coupon code is required")
        return _coupon_entry(till, code, case, owners)

    items, outcomes = run_batch(codes, handle, fail)
    body = {"status": request_status(outcomes), "coupons": {"coupon": items}}
    return respond(request, {"response": body}, till.cfg)
