"""Settings records: GET /settings, GET /settings/{name}, POST /settings, PATCH /settings.

Reading needs only the API key (a POS reads `pointsCurrencyValue` before it has any token);
changing needs an admin token.
"""

from __future__ import annotations

from fastapi import Depends, Request

from . import settings
from .auth import Caller, caller, require_admin
from .errors import success
from .listing import page
from .schemas import SettingIn, SettingPatchIn, parse, parse_body, read_json


async def list_settings(request: Request, who: Caller = Depends(caller)):
    return success(page(settings.all_settings(who.tenant), request.query_params))


async def get_setting(name: str, who: Caller = Depends(caller)):
    return success(settings.get(who.tenant, name))


async def create_setting(request: Request, who: Caller = Depends(caller)):
    require_admin(who)
    body = await parse_body(request, SettingIn)
    return success(settings.create(who.tenant, body.name, body.value), status=201)


async def update_settings(request: Request, who: Caller = Depends(caller)):
    """The spec's body is an array of SettingPatch; a single object is taken as one."""
    require_admin(who)
    data = await read_json(request)
    # the body is optional in the spec: none, or an empty list, changes nothing
    items = data if isinstance(data, list) else ([data] if data else [])
    changes = [parse(SettingPatchIn, item) for item in items]
    found = settings.update(who.tenant, [(c.name, c.value) for c in changes])
    return success(found)
