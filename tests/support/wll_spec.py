"""WLL's OpenAPI facts for the contract tests: the spec's operations, which of them the dialect
serves, request bodies built from the spec's request schemas, and the measured coverage that
docs/parity/wll.md carries.

The facts are fixtures/vendor/wll/openapi-facts.json, kept from WLL's published file by
scripts/extract_openapi_facts.py (paths, methods, request schemas; no prose). After a change to
the dialect's routes, rewrite the coverage section of the parity table with:

    python -m tests.support.wll_spec
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.support.openapi_check import OpenApi

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "fixtures" / "vendor" / "wll" / "openapi-facts.json"
PARITY = ROOT / "docs" / "parity" / "wll.md"
BASE = "/v1"
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"
OMIT = object()  # a hint meaning "leave this property out"

# why each group of operations (first path segment, or one "METHOD /path") is not served
REASONS = {
    "GET /": "the API's index page, not an operation a client calls",
    "GET /openapi.json": "the spec itself; posim's own /docs serve its routes",
    "GET /users/summary": "back-office reporting over all users; not modelled",
    "GET /users/{id}/active_campaign": "referral campaigns are not modelled (see campaigns)",
    "GET /users/me/fingerprint": "device fingerprinting for the web SDK, not a POS call",
    "POST /users/{id}/purchases": "per-user variant of `commands/purchase_reward` (served)",
    "POST /users/{id}/redemptions": "per-user variant of `commands/redeem_benefit` (served)",
    "POST /users/{id}/redemptions/validate": "per-user `commands/validate_voucher` (served)",
    "POST /users/{id}/commands": "a per-user command path; the `commands/*` paths are served",
    "POST /users/{id}/referral_code": "referral campaigns are not modelled (see campaigns)",
    "GET /users/{userId}/wallet/predictions": "points-liability predictions: not modelled",
    "POST /commands/award_badge": "badges are not modelled (see badges)",
    "GET /rewards/availability-criteria-builder/config": "console UI configuration",
    "DELETE /rewards/{id}/codes/{codeId}": "uploaded pool codes are kept (the engine's pool"
    " only grows)",
    "GET /rewards/{id}/upload-url/": "bulk code upload through cloud storage; POST codes instead",
    "apple-wallet": "wallet passes for phones, not a POS call",
    "attributes": "custom user-attribute definitions: console configuration",
    "audiences": "audience segmentation: the catalogue is the same for every user",
    "auth0": "WLL's own identity-provider housekeeping",
    "awin": "affiliate-network webhooks (Awin), not a POS call",
    "badges": "badges are not modelled by the engine",
    "branch": "mobile attribution webhooks (Branch), not a POS call",
    "campaigns": "referral campaigns and tranches are not modelled for WLL",
    "code_pools": "shared code pools: pool codes are uploaded per reward instead",
    "consent_types": "marketing consents: no loyalty semantics",
    "consents": "marketing consents: no loyalty semantics",
    "event_reactors": "reactors come from the program config (event rules), not the API",
    "fidel": "card-linked offers (Fidel webhooks), not a POS call",
    "google-wallet": "wallet passes for phones, not a POS call",
    "integrations": "third-party integration settings: console configuration",
    "kindred": "partner reward import (Kindred), not a POS call",
    "logics": "rule scripting for the console: not modelled",
    "magnati": "prepaid card issuing (Magnati), not a POS call",
    "media_items": "console media library",
    "meta_events": "back-office recalculation of meta events: not modelled",
    "olive": "card-linked offers (Olive webhooks), not a POS call",
    "payouts": "cash payouts to users (Stripe), not a POS call",
    "points_liability_criteria": "points-liability reporting: not modelled",
    "referral_codes": "referral campaigns are not modelled for WLL",
    "reward_categories": "catalogue categories: console configuration",
    "simplifi": "prepaid card programme (Simplifi), not a POS call",
    "teams": "team wallets: not modelled",
    "tenant": "tenant administration; posim's control plane does this",
    "tiers": "tiers come from the program config: read here, changed there",
    "token_profiles": "web SDK sessions, not a POS call",
    "translations": "console translations",
    "user_sessions": "web SDK sessions, not a POS call",
    "user_tokens": "web SDK sessions, not a POS call",
    "venue_categories": "venues are not modelled (a POS names its store itself)",
    "venues": "venues are not modelled (a POS names its store itself)",
    "wegift": "gift-card catalogue (WeGift), not a POS call",
    "xoxo": "gift-card catalogue (Xoxo), not a POS call",
}

# a sample for each `pattern` the spec's request schemas use
PATTERN_SAMPLES = {
    "^[a-zA-Z./]+$": "pos.sample",
    "^(19[0-9][0-9]|20[0-3][0-9])-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$": "1990-04-01",
    "^[A-Z]{3}$": "GBP",
    "\\d{4}-[01]\\d-[0-3]\\dT[0-2]\\d:[0-5]\\d:[0-5]\\d.\\d+Z?": "2025-12-31T12:00:00.000Z",
    "[a-z]{2,3}(-[A-Za-z]+)*": "en",
    "^[0-9]+\\.[0-9]{2}$": "10.00",
    "^[A-Z]+(_[A-Z]+)*$": "SAMPLE_TYPE",
    "\\d{3}-\\d{4}-\\d{7}-\\d": "123-4567-1234567-1",
    "^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$": "#336699",
    "^[\\x00-\\x7F]+$": "sample text",
}
FORMAT_SAMPLES = {
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "spec.client@example.com",
    "url": "https://example.com/picture.png",
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00.000Z",
}


def load() -> OpenApi:
    spec = OpenApi(FACTS)
    # formats are not checked, so a oneOf between two string formats (date | date-time)
    # cannot tell its options apart: read it as anyOf
    spec.doc = _any_of(spec.doc)
    return spec


def _any_of(node: Any) -> Any:
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_of(v) for v in node]
    return node


def operations(spec: OpenApi) -> list[tuple[str, str]]:
    return [(m.upper(), p) for p, ops in spec.doc["paths"].items() for m in ops]


def request_schema(spec: OpenApi, method: str, path: str) -> dict[str, Any] | None:
    body = spec.operation(method, path).get("requestBody")
    schema = (body or {}).get("content", {}).get("application/json", {}).get("schema")
    return schema or None


def success_status(spec: OpenApi, method: str, path: str) -> int:
    return min(int(s) for s in spec.operation(method, path)["responses"] if s.startswith("2"))


def _shape(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", template.rstrip("/") or "/")


def served(method: str, template: str, routers) -> bool:
    """Whether a dialect route has this operation's method and path (parameter names aside)."""
    wanted = _shape(BASE + template)
    for router in routers:
        for route in router.routes:
            if method in getattr(route, "methods", ()) and _shape(route.path) == wanted:
                return True
    return False


def reason_key(method: str, template: str) -> str | None:
    """The REASONS entry for an operation: its own, else its group's."""
    own = f"{method} {template}"
    group = template.strip("/").split("/")[0]
    return own if own in REASONS else group if group in REASONS else None


def reason(method: str, template: str) -> str | None:
    key = reason_key(method, template)
    return REASONS[key] if key else None


def instance(spec: OpenApi, schema: Any, hints: dict[str, Any], full: bool, name="") -> Any:
    """A value valid for `schema`: required properties only, or every property (`full`).

    `hints` give values by "Schema.property" or "property" (OMIT leaves one out): ids of
    things that must exist, and values the spec allows but that would make a sale pointless
    (e.g. an availability that ended already)."""
    if not isinstance(schema, dict):
        return {}
    if "$ref" in schema:
        ref = schema["$ref"]
        return instance(spec, spec.resolve(ref), hints, full, ref.rsplit("/", 1)[1])
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return instance(spec, schema[key][0], hints, full, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "object":
        return _object(spec, schema, hints, full, name)
    if kind == "array":
        return [instance(spec, schema["items"], hints, full)] if schema.get("minItems") else []
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        low = schema.get("minimum")
        return low if low is not None and low > 1 else 1
    if kind == "boolean":
        return False
    return {}


def _object(spec: OpenApi, schema: dict, hints: dict, full: bool, name: str) -> dict:
    props = schema.get("properties", {})
    wanted = props if full else schema.get("required", [])
    out = {}
    for prop in wanted:
        hint = hints.get(f"{name}.{prop}", hints.get(prop))
        if hint is OMIT:
            continue
        out[prop] = hint if hint is not None else instance(spec, props.get(prop), hints, full)
    return out


def _string(schema: dict) -> str:
    if "pattern" in schema:
        return PATTERN_SAMPLES[schema["pattern"]]
    if "format" in schema:
        return FORMAT_SAMPLES[schema["format"]]
    return "sample text"[: schema.get("maxLength", 11)]


def coverage(routers) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(served, left out) operations of the spec."""
    found = operations(load())
    done = [op for op in found if served(*op, routers)]
    return done, [op for op in found if op not in done]


def coverage_section(routers) -> str:
    done, left = coverage(routers)
    total = len(done) + len(left)
    groups = Counter(reason_key(m, p) or f"{m} {p}" for m, p in left)
    rows = []
    for key, n in sorted(groups.items(), key=lambda kv: kv[0].split(" ")[-1]):
        what = f"`{key}`" if " " in key else f"`/{key}/...` ({n} operation{'s' if n > 1 else ''})"
        rows.append(f"| {what} | {REASONS.get(key, 'NO REASON GIVEN')} |")
    return "\n".join(
        [
            START,
            f"WLL's OpenAPI lists **{total} operations**; the dialect serves **{len(done)}**"
            f" ({100 * len(done) / total:.1f}%), each with and without a trailing slash:",
            ", ".join(f"`{m} {p}`" for m, p in done) + ".",
            "",
            "| Left out | Why |",
            "|---|---|",
            *rows,
            END,
        ]
    )


def _rewrite() -> None:
    sys.path.insert(0, str(ROOT))
    from reference_backend.dialects.wll.routes import ROUTERS

    text = PARITY.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    PARITY.write_text(head + coverage_section(ROUTERS) + tail)


if __name__ == "__main__":
    _rewrite()
