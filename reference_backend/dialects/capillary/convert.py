"""The v1.1 envelope: `response.status` for the request, `item_status` for each item.

Handlers build bodies with native bools and ints; `respond` applies the tenant's typing
style last (the samples send "true"/"false" strings and mix numeric and string codes).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from . import xml_format
from .config import CapillaryConfig

ALL_OK = (200, "Success")
SOME_FAILED = (201, "Some requests have failed due to errors")
ALL_FAILED = (500, "All requests have failed due to errors")


def item_status(
    code: int,
    message: str,
    success: bool,
    *,
    string_code: bool = False,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """One item's outcome; customer items carry string codes and a warnings list."""
    block: dict[str, Any] = {
        "success": success,
        "code": str(code) if string_code else code,
        "message": message,
    }
    if warnings is not None:
        block["warnings"] = {"warning": warnings}
    return block


def request_status(outcomes: list[bool], *, counts: bool = False) -> dict[str, Any]:
    """200 when every item succeeded, 201 when some did, 500 when none did."""
    ok = sum(outcomes)
    code, message = ALL_OK if ok == len(outcomes) else SOME_FAILED if ok else ALL_FAILED
    status: dict[str, Any] = {"success": ok > 0, "code": code, "message": message}
    if counts:  # the customer APIs report batch totals as strings
        status["total"] = str(len(outcomes))
        status["success_count"] = str(ok)
    return status


def failure_body(code: int, message: str) -> dict[str, Any]:
    return {"response": {"status": {"success": False, "code": code, "message": message}}}


def _typed(value: Any, cfg: CapillaryConfig, in_item_status: bool = False) -> Any:
    if isinstance(value, bool):
        return value if cfg.success_style == "bool" else ("true" if value else "false")
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            if in_item_status and key == "code" and cfg.item_code_style != "samples":
                out[key] = int(inner) if cfg.item_code_style == "int" else str(inner)
            else:
                out[key] = _typed(inner, cfg, key == "item_status")
        return out
    if isinstance(value, list):
        return [_typed(v, cfg) for v in value]
    return value


def respond(
    request: Request,
    body: dict[str, Any],
    cfg: CapillaryConfig,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a body in the tenant's typing style with Capillary's request id header, as
    JSON or, when the till asks for it, v1.1 XML."""
    all_headers = {"X-Cap-Requestid": str(getattr(request.state, "request_id", ""))}
    all_headers.update(headers or {})
    if xml_format.wants_xml(request):
        content = xml_format.render(_typed(body, cfg))
        return Response(content, status_code, all_headers, media_type=xml_format.MEDIA_TYPE)
    return JSONResponse(_typed(body, cfg), status_code=status_code, headers=all_headers)
