"""A small JSON Schema (draft 6) checker for event payloads.

Supports the keywords event-type schemas need: type, required, properties,
additionalProperties (boolean), items, enum, minimum, maximum, exclusiveMinimum,
exclusiveMaximum, minLength, maxLength. Unknown keywords are ignored, as the spec says.
"""

from __future__ import annotations

from typing import Any

_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    # draft 6: 2.0 is an integer
    return name == "number" or float(value).is_integer()


def _where(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def check(schema: dict[str, Any], value: Any, path: str = "") -> dict[str, str]:
    """Every violation as {path: reason}; empty when the value matches."""
    errors: dict[str, str] = {}
    _check(schema, value, path, errors)
    return errors


def _check(schema: Any, value: Any, path: str, errors: dict[str, str]) -> None:
    if not isinstance(schema, dict):
        return
    here = path or "payload"
    wanted = schema.get("type")
    if wanted is not None:
        names = wanted if isinstance(wanted, list) else [wanted]
        if not any(_is_type(value, n) for n in names if n in _TYPES):
            errors[here] = f"must be of type {' or '.join(map(str, names))}"
            return
    if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
        errors[here] = "must be one of the allowed values"
        return
    if isinstance(value, dict):
        _check_object(schema, value, path, errors)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            _check(schema["items"], item, _where(path, i), errors)
    elif isinstance(value, str):
        _check_string(schema, value, here, errors)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(schema, value, here, errors)


def _check_object(schema: dict, value: dict, path: str, errors: dict[str, str]) -> None:
    required = schema.get("required")
    for name in required if isinstance(required, list) else ():
        if isinstance(name, str) and name not in value:
            errors[_where(path, name)] = "is required"
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    for name, item in value.items():
        if name in props:
            _check(props[name], item, _where(path, name), errors)
        elif schema.get("additionalProperties") is False:
            errors[_where(path, name)] = "is not allowed"


def _check_string(schema: dict, value: str, here: str, errors: dict[str, str]) -> None:
    if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
        errors[here] = f"must be at least {schema['minLength']} characters"
    elif isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
        errors[here] = f"must be at most {schema['maxLength']} characters"


def _check_number(schema: dict, value: float, here: str, errors: dict[str, str]) -> None:
    bounds = (
        ("minimum", lambda b: value < b, "must be >= {}"),
        ("exclusiveMinimum", lambda b: value <= b, "must be > {}"),
        ("maximum", lambda b: value > b, "must be <= {}"),
        ("exclusiveMaximum", lambda b: value >= b, "must be < {}"),
    )
    for keyword, broken, text in bounds:
        bound = schema.get(keyword)
        if isinstance(bound, int | float) and not isinstance(bound, bool) and broken(bound):
            errors[here] = text.format(bound)
            return
