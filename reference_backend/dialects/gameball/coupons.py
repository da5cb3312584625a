"""The coupon API on the engine's vouchers: validate (and lock), burn, release, list.

A lock session is Gameball's `lockReference`: one engine reservation per coupon, all
under the session's id, so an order's `redemption.couponsLockReference` (or a burn with
`lockReference`) uses exactly the coupons the session locked. Sessions live in the
tenant's dialect data; the reservations (and their expiry) live in the engine.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import Field

from ...control.tenants import Tenant
from ...engine import EngineError, Voucher
from . import store
from .auth import Caller, guard
from .convert import stamp, to_major
from .customers import active_member, get_member
from .errors import GameballError
from .schemas import Id, Json, Lenient, OptId, parse, read_json

# engine discount kind -> (Coupon.type, CustomerCoupon.type) of Gameball's schemas
KINDS = {
    "fixed": ("fixed", "Fixed Rate Discount"),
    "percent": ("percentage", "Percentage"),
    "points": ("fixed-cashback", "Custom"),
}
MAX_LOCK_MINUTES = 15 * 24 * 60  # as long as a points hold may last


# engine voucher refusal -> how the coupon is described. Gameball documents no coupon codes
# for orders: every refusal is 3003 Invalid Value (HTTP 422), and the message says why.
COUPON_ERRORS = {
    "voucher_not_found": "not found",
    "voucher_already_burned": "already used",
    "voucher_quantity_exceeded": "already used up",
    "voucher_reserved": "locked by another transaction and cannot be used now",
    "voucher_expired": "expired",
    "voucher_not_active": "not active yet",
    "voucher_voided": "no longer valid",
    "voucher_owner_mismatch": "for another customer",
}


def coupon_error(exc: EngineError, code: str | None = None) -> GameballError:
    where = f"Coupon {code!r}" if code else "A coupon"
    return GameballError(3003, f"{where} is {COUPON_ERRORS[exc.code]}")


class CouponValidate(Lenient):
    customerId: Id
    email: str | None = None
    mobile: OptId = None
    coupons: list[Annotated[str, Field(min_length=1)]] | None = None
    lock: bool = False
    lockReference: OptId = None
    lockDuration: Annotated[int, Field(ge=1, le=MAX_LOCK_MINUTES)] | None = None
    merchantId: OptId = None
    totalPurchaseAmount: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None


class CouponBurn(Lenient):
    customerId: Id
    email: str | None = None
    mobile: OptId = None
    transactionId: OptId = None
    transactionTime: str | None = None
    coupons: list[Annotated[str, Field(min_length=1)]] | None = None
    lockReference: OptId = None


# -- presenting a voucher ------------------------------------------------------------
def describe(tenant: Tenant, voucher: Voucher) -> dict[str, Any]:
    """Gameball's `Coupon` object for an engine voucher."""
    engine = tenant.engine
    series = engine.series(voucher.series_id)
    kind = KINDS.get(series.discount_kind, KINDS["fixed"])[0]
    value: float = series.discount_value
    if series.discount_kind == "fixed":
        value = to_major(engine.config, series.discount_value)
    body: dict[str, Any] = {
        "code": voucher.code,
        "type": kind,
        "value": value,
        "usageLimit": voucher.limit,
        "limitPerCustomer": voucher.limit,
    }
    if voucher.valid_from or series.valid_from:
        body["startDate"] = stamp(voucher.valid_from or series.valid_from)
    if voucher.valid_until or series.valid_until:
        body["expiryDate"] = stamp(voucher.valid_until or series.valid_until)
    return body


def coupons_of(tenant: Tenant, customer_id: str) -> dict[str, Any]:
    """GET customers/{id}/coupons: the coupons issued to the customer, usable or not."""
    engine = tenant.engine
    member = get_member(engine, customer_id)
    now = engine.now()
    rows = []
    for voucher in engine.member_vouchers(member.member_id):
        series = engine.series(voucher.series_id)
        coupon = describe(tenant, voucher)
        until = voucher.valid_until or series.valid_until
        coupon.update(
            name=series.name,
            type=KINDS.get(series.discount_kind, KINDS["fixed"])[1],
            target="POS",
            currency=engine.config.currency,
            isExpired=until is not None and until <= now,
            isActive=not voucher.voided,
            usedCount=voucher.redeemed,
            customerUsedCount=voucher.redeemed,
            isAvailableToUse=_refusal(tenant, voucher.code, member.member_id) is None,
        )
        rows.append(coupon)
    return {"coupons": rows}


def _refusal(tenant: Tenant, code: str, member_id: str) -> EngineError | None:
    try:
        tenant.engine.validate_voucher(code, member_id)
    except EngineError as exc:
        return exc
    return None


# -- validate and lock ---------------------------------------------------------------
def validate(tenant: Tenant, req: CouponValidate, codes: list[str]) -> dict[str, Any]:
    """Check every coupon for the customer; with `lock`, reserve them all or none."""
    if not codes:
        raise GameballError(3000, "coupons is required")
    if len(set(codes)) != len(codes):
        raise GameballError(3003, "coupons: a coupon code appears twice")
    engine = tenant.engine
    member = active_member(engine, req.customerId)
    session = _session(tenant, req.lockReference, member.member_id) if req.lockReference else None
    locked_here = set(session["codes"]) if session else set()
    known, valid = [], True
    for code in codes:
        try:
            known.append(describe(tenant, engine.voucher(code)))
        except EngineError:
            valid = False
            continue
        if code not in locked_here and _refusal(tenant, code, member.member_id) is not None:
            valid = False
    body: dict[str, Any] = {"valid": valid, "coupons": known}
    if req.lock and valid:
        body.update(_lock(tenant, req, member.member_id, codes, session))
    return body


def _lock(tenant, req: CouponValidate, member_id: str, codes: list[str], session) -> dict:
    engine = tenant.engine
    ttl = (req.lockDuration or 0) * 60 or engine.config.voucher_reservation_ttl_s
    reference = req.lockReference or store.next_id(tenant, "lock")
    for code in session["codes"] if session else ():  # a new list: locked afresh, together
        engine.release_voucher(code, reference)
    for code in codes:  # all were just validated, so every reservation succeeds
        engine.reserve_voucher(code, member_id, reference, ttl)
    expires = engine.now() + timedelta(seconds=ttl)
    store.coupon_locks(tenant)[reference] = {
        "customerId": member_id,
        "codes": list(codes),
        "expiresAt": expires,
    }
    return {"lockReference": reference, "dateToExpire": stamp(expires)}


def _session(tenant: Tenant, reference: str, member_id: str | None) -> dict[str, Any]:
    """A live lock session; 9006 (Gameball's hold-reference code) when there is none."""
    session = store.coupon_locks(tenant).get(reference)
    if session is None or session["expiresAt"] <= tenant.engine.now():
        raise GameballError(9006, f"Coupon lock reference {reference!r} is not found or expired")
    if member_id is not None and session["customerId"] != member_id:
        raise GameballError(9006, f"Coupon lock reference {reference!r} is for another customer")
    if not all(_reserved(tenant, c, reference) for c in session["codes"]):
        raise GameballError(9006, f"Coupon lock reference {reference!r} was released or used")
    return session


def _reserved(tenant: Tenant, code: str, reference: str) -> bool:
    reservation = tenant.engine.voucher(code).reservations.get(reference)
    return reservation is not None and reservation.state == "live"


def locked_coupons(tenant: Tenant, reference: str, member_id: str) -> dict[str, str]:
    """code -> reservation of a live lock session (an order's `couponsLockReference`, or
    a burn's `lockReference`); checked here, used by the caller."""
    session = _session(tenant, reference, member_id)
    return {code: reference for code in session["codes"]}


# -- burn and release ----------------------------------------------------------------
def burn(tenant: Tenant, req: CouponBurn) -> dict[str, Any]:
    """Use the coupons (listed, or a lock session's); all of them or none."""
    if (req.coupons is None) == (req.lockReference is None):
        raise GameballError(3000, "Provide exactly one of coupons or lockReference")
    engine = tenant.engine
    member = active_member(engine, req.customerId)
    burns = store.coupon_burns(tenant)
    if req.transactionId and req.transactionId in burns:
        raise GameballError(9004, f"Transaction id {req.transactionId!r} already exists")
    reservations: dict[str, str | None]  # code -> its lock reservation, None when unlocked
    if req.lockReference:
        reservations = dict(locked_coupons(tenant, req.lockReference, member.member_id))
    else:
        reservations = dict.fromkeys(req.coupons or ())
    for code, reference in reservations.items():  # check all before burning any
        if reference is None and (exc := _refusal(tenant, code, member.member_id)) is not None:
            known = exc.code in COUPON_ERRORS
            raise coupon_error(exc, code) if known else GameballError.from_engine(exc)
    for code, reference in reservations.items():
        engine.burn_voucher(code, member.member_id, req.transactionId, reference)
    if req.lockReference:
        store.coupon_locks(tenant).pop(req.lockReference, None)
    if req.transactionId:
        burns[req.transactionId] = list(reservations)
    return {"success": True, "burnedAt": stamp(engine.now())}


def release(tenant: Tenant, reference: str) -> dict[str, Any]:
    """DELETE coupons/{lockReference}: the locked coupons become usable again."""
    session = store.coupon_locks(tenant).pop(reference, None)
    if session is None:
        raise GameballError(9006, f"Coupon lock reference {reference!r} is not found")
    released = []
    for code in session["codes"]:
        if _reserved(tenant, code, reference):
            tenant.engine.release_voucher(code, reference)
            released.append(code)
    return {"success": True, "releasedAt": stamp(tenant.engine.now()), "releasedCoupons": released}


# -- handlers ---------------------------------------------------------------------------
async def validate_coupons(
    request: Request, caller: Caller = Depends(guard("coupons", True))
) -> Json:
    req = parse(CouponValidate, await read_json(request))
    return validate(caller.tenant, req, req.coupons or [])


async def burn_coupons(request: Request, caller: Caller = Depends(guard("coupons", True))) -> Json:
    req = parse(CouponBurn, await read_json(request))
    return burn(caller.tenant, req)


async def validate_coupon(
    code: str, request: Request, caller: Caller = Depends(guard("coupons", True))
) -> Json:
    req = parse(CouponValidate, await read_json(request))
    body = validate(caller.tenant, req, [code])
    found = body.pop("coupons")
    return {**body, **({"coupon": found[0]} if found else {})}


async def release_coupons(
    lockReference: str, caller: Caller = Depends(guard("coupons", True))
) -> Json:
    return release(caller.tenant, lockReference)


async def customer_coupons(
    customerId: str, caller: Caller = Depends(guard("customers_read", True))
) -> Json:
    return coupons_of(caller.tenant, customerId)
