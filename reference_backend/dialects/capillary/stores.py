"""GET store/get: the stores of the tenant's tills, in v1.1's shape."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from . import bills
from .auth import TILL_KEYS, Till, guard, store_of
from .convert import item_status, respond
from .schemas import text


def _stores(till: Till) -> list[str]:
    creds = till.tenant.credentials.get("capillary", {})
    return sorted({store_of(creds[k]) for k in TILL_KEYS if k in creds} | {till.store})


def _store_entry(till: Till, code: str) -> dict[str, Any]:
    currency = till.engine.config.currency
    return {
        "id": str(bills.numeric_id(f"store\x00{code}")),
        "name": code,
        "code": code,
        "location": {"latitude": "", "longitude": ""},
        "currency": {"name": currency, "symbol": "", "iso_code": {"alpha": currency}},
        "language": "English",
        "time_zone": {"offset": {"std": "UTC+00", "summer": "NULL"}},
        "mobile": "",
        "email": "",
        "land_line": "",
        "external_id": code,
        "external_id_1": "",
        "external_id_2": "",
        "item_status": item_status(900, "Store Info Retrieval Successful", True),
    }


async def store_get(request: Request, till: Till = Depends(guard("store/get"))):
    params = request.query_params
    wanted_id, wanted_ext = text(params.get("id")), text(params.get("external_id"))
    stores = [_store_entry(till, code) for code in _stores(till)]
    if wanted_id or wanted_ext:
        stores = [s for s in stores if wanted_id in (None, s["id"])]
        stores = [s for s in stores if wanted_ext in (None, s["external_id"])]
    else:
        stores = [s for s in stores if s["code"] == till.store]
    if not stores:
        status = {
            "success": False,
            "code": 500,
            "message": "All requests have failed due to errors",
        }
        missing = {"item_status": item_status(404, "Store not found", False)}
        body = {"status": status, "stores": {"store": missing}}
        return respond(request, {"response": body}, till.cfg)
    status = {"success": True, "code": 200, "message": "SUCCESS"}
    found = stores[0] if len(stores) == 1 else stores
    return respond(request, {"response": {"status": status, "stores": {"store": found}}}, till.cfg)
