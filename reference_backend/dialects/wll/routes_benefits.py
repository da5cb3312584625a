"""Benefits, vouchers (benefits of VOUCHER rewards) and the two voucher commands:
redeem_benefit and validate_voucher."""

from __future__ import annotations

from fastapi import Depends, Request

from . import benefits, rewards, users
from .auth import Caller, caller, require_user_or_admin
from .errors import WllFail, success
from .listing import page
from .schemas import RedeemBenefitIn, ValidateVoucherIn, parse_body

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
        found = benefits.owned_by(tenant, users.me(tenant, who))
    elif owner_ref:
        found = benefits.owned_by(tenant, users.resolve(tenant, owner_ref))
    else:
        found = [v for v in benefits.all_vouchers(tenant) if v.owner_id]
    if redeemable is not None:
        found = [v for v in found if (benefits.state(tenant, v) == "created") is redeemable]
    issued = rewards.issued_counts(tenant)
    return [benefits.render(tenant, v, issued) for v in found]


def _benefit(who: Caller, benefit_id: str) -> dict:
    require_user_or_admin(who)
    voucher = benefits.find(who.tenant, benefit_id)
    benefits.check_access(who.tenant, who, voucher)
    return benefits.render(who.tenant, voucher)


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
    voucher = benefits.find(who.tenant, body.benefit_id)
    benefits.check_access(who.tenant, who, voucher)
    benefits.redeem(who.tenant, voucher)
    return success(benefits.render(who.tenant, voucher))


async def validate_voucher(request: Request, who: Caller = Depends(caller)):
    require_user_or_admin(who)
    body = await parse_body(request, ValidateVoucherIn)
    voucher = benefits.find_code(who.tenant, body.code)
    benefits.check_access(who.tenant, who, voucher)
    benefits.validate(who.tenant, voucher, body.allow_future_validation)
    data = benefits.render(who.tenant, voucher)
    # the guide promises a `discounts` object on the answer; also kept under `reward`
    return success({**data, "discounts": data["reward"]["discounts"]})
