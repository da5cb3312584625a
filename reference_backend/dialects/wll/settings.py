"""Tenant settings as WLL keeps them: records `{name, value}` with string values.

`pointsCurrencyValue` (what one point pays, in major units: "0.01" = 1 point per cent) is
derived from the program config until an admin stores a value of its own; POS guides read it
to turn points into money.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Depends, Request

from ...control.tenants import Tenant
from .auth import NAME, Caller, caller, require_admin
from .convert import iso
from .errors import WllFail, success
from .listing import page
from .schemas import SettingIn, SettingPatchIn, parse, parse_body, read_json

POINTS_VALUE = "pointsCurrencyValue"


def _stored(tenant: Tenant) -> dict[str, dict[str, Any]]:
    return tenant.dialect_data(NAME).setdefault("settings", {})


def _points_value(tenant: Tenant) -> str:
    config = tenant.engine.config
    value = Decimal(config.redeem_value_minor) / config.redeem_points / 10**config.minor_units
    return format(value.normalize(), "f")


def _derived(tenant: Tenant) -> dict[str, Any]:
    return {"name": POINTS_VALUE, "value": _points_value(tenant), "createdAt": None}


def all_settings(tenant: Tenant) -> list[dict[str, Any]]:
    records = dict(_stored(tenant))
    records.setdefault(POINTS_VALUE, _derived(tenant))
    return [render(r) for r in records.values()]


def get(tenant: Tenant, name: str) -> dict[str, Any]:
    record = _stored(tenant).get(name) or (_derived(tenant) if name == POINTS_VALUE else None)
    if record is None:
        raise WllFail(404, "Setting not found")
    return render(record)


def create(tenant: Tenant, name: str, value: str) -> dict[str, Any]:
    with tenant.engine.lock:
        if name in _stored(tenant):
            raise WllFail(409, f"Setting {name} exists")
        return _put(tenant, name, value)


def update(tenant: Tenant, changes: list[tuple[str, str | None]]) -> list[dict[str, Any]]:
    """PATCH /settings: every named record must exist (or be derived); all change or none."""
    with tenant.engine.lock:
        known = set(_stored(tenant)) | {POINTS_VALUE}
        missing = [name for name, _ in changes if name not in known]
        if missing:
            raise WllFail(404, "Setting not found", {"name": missing[0]})
        return [_put(tenant, name, value) for name, value in changes if value is not None]


def _put(tenant: Tenant, name: str, value: str) -> dict[str, Any]:
    now = iso(tenant.engine.now())
    created = _stored(tenant).get(name, {}).get("createdAt") or now
    record = {"name": name, "value": value, "createdAt": created, "updatedAt": now}
    _stored(tenant)[name] = record
    return render(record)


def render(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": record["name"],
        "value": record["value"],
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt") or record.get("createdAt"),
    }


# -- handlers ---------------------------------------------------------------------------
# Settings records: GET /settings, GET /settings/{name}, POST /settings, PATCH /settings.
#
# Reading needs only the API key (a POS reads `pointsCurrencyValue` before it has any token);
# changing needs an admin token.
async def list_settings(request: Request, who: Caller = Depends(caller)):
    return success(page(all_settings(who.tenant), request.query_params))


async def get_setting(name: str, who: Caller = Depends(caller)):
    return success(get(who.tenant, name))


async def create_setting(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, SettingIn)
    return success(create(who.tenant, body.name, body.value), status=201)


async def update_settings(request: Request, who: Caller = Depends(caller)):
    """The spec's body is an array of SettingPatch; a single object is taken as one."""
    require_admin(who)
    data = await read_json(request)
    # the body is optional in the spec: none, or an empty list, changes nothing
    items = data if isinstance(data, list) else ([data] if data else [])
    changes = [parse(SettingPatchIn, item) for item in items]
    found = update(who.tenant, [(c.name, c.value) for c in changes])
    return success(found)
