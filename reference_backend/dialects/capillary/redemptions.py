"""Points redemptions as InTouch lists them: the log points/redeem writes, the reversals
v2 points/reverse adds, and GET customer/redemptions (points and coupons, newest first).

The engine holds each redemption's points and how many were reversed; the log keeps what
only Capillary shows (bill, external reference, till, reversal ids).
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from ...engine import EngineError, Member
from . import bills, members, vouchers
from .auth import Till, guard
from .convert import item_status, request_status, respond
from .errors import ItemError
from .schemas import fmt_time, text

LOG = "points_redemptions"  # redemption id -> what InTouch shows about it
FETCHED = "Redemptions fetched successfully"
NO_IDENTIFIER = "Input is invalid, No identifier provided to get loyalty users"


def log(till: Till) -> dict[str, dict[str, Any]]:
    return till.data.setdefault(LOG, {})


def record(
    till: Till,
    rid: str,
    member: Member,
    *,
    number: str | None,
    bill_id: int,
    reference: str | None,
    validation_code: str | None,
    notes: str | None,
    purpose: str | None,
) -> None:
    """Called by points/redeem once the engine has spent the points."""
    log(till)[rid] = {
        "member_id": member.member_id,
        "number": number or "",
        "bill_id": bill_id,
        "reference": reference or "",
        "validation_code": validation_code or "",
        "notes": notes or "",
        "purpose": purpose or "",
        "at": fmt_time(till.engine.now()),
        "store": till.store,
        "till": till.code,
        "reversals": [],
    }


def add_reversal(till: Till, rid: str, reversal_id: str, points: int) -> None:
    entry = log(till).get(rid)
    if entry is not None:
        entry["reversals"].append(
            {
                "id": reversal_id,
                "points": points,
                "at": fmt_time(till.engine.now()),
                "till": till.code,
            }
        )


def _point_row(till: Till, rid: str, entry: dict[str, Any]) -> dict[str, Any]:
    try:
        redeemed = till.engine.redemption(rid).points
    except EngineError:  # a restore from an older snapshot: show what the log knows
        redeemed = 0
    return {
        "id": bills.numeric_id(f"redemption\x00{rid}"),
        "program_id": till.cfg.program_id,
        "points_redeemed": redeemed,
        "transaction_number": entry["number"],
        "bill_id": str(entry["bill_id"]),
        "validation_code": entry["validation_code"],
        "redeemed_time": entry["at"],
        "redeemed_at": entry["till"],
        "redemption_purpose": entry["purpose"],
        "notes": entry["notes"],
        "external_reference_number": entry["reference"],
        "redemption_id": rid,
        "redeemed_store": {"code": entry["store"], "name": entry["store"]},
        "redeemed_till": {"code": entry["till"], "name": entry["till"]},
        "custom_fields": {"field": []},
        # entry shape not in the samples (they show []): id, points, time and till
        "reversals": [
            {
                "reversal_id": r["id"],
                "points_reversed": r["points"],
                "reversed_time": r["at"],
                "reversed_at": r["till"],
            }
            for r in entry["reversals"]
        ],
        "redemption_breakup_by_program": [],
    }


def _coupon_row(till: Till, entry: dict[str, Any]) -> dict[str, Any]:
    """Not in the samples (coupon: null there); the fields of customer/coupons' history."""
    try:
        series_id = till.engine.voucher(entry["code"]).series_id
    except EngineError:
        series_id = ""
    return {
        "id": entry["id"],
        "code": entry["code"],
        "series_id": series_id,
        "transaction_number": entry["number"],
        "redeemed_time": entry["at"],
        "redeemed_at": entry["till"],
        "redeemed_store": {"code": entry["store"], "name": entry["store"]},
        "redeemed_till": {"code": entry["till"], "name": entry["till"]},
    }


def _int_param(params, name: str, default: int) -> int:
    raw = text(params.get(name))
    return int(raw) if raw and raw.isdigit() else default


def _window(rows: list[dict[str, Any]], params) -> list[dict[str, Any]]:
    start, end = text(params.get("start_date")), text(params.get("end_date"))
    if start:
        rows = [r for r in rows if r["redeemed_time"][:10] >= start[:10]]
    if end:
        rows = [r for r in rows if r["redeemed_time"][:10] <= end[:10]]
    rows.sort(key=lambda r: (r["redeemed_time"], str(r["id"])), reverse=True)
    if (params.get("order") or "").lower() == "asc":
        rows.reverse()
    return rows


async def customer_redemptions(
    request: Request, till: Till = Depends(guard("customer/redemptions"))
):
    params = request.query_params
    wanted = members.query_identifiers(params)
    if not wanted:
        status = item_status(400, NO_IDENTIFIER, False, string_code=True)
        body = {"status": request_status([False]), "customer": {"item_status": status}}
        return respond(request, {"response": body}, till.cfg)
    kind, value = wanted[0]
    member = members.find(till, kind, value)
    if member is None:
        status = item_status(1012, ItemError(1012).message, False, string_code=True)
        body = {"status": request_status([False]), "customer": {kind: value, "item_status": status}}
        return respond(request, {"response": body}, till.cfg)
    kind_wanted = (text(params.get("type")) or "BOTH").upper()
    limit = _int_param(params, "limit", 10)
    points: list[dict[str, Any]] = []
    coupons: list[dict[str, Any]] = []
    if kind_wanted in ("POINTS", "BOTH"):
        entries = [(r, e) for r, e in log(till).items() if e["member_id"] == member.member_id]
        points = _window([_point_row(till, r, e) for r, e in entries], params)
        points = points[: _int_param(params, "points_limit", limit)]
    if kind_wanted in ("COUPONS", "BOTH"):
        burns = [e for e in vouchers.active_log(till) if e["member_id"] == member.member_id]
        coupons = _window([_coupon_row(till, e) for e in burns], params)
        coupons = coupons[: _int_param(params, "coupons_limit", limit)]
    ids = members.identity(member)
    customer = {
        **{k: ids[k] for k in ("mobile", "email", "external_id", "firstname", "lastname")},
        "user_id": member.member_id,
        "user_groups2": [],
        "rows": len(points) + len(coupons),
        "coupons_count": len(coupons) if kind_wanted != "POINTS" else None,
        "points_count": len(points) if kind_wanted != "COUPONS" else None,
        "coupons_start_id": coupons[0]["id"] if coupons else "",
        "points_start_id": points[0]["id"] if points else "",
        "redemptions": {
            "coupons": {"coupon": coupons or None},
            "points": {"point": points or None},
        },
        "item_status": item_status(1000, FETCHED, True, string_code=True),
    }
    body = {"status": request_status([True]), "customer": customer}
    return respond(request, {"response": body}, till.cfg)
