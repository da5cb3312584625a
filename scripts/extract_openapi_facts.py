"""Keep only the facts of a vendor's OpenAPI file that posim's contract tests need.

Paths, methods, response and request-body schemas and the component schemas they refer to;
no descriptions, examples, titles or other prose. Run it when the vendor publishes a new
file:

    python scripts/extract_openapi_facts.py path/to/gameball/openapi.json \
        fixtures/vendor/gameball/openapi-facts.json --prefix /api/v4.0/integrations
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

PROSE = {"description", "example", "examples", "title", "summary", "externalDocs", "x-codeSamples"}
METHODS = {"get", "post", "put", "patch", "delete"}


NAME_MAPS = {"properties", "patternProperties", "responses", "content", "headers"}


def strip(node: Any, names: bool = False) -> Any:
    """Drop prose keywords; the keys of name maps (e.g. a property called "title") stay."""
    if isinstance(node, dict):
        return {
            k: strip(v, names=not names and k in NAME_MAPS)
            for k, v in node.items()
            if names or k not in PROSE
        }
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


def extract(doc: dict, prefix: str) -> dict:
    paths = {}
    for path, ops in doc.get("paths", {}).items():
        if not path.startswith(prefix):
            continue
        kept = {}
        for method, op in ops.items():
            if method not in METHODS:
                continue
            entry = {"responses": strip(op.get("responses", {}))}
            if "requestBody" in op:
                entry["requestBody"] = strip(op["requestBody"])
            kept[method] = entry
        paths[path] = kept
    schemas = doc.get("components", {}).get("schemas", {})
    needed: set[str] = set()
    refs(paths, needed)
    needed.add("Error")
    done: set[str] = set()
    while needed - done:  # follow refs between component schemas
        name = (needed - done).pop()
        done.add(name)
        refs(schemas.get(name, {}), needed)
    components = {"schemas": {n: strip(schemas[n]) for n in sorted(done) if n in schemas}}
    return {"openapi": doc.get("openapi"), "paths": paths, "components": components}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--prefix", default="/")
    args = parser.parse_args()
    facts = extract(json.loads(args.source.read_text()), args.prefix)
    args.target.parent.mkdir(parents=True, exist_ok=True)
    args.target.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    print(f"{len(facts['paths'])} paths, {len(facts['components']['schemas'])} schemas")


if __name__ == "__main__":
    main()
