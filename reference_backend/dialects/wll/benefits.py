"""Benefits: a reward bought by (or given to) a user, i.e. an engine voucher plus WLL timestamps.

The engine owns the code and its single burn. WLL's extra lifecycle steps (redeemed, validated
without burning) are timestamps kept per code in the dialect's tenant data. A benefit's id is
derived from its code, so nothing else needs storing.

States (WLL keeps no status field; timestamps say it): created -> redeemed -> burned, and
created -> expired when `expiresAt` passes before redemption or validation.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from ...engine import EngineError, Member, Voucher
from . import rewards, users
from .auth import NAME, Caller, caller, require_user_or_admin
from .convert import NAMESPACE, iso
from .errors import WllFail, success
from .listing import page
from .schemas import RedeemBenefitIn, ValidateVoucherIn, parse_body


def benefit_id(code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"benefit:{code}"))


def _marks(tenant: Tenant) -> dict[str, dict[str, datetime]]:
    return tenant.dialect_data(NAME).setdefault("benefit_marks", {})


def marks(tenant: Tenant, code: str) -> dict[str, datetime]:
    return _marks(tenant).get(code, {})


def _mark(tenant: Tenant, code: str, name: str) -> None:
    _marks(tenant).setdefault(code, {}).setdefault(name, tenant.engine.now())


def all_vouchers(tenant: Tenant) -> list[Voucher]:
    with tenant.engine.lock:
        return list(tenant.engine.state.vouchers.values())


def find(tenant: Tenant, ident: str) -> Voucher:
    index = tenant.dialect_data(NAME).setdefault("benefit_ids", {})
    code = index.get(ident)
    if code is None:  # ids are derived, so a scan always finds them (after a restore too)
        for voucher in all_vouchers(tenant):
            index[benefit_id(voucher.code)] = voucher.code
        code = index.get(ident)
    if code is None:
        raise WllFail(404, "Benefit not found")
    return tenant.engine.voucher(code)


def find_code(tenant: Tenant, code: str) -> Voucher:
    """Codes as typed at a till: exact first, then case-insensitive."""
    try:
        return tenant.engine.voucher(code)
    except EngineError:
        for voucher in all_vouchers(tenant):
            if voucher.code.upper() == code.upper():
                return voucher
    raise WllFail(404, "Voucher not found")


def owned_by(tenant: Tenant, member: Member) -> list[Voucher]:
    return tenant.engine.member_vouchers(member.member_id)


def expires_at(tenant: Tenant, voucher: Voucher) -> datetime | None:
    series = tenant.engine.series(voucher.series_id)
    seconds = rewards.wll_fields(series).get("purchaseExpiration")
    if seconds:
        return voucher.created_at + timedelta(seconds=seconds)
    return voucher.valid_until


def is_burned(voucher: Voucher) -> bool:
    return voucher.redeemed >= voucher.limit


def handed_out(tenant: Tenant, voucher: Voucher) -> bool:
    """A code issued outside WLL's purchase flow (the control plane, another dialect, a POS
    pool): its holder already has the code, so it counts as redeemed from the start."""
    return NAME not in tenant.engine.series(voucher.series_id).attributes


def state(tenant: Tenant, voucher: Voucher) -> str:
    if is_burned(voucher):
        return "burned"
    m = marks(tenant, voucher.code)
    if "redeemedAt" in m:
        return "redeemed"
    end = expires_at(tenant, voucher)
    if "validatedAt" not in m and end is not None and tenant.engine.now() >= end:
        return "expired"
    return "redeemed" if handed_out(tenant, voucher) else "created"


def check_access(tenant: Tenant, who: Caller, voucher: Voucher) -> None:
    """Users see only their own benefits; others' look like they do not exist."""
    if who.is_user:
        owner = users.find_by_auth_identifier(tenant, who.subject or "")
        if owner is None or voucher.owner_id != owner.member_id:
            raise WllFail(404, "Benefit not found")


def redeem(tenant: Tenant, voucher: Voucher) -> None:
    with tenant.engine.lock:
        current = state(tenant, voucher)
        # a handed-out code counts as redeemed, but its first redeem_benefit still succeeds
        if current == "redeemed" and "redeemedAt" in marks(tenant, voucher.code):
            raise WllFail(400, "Benefit has already been redeemed")
        if current == "burned":
            raise WllFail(400, "Voucher has already been used")
        if current == "expired":
            raise WllFail(400, "Benefit has expired")
        if voucher.voided:
            raise WllFail(400, "Voucher is no longer valid")
        _mark(tenant, voucher.code, "redeemedAt")


def validate(tenant: Tenant, voucher: Voucher, allow_future: bool) -> None:
    """Check the code; burn it unless `allow_future`. A burn happens at most once (engine)."""
    engine = tenant.engine
    with engine.lock:  # the checks, the burn and the marks are one step for other callers
        current = state(tenant, voucher)
        if current == "burned":
            raise WllFail(400, "Voucher has already been used")
        if current != "redeemed":  # an unredeemed benefit never reaches validation
            message = "Benefit has expired" if current == "expired" else "Benefit is not redeemed"
            raise WllFail(400, message)
        engine.validate_voucher(voucher.code)  # voided / not yet valid / series expiry
        if not allow_future:
            engine.burn_voucher(voucher.code, member_id=voucher.owner_id)
            _mark(tenant, voucher.code, "burnedAt")
        _mark(tenant, voucher.code, "validatedAt")


def render(tenant: Tenant, voucher: Voucher, issued: Counter[str] | None = None) -> dict[str, Any]:
    series = tenant.engine.series(voucher.series_id)
    reward = rewards.render(tenant, series, issued)
    m = marks(tenant, voucher.code)
    owner = tenant.engine.member(voucher.owner_id) if voucher.owner_id else None
    # OTP and pool codes appear on redemption; handed-out codes are known to their holder
    shown = "redeemedAt" in m or is_burned(voucher) or handed_out(tenant, voucher)
    code = None
    if reward["codeType"] != "HUMAN" and shown:
        code = {
            "id": str(uuid.uuid5(NAMESPACE, f"code:{voucher.code}")),
            "createdAt": iso(voucher.created_at),
            "updatedAt": iso(max(m.values(), default=voucher.created_at)),
            "redeemedAt": iso(m.get("redeemedAt")),
            "validatedAt": iso(m.get("validatedAt")),
            "value": reward.get("code", {}).get("value")
            if reward["codeType"] == "STATIC"
            else voucher.code,
        }
    return {
        "id": benefit_id(voucher.code),
        "type": reward["type"],
        "createdAt": iso(voucher.created_at),
        "redeemedAt": iso(m.get("redeemedAt")),
        "expiresAt": iso(expires_at(tenant, voucher)),
        "burnedAt": iso(m.get("burnedAt") or _burned_elsewhere(tenant, voucher)),
        "reward": reward,
        "owner": _owner(owner),
        "code": code,
    }


def _burned_elsewhere(tenant: Tenant, voucher: Voucher) -> datetime | None:
    """A code burned through another dialect has no mark; its activity line has the time."""
    if not is_burned(voucher) or voucher.owner_id is None:
        return None
    for line in reversed(tenant.engine.activities(voucher.owner_id)):
        if line.kind == "voucher_burned" and line.ref == voucher.code:
            return line.at
    return None


def _owner(member: Member | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {
        "id": member.member_id,
        "accountNumber": member.account_number,
        "authIdentifier": users.auth_identifier_of(member),
    }


# -- handlers ---------------------------------------------------------------------------
# Benefits, vouchers (benefits of VOUCHER rewards) and the two voucher commands:
# redeem_benefit and validate_voucher.
_USER_FILTERS = ("user", "userId", "owner", "ownerId", "accountNumber")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def _flag(name: str, raw: str | None) -> bool | None:
    if raw is None:
        return None
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise WllFail(400, "Validation failed", {name: "must be true or false"})


def _benefits(request: Request, who: Caller) -> list[dict]:
    require_user_or_admin(who)
    tenant = who.tenant
    redeemable = _flag("redeemable", request.query_params.get("redeemable"))
    query = request.query_params
    owner_ref = next((query[k] for k in _USER_FILTERS if k in query), None)
    if who.is_user:
        found = owned_by(tenant, users.me(tenant, who))
    elif owner_ref:
        found = owned_by(tenant, users.resolve(tenant, owner_ref))
    else:
        found = [v for v in all_vouchers(tenant) if v.owner_id]
    if redeemable is not None:
        found = [v for v in found if (state(tenant, v) == "created") is redeemable]
    issued = rewards.issued_counts(tenant)
    return [render(tenant, v, issued) for v in found]


def _benefit(who: Caller, benefit_id: str) -> dict:
    require_user_or_admin(who)
    voucher = find(who.tenant, benefit_id)
    check_access(who.tenant, who, voucher)
    return render(who.tenant, voucher)


async def list_benefits(request: Request, who: Caller = Depends(caller)):
    return success(page(_benefits(request, who), request.query_params))


async def get_benefit(benefit_id: str, who: Caller = Depends(caller)):
    return success(_benefit(who, benefit_id))


async def list_vouchers(request: Request, who: Caller = Depends(caller)):
    found = [b for b in _benefits(request, who) if b["type"] == "VOUCHER"]
    return success(page(found, request.query_params))


async def get_voucher(voucher_id: str, who: Caller = Depends(caller)):
    found = _benefit(who, voucher_id)
    if found["type"] != "VOUCHER":
        raise WllFail(404, "Voucher not found")
    return success(found)


async def redeem_benefit(request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    body = await parse_body(request, RedeemBenefitIn)
    voucher = find(who.tenant, body.benefit_id)
    check_access(who.tenant, who, voucher)
    redeem(who.tenant, voucher)
    return success(render(who.tenant, voucher))


async def validate_voucher(request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    body = await parse_body(request, ValidateVoucherIn)
    voucher = find_code(who.tenant, body.code)
    check_access(who.tenant, who, voucher)
    validate(who.tenant, voucher, body.allow_future_validation)
    data = render(who.tenant, voucher)
    # the guide promises a `discounts` object on the answer; also kept under `reward`
    return success({**data, "discounts": data["reward"]["discounts"]})
