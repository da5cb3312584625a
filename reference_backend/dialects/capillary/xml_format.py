"""XML for v1.1 (`format=xml`, `<root>` request bodies), as older tills speak it.

Requests are parsed with defusedxml with DTDs forbidden, so an entity bomb or an external
entity is refused (400 in the envelope) before anything is expanded or fetched. An element
with children becomes an object, a repeated child a list, a leaf its text: the JSON shape
the routes already read (`<line_items><line_item>...` is `{"line_items": {"line_item": ...}}`).
Answers are v1.1's XML: `<response><status>...`, a list as repeated elements named by its
key, `<element>` for a list inside a list.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from fastapi import HTTPException, Request

MEDIA_TYPE = "application/xml"
_TAG = re.compile(r"^[A-Za-z_][\w.-]*$")


def is_xml(raw: bytes) -> bool:
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def wants_xml(request: Request) -> bool:
    """`format` decides; without it, an Accept that names XML and not JSON."""
    chosen = (request.query_params.get("format") or "").strip().lower()
    if chosen:
        return chosen == "xml"
    accept = request.headers.get("accept", "").lower()
    return "xml" in accept and "json" not in accept


def _value(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    found: dict[str, Any] = {}
    for child in children:
        value = _value(child)
        if child.tag in found:
            previous = found[child.tag]
            found[child.tag] = (
                [*previous, value] if isinstance(previous, list) else [previous, value]
            )
        else:
            found[child.tag] = value
    return found


def parse(raw: bytes) -> dict[str, Any]:
    """An XML request body as the dict its JSON twin would be."""
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise HTTPException(400, "XML with a DTD or entity declarations is refused") from exc
    except (ParseError, ValueError) as exc:
        raise HTTPException(400, "body is not valid XML") from exc
    return {root.tag: _value(root)}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(parent: ET.Element, key: str, value: Any) -> None:
    tag = key if _TAG.match(key) else "element"
    if isinstance(value, list):
        for item in value:
            if isinstance(item, list):
                holder = ET.SubElement(parent, tag)
                for inner in item:
                    _fill(holder, "element", inner)
            else:
                _fill(parent, tag, item)
        return
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            _fill(node, str(inner_key), inner)
    else:
        node.text = _text(value)


def render(body: dict[str, Any]) -> bytes:
    """A typed v1.1 body (`{"response": {...}}`) as XML."""
    key, value = next(iter(body.items())) if len(body) == 1 else ("response", body)
    holder = ET.Element("holder")
    _fill(holder, key, value)
    return ET.tostring(holder[0], encoding="utf-8", xml_declaration=True)
