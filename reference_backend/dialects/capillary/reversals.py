"""The two v2 calls a POS uses to undo a redemption when a bill is returned (capillary.md §3.12).

POST /v2/points/reverse gives back all or part of a points redemption; POST
/v2/coupon/reactivate makes redeemed coupons usable again. v2 answers in its own shape:
plain JSON booleans and numbers, `warnings` and `errors` lists, HTTP 200 for business
failures (as the v1.1 APIs do; a public client reads `errors` from successful calls).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from ...engine import EngineError, Member
from ...hardening import loads, read_body
from . import bills, members, redemptions, vouchers
from .auth import Till, guard
from .errors import ItemError
from .points import short_id
from .schemas import decimal_of, fmt_time, text

PREFIX = "/v2"

# v2 identifier types (docs: ID, PHONE, EMAIL; samples: "mobile", "externalId")
IDENTIFIER_TYPES = {
    "mobile": "mobile",
    "phone": "mobile",
    "email": "email",
    "externalid": "external_id",
    "id": "id",
    "userid": "id",
    "customerid": "id",
    "cardnumber": "card_number",
    "card": "card_number",
}
MESSAGES = {
    400: "Invalid input",
    887: "Points reversal failed due to validation error",
    878: "Points decimal precision not supported",
    904: "Points reversal locked for this customer",
    8015: "Customer not found for the given identifiers",
    3801: "Points to be reversed should not be greater than the points left on the redemption",
    3803: "No points redemption found for the redemption id",
    709: "Coupon redemption cannot be reactivated",
}


class V2Error(Exception):
    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, "Request failed")
        super().__init__(self.message)

    def entry(self) -> dict[str, Any]:
        return {"status": False, "code": self.code, "message": self.message}


def errors_body(*errors: dict[str, Any]) -> dict[str, Any]:
    return {"warnings": [], "errors": list(errors)}


def respond_v2(
    request: Request,
    body: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    all_headers = {"X-Cap-Requestid": str(getattr(request.state, "request_id", ""))}
    all_headers.update(headers or {})
    return JSONResponse(body, status_code=status_code, headers=all_headers)


async def _object(request: Request) -> dict[str, Any]:
    raw = await read_body(request)
    try:
        body = loads(raw) if raw.strip() else None
    except ValueError as exc:  # JsonRejected and UnicodeDecodeError are ValueErrors
        raise HTTPException(400, "body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise HTTPException(400, "expected a JSON object")
    return body


def _customer(till: Till, identifier: Any) -> tuple[Member, dict[str, str]]:
    if not isinstance(identifier, dict):
        raise V2Error(887, "identifier {type, value} is required")
    raw_type, value = text(identifier.get("type")), text(identifier.get("value"))
    if raw_type is None or value is None:
        raise V2Error(887, "identifier {type, value} is required")
    kind = IDENTIFIER_TYPES.get("".join(ch for ch in raw_type.lower() if ch.isalnum()))
    if kind is None:
        raise V2Error(887, f"Unknown identifier type {raw_type!r}")
    member = members.find(till, kind, value)
    if member is None:
        raise V2Error(8015)
    return member, {"type": raw_type, "value": value}


def _points(raw: Any, left: int) -> int:
    if raw is None:  # "if not provided, all points may be reversed"
        return left
    try:
        number = decimal_of(raw, 887)
    except ItemError as exc:
        raise V2Error(887, "pointsToBeReversed must be a number") from exc
    if number is None or number <= 0:
        raise V2Error(887, "pointsToBeReversed must be positive")
    if number != number.quantize(Decimal("0.001")):
        raise V2Error(878)
    if number != number.to_integral_value():
        raise V2Error(887, "pointsToBeReversed must be a whole number of points")
    return int(number)


def _reversal_ids(till: Till) -> set[str]:
    return {r["id"] for e in redemptions.log(till).values() for r in e["reversals"]}


def _reverse(till: Till, body: dict[str, Any]) -> dict[str, Any]:
    rid = text(body.get("redemptionId") or body.get("redemption_id"))
    if rid is None:
        raise V2Error(887, "redemptionId is required")
    member, identifier = _customer(till, body.get("identifier"))
    if not member.active:
        raise V2Error(904)
    try:
        record = till.engine.redemption(rid)
    except EngineError as exc:
        raise V2Error(3803) from exc
    if record.member_id != member.member_id:
        raise V2Error(3803, "The redemption belongs to another customer")
    left = record.points - record.reversed
    points = _points(body.get("pointsToBeReversed"), left)
    if left == 0 or points > left:
        raise V2Error(3801, f"{MESSAGES[3801]} ({left})")
    try:
        till.engine.reverse_redemption(rid, points)
    except EngineError as exc:
        if exc.code == "invariant_violation":
            raise
        raise V2Error(3801 if exc.code == "reversal_exceeds_redeemed" else 887) from exc
    taken = _reversal_ids(till)
    reversal_id = short_id(till, "reversal", lambda c: c in taken)
    redemptions.add_reversal(till, rid, reversal_id, points)
    customer_id = int(member.member_id) if member.member_id.isdigit() else member.member_id
    available = till.engine.balance(member.member_id)["available"]
    return {
        "redemptionId": rid,
        "pointsToBeReversed": float(points),
        "orgId": bills.numeric_id(f"org\x00{till.tenant.tenant_id}"),
        "identifier": identifier,
        "customerId": customer_id,
        "pointsReversed": float(points),
        "reversalId": reversal_id,
        "pointsReversedDetails": {"available": float(points), "expired": 0.0},
        "balance": str(available),
        "warnings": [],
        "errors": [],
    }


async def points_reverse(request: Request, till: Till = Depends(guard("v2/points/reverse"))):
    body = await _object(request)
    try:
        with till.engine.lock:
            return respond_v2(request, _reverse(till, body))
    except V2Error as err:
        return respond_v2(request, errors_body(err.entry()))


def _reinstate(till: Till, code: str, number: str) -> bool:
    """Give the burned slot back (the bill that burned it is being returned)."""
    return till.engine.reinstate_voucher(code, number)


def _wanted_ids(raw: Any) -> list[str]:
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        raw = str(raw).split(",")
    if not isinstance(raw, list) or not raw:
        raise V2Error(400, "redemptionIds must be a non-empty list")
    ids = [text(v) for v in raw if not isinstance(v, dict | list | bool)]
    if len(ids) != len(raw) or any(i is None for i in ids):
        raise V2Error(400, "redemptionIds must hold redemption ids")
    return [i for i in ids if i is not None]


def _reactivate(till: Till, body: dict[str, Any]) -> dict[str, Any]:
    wanted = _wanted_ids(body.get("redemptionIds", body.get("redemption_ids")))
    entries = {entry["id"]: entry for entry in vouchers.log(till)}
    errors, warnings = [], []
    for rid in wanted:
        entry = entries.get(rid)
        if entry is None:
            errors.append(V2Error(400, f"Coupon redemption {rid} not found").entry())
        elif entry.get("reactivated_at"):  # a repeated call changes nothing (retry-safe)
            warnings.append({"code": 709, "message": f"Redemption {rid} is already reactivated"})
        elif _reinstate(till, entry["code"], entry["number"]):
            entry["reactivated_at"] = fmt_time(till.engine.now())
        else:
            errors.append(V2Error(709, f"Coupon redemption {rid} cannot be reactivated").entry())
    return {"warnings": warnings, "errors": errors, "success": not errors}


async def coupon_reactivate(request: Request, till: Till = Depends(guard("v2/coupon/reactivate"))):
    body = await _object(request)
    try:
        with till.engine.lock:
            return respond_v2(request, _reactivate(till, body))
    except V2Error as err:
        return respond_v2(request, {**errors_body(err.entry()), "success": False})
