"""Reports of earlier certify, audit and load runs, found in the reports folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SHOWN = (".html", ".json", ".xml", ".jsonl", ".png")
MAX_FILES = 500


def listing(folder: Path | None) -> list[dict[str, Any]]:
    """Every report file under `folder` (two levels deep), newest first, with its verdict."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*")) + sorted(folder.glob("*/*")):
        if path.is_file() and path.suffix in SHOWN:
            stat = path.stat()
            found.append(
                {
                    "path": path.relative_to(folder).as_posix(),
                    "size": stat.st_size,
                    "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(),
                    "verdict": verdict_of(path) if path.suffix == ".json" else None,
                }
            )
    found.sort(key=lambda f: str(f["modified"]), reverse=True)
    return found[:MAX_FILES]


def verdict_of(path: Path) -> str | None:
    """A certify/audit evidence bundle's verdict, or a load run's oracle verdict."""
    try:
        if path.stat().st_size > 20_000_000:
            return None
        document = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    verdict = document.get("verdict")
    if isinstance(verdict, dict) and "label" in verdict:
        return f"{document.get('command', 'certify')}: {verdict['label']}"
    oracle = document.get("oracle")
    if isinstance(oracle, dict):
        ok = "OK" if oracle.get("ok") else "violations"
        return f"load {document.get('verdict', '?')}, oracle {ok}"
    return None


def resolve(folder: Path | None, relative: str) -> Path | None:
    """The report file named by `relative`, only if it lies inside `folder`."""
    if folder is None:
        return None
    root = folder.resolve()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file() or path.suffix not in SHOWN:
        return None
    return path
