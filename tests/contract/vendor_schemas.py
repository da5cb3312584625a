"""OpenAPI documents of the request bodies each dialect really takes, for schemathesis.

The app's own /openapi.json declares almost no vendor request body (routes parse the body
themselves), so generation from it never reaches the body parsers. Here:

- Gameball: the vendor's own OpenAPI facts (fixtures/vendor/gameball/openapi-facts.json),
  every operation that declares a JSON request body;
- WLL and Capillary: the dialects' pydantic request models, at the paths that parse them
  (Capillary's wrapped in its `{"root": {entity: [...]}}` envelope).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reference_backend.dialects.capillary import schemas as cap
from reference_backend.dialects.wll import schemas as wll

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vendor"
REF = "#/components/schemas/{model}"

WLL_BODIES: dict[str, type[BaseModel]] = {
    "/v1/users": wll.UserIn,
    "/v1/events": wll.EventIn,
    "/v1/event_types": wll.EventTypeIn,
    "/v1/commands/redeem_benefit": wll.RedeemBenefitIn,
    "/v1/commands/validate_voucher": wll.ValidateVoucherIn,
    "/v1/commands/purchase_reward": wll.PurchaseIn,
    "/v1/rewards": wll.RewardIn,
}
# path -> (entity under root, the model of one item)
CAPILLARY_BODIES: dict[str, tuple[str, type[BaseModel]]] = {
    "/v1.1/customer/add": ("customer", cap.CustomerIn),
    "/v1.1/customer/update": ("customer", cap.CustomerIn),
    "/v1.1/transaction/add": ("transaction", cap.TransactionIn),
    "/v1.1/points/redeem": ("redeem", cap.RedeemIn),
    "/v1.1/coupon/redeem": ("coupon", cap.CouponRedeemIn),
}


def _document(paths: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "vendor request bodies", "version": "1"},
        "paths": paths,
        "components": {"schemas": components},
    }


def _model_schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    return schema


def _post(schema: dict[str, Any], parameters: list | None = None) -> dict[str, Any]:
    body = {"required": True, "content": {"application/json": {"schema": schema}}}
    operation = {"requestBody": body, "responses": {"200": {"description": "ok"}}}
    if parameters:
        operation["parameters"] = parameters
    return {"post": operation}


def gameball() -> dict[str, Any]:
    facts = json.loads((FIXTURES / "gameball" / "openapi-facts.json").read_text())
    paths = {}
    for path, operations in facts["paths"].items():
        kept = {m: op for m, op in operations.items() if "requestBody" in op}
        if kept:
            paths[path] = kept
    return _document(paths, facts.get("components", {}).get("schemas", {}))


def wll_document() -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths = {path: _post(_model_schema(m, components)) for path, m in WLL_BODIES.items()}
    return _document(paths, components)


def capillary() -> dict[str, Any]:
    components: dict[str, Any] = {}
    fmt = {"name": "format", "in": "query", "required": True, "schema": {"enum": ["json"]}}
    paths = {}
    for path, (entity, model) in CAPILLARY_BODIES.items():
        item = _model_schema(model, components)
        root = {
            "type": "object",
            "required": ["root"],
            "properties": {
                "root": {
                    "type": "object",
                    "required": [entity],
                    "properties": {entity: {"type": "array", "items": item, "minItems": 1}},
                }
            },
        }
        paths[path] = _post(root, [fmt])
    return _document(paths, components)


DOCUMENTS = {"gameball": gameball, "wll": wll_document, "capillary": capillary}
