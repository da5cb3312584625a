"""Reading fixtures/vendor/<vendor>/facts.json, and matching paths against its templates."""

from __future__ import annotations

import inspect
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENDORS = ("gameball", "wll", "capillary")


@cache
def facts(vendor: str) -> dict[str, Any]:
    return json.loads((ROOT / "fixtures" / "vendor" / vendor / "facts.json").read_text())


def template_regex(template: str) -> re.Pattern[str]:
    """`/customers/{customerId}/balance` -> a regex matching one concrete path."""
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")


def concrete(template: str) -> str:
    """A template with every placeholder filled, e.g. `/customers/c1/balance`."""
    return re.sub(r"\{[^}]+\}", "x1", template)


def operation_for(vendor: str, method: str, path: str) -> dict[str, Any] | None:
    """The facts operation a (method, path) is, matched on the path after any base path."""
    for op in facts(vendor)["operations"]:
        if op["method"] == method and template_regex(op["path"]).match(path):
            return op
    return None


def token_buckets(vendor: str, bucket: str) -> list[tuple[float, float]]:
    """A facts bucket as (rate per second, burst) pairs."""
    pairs = facts(vendor)["rate_limits"]["buckets"][bucket]["token_buckets"]
    return [(float(p["rate"]), float(p["burst"])) for p in pairs]


def route_table(router: Any, prefix: str = "") -> dict[tuple[str, str], Any]:
    """(method, path shape) -> route, for every route of a FastAPI router and the routers
    it includes (newer FastAPI keeps an included router whole instead of copying routes)."""
    table = {}
    for route in router.routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            table |= route_table(included, prefix + route.include_context.prefix)
            continue
        for method in getattr(route, "methods", None) or ():
            table[(method, shape(prefix + route.path))] = route
    return table


def shape(path: str) -> str:
    """A path template without its placeholder names: `/users/{id}` -> `/users/{}`."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def route_for(table: dict[tuple[str, str], Any], method: str, path: str) -> Any:
    """The route serving a path template, whatever its placeholders are named."""
    return table.get((method, shape(path)))


def dependency_setting(route: Any, name: str) -> Any:
    """The value a route's guard dependency closed over (its rate bucket or API name)."""
    for dependency in route.dependant.dependencies:
        found = inspect.getclosurevars(dependency.call).nonlocals.get(name)
        if found is not None:
            return found
    return None
