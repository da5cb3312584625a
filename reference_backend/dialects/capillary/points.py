"""points/isredeemable (a dry run), points/validationcode (OTP) and points/redeem.

v1.1 has no hold: isredeemable only checks, and the POS redeems after transaction/add.
The rules (minimum, multiple, per-transaction maximum, balance) run in the same order
for the check and the redeem, so a passing check predicts the redeem.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from starlette.datastructures import QueryParams

from ...engine import EngineError, Member
from ...hardening import read_body
from . import bills, members, otp, redemptions
from .auth import Till, guard
from .convert import item_status, request_status, respond
from .errors import POINTS_CODES, ItemError, from_engine, run_batch
from .schemas import (
    RedeemIn,
    decimal_of,
    flag,
    major,
    parse_item,
    points_of,
    read_items,
    text,
    to_minor,
)

REFS = "redeem_refs"
OTP_HEADER = "X-Posim-Validation-Code"  # posim only: lets a simulated POS read the "SMS"
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _member(till: Till, idents: dict[str, str]) -> Member:
    if not idents:
        raise ItemError(802)
    member = members.resolve(till, idents)
    if member is None:
        raise ItemError(816)
    return member


def _query_idents(params: QueryParams) -> dict[str, str]:
    return dict(members.query_identifiers(params)[:1])


def _echo(idents: dict[str, str], member: Member | None) -> dict[str, Any]:
    if member is not None:
        ids = member.identifiers
        return {k: ids.get(k, "") for k in ("mobile", "email", "external_id")}
    return {k: idents.get(k, "") for k in ("mobile", "email", "external_id")}


def check_rules(till: Till, member: Member, points: int) -> None:
    """Loyalty+ redeem conditions, then the balance (capillary.md §4)."""
    cfg = till.cfg
    minimum = max(cfg.min_points_to_redeem, till.engine.config.min_redeem_points)
    if points < minimum:
        raise ItemError(821, f"Points to redeem are below the minimum of {minimum}")
    if points % cfg.redeem_multiple_of:
        raise ItemError(807, f"Points to redeem must be a multiple of {cfg.redeem_multiple_of}")
    if cfg.max_points_per_transaction and points > cfg.max_points_per_transaction:
        raise ItemError(819)
    if not member.active:
        raise ItemError(809)
    balance = till.engine.balance(member.member_id)
    if balance["debt"] > 0 or balance["available"] < points:
        raise ItemError(804)


def _value(till: Till, points: int) -> int | float:
    cfg = till.engine.config
    return major(cfg.value_of_points(points), cfg.minor_units)


def _requested_points(till: Till, params: QueryParams) -> tuple[int, str]:
    """`points=N`, or `currency_input=true&currency_value=V` (points worth V)."""
    if flag(params.get("currency_input")):
        value = decimal_of(params.get("currency_value"), 801)
        if value is None or value <= 0:
            raise ItemError(801, "currency_value must be a positive amount")
        minor = to_minor(value, till.engine.config.minor_units)
        return till.engine.config.points_to_cover(minor), "currency"
    return points_of(params.get("points")), "points"


async def points_isredeemable(request: Request, till: Till = Depends(guard("points/isredeemable"))):
    params = request.query_params
    idents = _query_idents(params)
    member, headers = None, {}
    fields: dict[str, Any] = {"points": text(params.get("points")) or "", "is_redeemable": False}
    try:
        with till.engine.lock:
            member = _member(till, idents)
            points, input_type = _requested_points(till, params)
            check_rules(till, member, points)
            code = text(params.get("validation_code"))
            if code is not None and not otp.is_valid(till, member.member_id, code):
                raise ItemError(808)
            if flag(params.get("issue_otp")):
                headers[OTP_HEADER] = otp.issue(till, member.member_id)
        value = _value(till, points)
        fields.update(
            points=str(points),
            is_redeemable=True,
            points_redeem_value=value,
            points_redeem_local_value=value,
            input_type=input_type,
            points_currency_ratio=members.points_ratio(till),
            item_status=item_status(800, "Points can be redeemed", True),
        )
        ok = True
    except ItemError as err:
        fields.update(
            points_redeem_value=0,
            points_redeem_local_value=0,
            item_status=item_status(err.code, err.message, False),
        )
        ok = False
    redeemable = {**_echo(idents, member), **fields}
    body = {"status": request_status([ok]), "points": {"redeemable": redeemable}}
    return respond(request, {"response": body}, till.cfg, headers=headers)


async def points_validationcode(
    request: Request, till: Till = Depends(guard("points/validationcode"))
):
    params = request.query_params
    idents = _query_idents(params)
    member, headers = None, {}
    points: int | str
    try:
        member = _member(till, idents)
        points = points_of(params.get("points"))
        with till.engine.lock:
            headers[OTP_HEADER] = otp.issue(till, member.member_id)
        status = item_status(200, "Validation Code Issued by SMS", True)
        ok = True
    except ItemError as err:
        points = text(params.get("points")) or ""
        status = item_status(err.code, err.message, False)
        ok = False
    code = {
        "user_id": member.member_id if member else None,
        **_echo(idents, member),
        "points": str(points),
        "item_status": status,
    }
    body = {"status": request_status([ok]), "validation_code": {"code": code}}
    return respond(request, {"response": body}, till.cfg, headers=headers)


def short_id(till: Till, kind: str, taken: Callable[[str], bool]) -> str:
    """A 6-character id like InTouch's ("r0njPT"), derived from a per-kind serial."""
    while True:
        serial = till.data.get(f"{kind}_serial", 0) + 1
        till.data[f"{kind}_serial"] = serial
        seed = f"{till.tenant.tenant_id}:{kind}:{serial}".encode()
        digest = hashlib.sha256(seed).digest()
        candidate = "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:6])
        if not taken(candidate):
            return candidate


def _redemption_taken(till: Till, rid: str) -> bool:
    try:
        till.engine.redemption(rid)
    except EngineError:
        return False
    return True


def _check_validation(till: Till, item: RedeemIn, member: Member, params: QueryParams) -> None:
    skipped = flag(params.get("skip_validation")) or (
        (params.get("validation_type") or "").upper() == "INVALID"
    )
    if not till.cfg.otp_required or skipped:
        return
    code = text(item.validation_code)
    if code is None:
        raise ItemError(824)
    if not otp.is_valid(till, member.member_id, code):
        raise ItemError(808)


def _bill_for(till: Till, number: str | None, member: Member):
    """The sale a redemption names; required to exist only when the org says so."""
    sale = bills.find_sale(till, number) if number else None
    if sale is not None and sale.member_id != member.member_id:
        sale = None
    if till.cfg.redeem_requires_transaction and sale is None:
        raise ItemError(811)
    return sale


def redeem_one(till: Till, item: RedeemIn, params: QueryParams) -> dict[str, Any]:
    idents = members.identifiers(item.customer)
    member = _member(till, idents)
    points = points_of(item.points_redeemed)
    reference = text(item.external_reference_number)
    refs = till.data.setdefault(REFS, {})
    if reference is not None and reference in refs:  # before the rules: a retry is known
        raise ItemError(744)  # as such even when the first redeem used up the balance
    check_rules(till, member, points)
    _check_validation(till, item, member, params)
    number = text(item.transaction_number)
    sale = _bill_for(till, number, member)
    rid = short_id(till, "redemption", lambda r: _redemption_taken(till, r))
    try:
        till.engine.redeem_points(member.member_id, points, redemption_id=rid, order_id=number)
    except EngineError as exc:
        raise from_engine(exc, POINTS_CODES, 817) from exc
    otp.consume(till, member.member_id)
    if reference is not None:
        refs[reference] = rid
    redemptions.record(
        till,
        rid,
        member,
        number=number,
        bill_id=bills.sale_id(sale) if sale is not None else -1,
        reference=reference,
        validation_code=text(item.validation_code),
        notes=text(item.notes),
        purpose=text(item.redemption_purpose),
    )
    if number:
        on_bill = till.data.setdefault(bills.BILL_REDEMPTIONS, {})
        on_bill[number] = on_bill.get(number, 0) + points
    value = _value(till, points)
    effect = {
        "id": bills.numeric_id(f"redemption\x00{rid}"),
        "case_value": False,
        "num_points": points,
        "currency_value": value,
        "validation_code": text(item.validation_code) or "",
        "points_redemption_summary_id": str(bills.numeric_id(f"redemption\x00{rid}")),
        "redeemed_on_bill_number": number or "",
        "redeemed_on_bill_id": bills.sale_id(sale) if sale is not None else -1,
        "type": "points",
    }
    return {
        **_echo(idents, member),
        "user_id": member.member_id,
        "redemption_id": rid,
        "points_redeemed": str(points),
        "redemption_purpose": text(item.redemption_purpose) or "",
        "redeemed_value": value,
        "redeemed_local_value": value,
        "balance": till.engine.balance(member.member_id)["available"],
        "side_effects": {"effect": [effect]},
        "item_status": item_status(800, "Points Redeemed", True),
    }


async def points_redeem(request: Request, till: Till = Depends(guard("points/redeem"))):
    raws = read_items(await read_body(request), "redeem")
    params = request.query_params

    def fail(raw: Any, err: ItemError) -> dict[str, Any]:
        customer = raw.get("customer") if isinstance(raw, dict) else None
        customer = customer if isinstance(customer, dict) else {}
        return {
            **{k: text(customer.get(k)) or "" for k in ("mobile", "email", "external_id")},
            "user_id": None,
            "points_redeemed": text(raw.get("points_redeemed")) if isinstance(raw, dict) else "",
            "redeemed_value": 0,
            "side_effects": {"effect": []},
            "item_status": item_status(err.code, err.message, False),
        }

    with till.engine.lock:
        items, outcomes = run_batch(
            raws, lambda raw: redeem_one(till, parse_item(RedeemIn, raw), params), fail
        )
    points = items[0] if len(items) == 1 else items
    body = {"status": request_status(outcomes), "responses": {"points": points}}
    return respond(request, {"response": body}, till.cfg)
