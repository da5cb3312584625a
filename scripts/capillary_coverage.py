"""How much of Capillary's OpenAPI the dialect serves, written into its parity table.

Operations come from fixtures/vendor/capillary/openapi-facts.json; served ones are the
routes the dialect mounts. Each operation left out needs a reason below. Run

    python scripts/capillary_coverage.py --write

after changing either; tests/dialects/test_capillary_parity.py fails while the table is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "fixtures" / "vendor" / "capillary" / "openapi-facts.json"
TABLE = ROOT / "docs" / "parity" / "capillary.md"
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"

_CRM = "CRM data outside the checkout (no POS flow reads or writes it)"
_BACK_OFFICE = "back-office workflow, not a POS call"
REASONS = {
    "POST /v1.1/customer/update_identity": "identifier changes are a service-desk action; "
    "add/update fill empty identifiers under `allow_identifier_update`",
    "GET /v1.1/customer/notes": _CRM,
    "POST /v1.1/customer/notes": _CRM,
    "GET /v1.1/customer/recommendations": "product recommendations need a catalogue model",
    "GET /v1.1/customer/interaction": _CRM,
    "GET /v1.1/customer/tickets": _CRM,
    "POST /v1.1/customer/tickets": _CRM,
    "GET /v1.1/customer/referrals": "v1.1 referral campaigns are not modelled for Capillary",
    "POST /v1.1/customer/referrals": "v1.1 referral campaigns are not modelled for Capillary",
    "GET /v1.1/customer/preferences": _CRM,
    "POST /v1.1/customer/preferences": _CRM,
    "GET /v1.1/customer/subscriptions": "communication subscriptions, not loyalty",
    "POST /v1.1/customer/subscriptions": "communication subscriptions, not loyalty",
    "POST /v1.1/transaction/add_with_local_currency": "the engine keeps one currency per "
    "program; no conversion ratios to apply",
    "POST /v1.1/coupon/issue": "coupons are issued through the engine (seeding), not by tills",
    "GET /v1.1/coupon/resend": "messaging only",
    "GET /v1.1/organization/get": "org administration metadata",
    "GET /v1.1/organization/entities": "org administration metadata",
    "GET /v1.1/organization/configs": "configs are set through the control plane",
    "GET /v1.1/organization/statistics": "reporting",
    "GET /v1.1/organization/topitems": "reporting",
    "GET /v1.1/organization/customfields": "org administration metadata",
    "GET /v1.1/organization/tenders": "org administration metadata",
    "POST /v1.1/communications/sendMessage": "messaging only",
    "GET /v1.1/communications/sms": "messaging only",
    "POST /v1.1/communications/email": "messaging only",
    "GET /v1.1/communications/email": "messaging only",
    "POST /v1.1/request": _BACK_OFFICE,
    "POST /v1.1/request/add": _BACK_OFFICE,
    "POST /v1.1/request/approve": _BACK_OFFICE,
    "POST /v1.1/request/reject": _BACK_OFFICE,
    "GET /v1.1/request/get": _BACK_OFFICE,
    "GET /v1.1/request/logs": _BACK_OFFICE,
    "POST /v1.1/product/add": "product catalogue master data",
    "GET /v1.1/product/get": "product catalogue master data",
    "GET /v1.1/product/search": "product catalogue master data",
    "POST /v1.1/product/attributes": "product catalogue master data",
    "GET /v1.1/product/attributes": "product catalogue master data",
    "GET /v1.1/product/categories": "product catalogue master data",
    "GET /v1.1/product/brands": "product catalogue master data",
    "GET /v1.1/product/colors": "product catalogue master data",
    "GET /v1.1/product/sizes": "product catalogue master data",
    "GET /v1.1/product/meta_sizes": "product catalogue master data",
    "GET /v1.1/store/staff": "store administration",
    "GET /v1.1/store/tasks": "store administration",
    "GET /v1.1/store/login": "tills authenticate with Basic credentials on every call",
    "POST /v1.1/store/logs": "store administration",
    "POST /v1.1/store/reports": "store administration",
    "GET /v1.1/store/reports": "store administration",
    "GET /v1.1/store/configurations": "store administration",
    "POST /v1.1/task/add": "store task management",
    "POST /v1.1/task/update": "store task management",
    "GET /v1.1/task/metadata": "store task management",
    "GET /v1.1/task/log": "store task management",
    "POST /v1.1/task/statusmapping": "store task management",
    "GET /v1.1/task/statusmapping": "store task management",
    "GET /v1.1/task/reminder": "store task management",
    "POST /v1.1/task/reminder": "store task management",
    "GET /v1.1/task/get": "store task management",
}


def spec_operations() -> list[str]:
    paths = json.loads(FACTS.read_text())["paths"]
    return sorted(f"{method.upper()} {path}" for path, ops in paths.items() for method in ops)


def served_operations() -> set[str]:
    sys.path.insert(0, str(ROOT))
    from reference_backend.dialects.capillary.routes import PREFIX, V11_ROUTES

    return {f"{method} {PREFIX}{path}" for methods, path, _ in V11_ROUTES for method in methods}


def render() -> str:
    ops, served = spec_operations(), served_operations()
    hits = [op for op in ops if op in served]
    share = 100 * len(hits) / len(ops)
    lines = [
        START,
        f"**{len(hits)} of the {len(ops)} operations in Capillary's v1.1 OpenAPI files are "
        f"served ({share:.1f}%)**: every POS operation. Computed by "
        "`scripts/capillary_coverage.py` from the vendor facts and the mounted routes.",
        "",
        "Served: " + ", ".join(f"`{op}`" for op in hits) + ".",
        "",
        "| Left out | Why |",
        "|---|---|",
    ]
    lines += [
        f"| `{op}` | {REASONS.get(op, '**no reason given**')} |" for op in ops if op not in served
    ]
    return "\n".join(lines + [END])


def current_block(text: str) -> str:
    start, end = text.index(START), text.index(END) + len(END)
    return text[start:end]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update the parity table")
    args = parser.parse_args()
    block = render()
    if args.write:
        text = TABLE.read_text()
        TABLE.write_text(text.replace(current_block(text), block))
    print(block)


if __name__ == "__main__":
    main()
