"""Keep the facts of Capillary's two OpenAPI files that posim's contract tests need.

Capillary publishes v1.1 as two readme.io exports: customer-v11 (every v1.1 entity, paths
relative to /v1.1) and transaction-v1 (returns and retro, relative to /v1.1/transaction).
This merges them under full /v1.1 paths and keeps, per operation, its id, its parameters
(name, place, required, type) and its response schemas; prose and examples are dropped.

The exports' schemas are generated from their examples: one `oneOf` branch per example
(often identical), so branches are kept as `anyOf`; where both files describe one
operation, both schemas are kept as alternatives. Run it when Capillary republishes:

    python scripts/extract_capillary_facts.py openapi-v1.1.json openapi-transaction-v1.json \
        fixtures/vendor/capillary/openapi-facts.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extract_openapi_facts import METHODS, strip  # noqa: E402

PREFIX = "/v1.1"
SCHEMA_WORDS = {"type", "properties", "items", "anyOf", "oneOf", "allOf", "enum", "required"}


def _schema(node: Any) -> Any:
    """A stripped schema with `oneOf` read as `anyOf` and readme's example keys dropped."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("default", "format", "deprecated") and not isinstance(value, dict):
                continue
            if key == "properties":
                out[key] = {name: _schema(sub) for name, sub in value.items()}
            else:
                out["anyOf" if key == "oneOf" else key] = _schema(value)
        return out
    if isinstance(node, list):
        return [_schema(v) for v in node]
    return node


def _parameters(op: dict) -> list[dict]:
    kept = []
    for param in op.get("parameters", []):
        entry = {"name": param["name"], "in": param.get("in", "query")}
        if param.get("required"):
            entry["required"] = True
        kind = param.get("schema", {}).get("type")
        if kind:
            entry["type"] = kind
        kept.append(entry)
    return kept


def _infer(value: Any) -> dict:
    """A schema read off an example, the way the exports build theirs."""
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: _infer(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"type": "array", "items": _infer(value[0])} if value else {"type": "array"}
    if value is None:
        return {}
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string"}
    return {"type": kinds[type(value)]}


def _from_example(content: dict) -> dict | None:
    """Where an export gives a response example but no schema, infer one from the example."""
    for example in content.get("examples", {}).values():
        try:
            value = json.loads(example.get("value", ""), strict=False)
        except (TypeError, ValueError):
            continue
        if value:
            return {**_infer(value), "x-inferred-from-example": True}
    return None


def _responses(op: dict) -> dict:
    kept = {}
    for status, response in op.get("responses", {}).items():
        content = response.get("content", {}).get("application/json", {})
        if "schema" in content:
            kept[status] = _schema(strip(content["schema"]))
        elif (inferred := _from_example(content)) is not None:
            kept[status] = inferred
    return kept


def _merge(old: dict, new: dict) -> dict:
    for status, schema in new["responses"].items():
        if status in old["responses"] and old["responses"][status] != schema:
            schema = {"anyOf": [old["responses"][status], schema]}
        old["responses"][status] = schema
    names = {p["name"] for p in old["parameters"]}
    old["parameters"] += [p for p in new["parameters"] if p["name"] not in names]
    old["operationIds"] += new["operationIds"]
    return old


def extract(docs: list[tuple[dict, str]]) -> dict:
    paths: dict[str, dict] = {}
    for doc, base in docs:
        for raw_path, ops in doc.get("paths", {}).items():
            path = base + raw_path.split("?")[0].split(" ")[0].rstrip("/")
            for method, op in ops.items():
                if method not in METHODS:
                    continue
                entry = {
                    "operationIds": [op.get("operationId", "")],
                    "parameters": _parameters(op),
                    "responses": _responses(op),
                }
                existing = paths.setdefault(path, {}).get(method)
                paths[path][method] = _merge(existing, entry) if existing else entry
    return {"source": "Capillary InTouch v1.1 OpenAPI exports", "paths": paths}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("v11", type=Path, help="the customer-v11 export (paths under /v1.1)")
    parser.add_argument("transaction", type=Path, help="the transaction-v1 export")
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    docs = [
        (json.loads(args.v11.read_text()), PREFIX),
        (json.loads(args.transaction.read_text()), PREFIX + "/transaction"),
    ]
    facts = extract(docs)
    args.target.parent.mkdir(parents=True, exist_ok=True)
    args.target.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    count = sum(len(ops) for ops in facts["paths"].values())
    print(f"{len(facts['paths'])} paths, {count} operations")


if __name__ == "__main__":
    main()
