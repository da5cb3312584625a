"""A small validator for the JSON Schema subset vendor OpenAPI files use (jsonschema is not a
dependency): type (incl. lists and OAS 3.0 `nullable`), properties, required, items, enum,
$ref, oneOf/anyOf/allOf, additionalProperties, minimum/maximum, maxLength.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


class OpenApi:
    def __init__(self, path: Path) -> None:
        self.doc = json.loads(path.read_text())

    def resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.doc["paths"][path][method.lower()]

    def response_schema(self, method: str, path: str, status: int = 200) -> dict[str, Any]:
        response = self.operation(method, path)["responses"][str(status)]
        return response["content"]["application/json"]["schema"]

    def template_for(self, method: str, concrete: str) -> str | None:
        """The documented path template matching a concrete path, e.g. .../{customerId}."""
        for template, ops in self.doc["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            if method.lower() in ops and re.match(pattern, concrete):
                return template
        return None

    def errors(self, value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
        """Every place `value` breaks `schema` (empty: it validates)."""
        if "$ref" in schema:
            return self.errors(value, self.resolve(schema["$ref"]), where)
        found: list[str] = []
        if value is None and schema.get("nullable"):
            return found
        kinds = schema.get("type")
        if kinds is not None:
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if not any(_TYPES[k](value) for k in kinds):
                return [f"{where}: {value!r} is not of type {kinds}"]
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{where}: {value!r} not in {schema['enum']}")
        for key in ("allOf",):
            for sub in schema.get(key, ()):
                found += self.errors(value, sub, where)
        for key in ("oneOf", "anyOf"):
            options = schema.get(key)
            if options:
                passing = [o for o in options if not self.errors(value, o, where)]
                if not passing or (key == "oneOf" and len(passing) > 1):
                    found.append(f"{where}: matches {len(passing)} of the {key} options")
        found += self._bounds(value, schema, where)
        if isinstance(value, dict):
            found += self._object(value, schema, where)
        if isinstance(value, list) and "items" in schema:
            for i, item in enumerate(value):
                found += self.errors(item, schema["items"], f"{where}[{i}]")
        return found

    def _bounds(self, value: Any, schema: dict[str, Any], where: str) -> list[str]:
        out = []
        numeric = _TYPES["number"](value)
        if numeric and "minimum" in schema and value < schema["minimum"]:
            out.append(f"{where}: {value} < minimum {schema['minimum']}")
        if numeric and "maximum" in schema and value > schema["maximum"]:
            out.append(f"{where}: {value} > maximum {schema['maximum']}")
        if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
            out.append(f"{where}: longer than {schema['maxLength']}")
        return out

    def _object(self, value: dict, schema: dict[str, Any], where: str) -> list[str]:
        out = [f"{where}: missing {k!r}" for k in schema.get("required", ()) if k not in value]
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                out += self.errors(item, props[key], f"{where}.{key}")
            elif extra is False:
                out.append(f"{where}: unexpected property {key!r}")
            elif isinstance(extra, dict):
                out += self.errors(item, extra, f"{where}.{key}")
        return out
