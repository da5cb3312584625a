"""The arrows that must not exist between posim's parts (docs/architecture.md), checked
on every module's imports as `ast` reads them: `import`, `from ... import`, and, where a
static import could be dodged, `importlib.import_module` / `__import__` calls and module
paths spelled out in strings."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("reference_backend", "simulator", "loadtests")


@dataclass(frozen=True)
class Rule:
    source: str  # a package prefix
    forbidden: tuple[str, ...]  # module prefixes it must never reach
    why: str


RULES = (
    Rule(
        "reference_backend.engine",
        (
            "reference_backend.dialects",
            "reference_backend.control",
            "reference_backend.app",
            "fastapi",
            "starlette",
            "httpx",
            "simulator",
            "loadtests",
        ),
        "the engine knows no vendor, no HTTP framework and no client",
    ),
    Rule(
        "reference_backend",
        ("simulator", "loadtests"),
        "the server (dialects included) never depends on its clients",
    ),
    Rule(
        "simulator.protocol",
        (
            "reference_backend",
            "simulator.transports",
            "simulator.gateway",
            "httpx",
            "requests",
            "fastapi",
            "starlette",
        ),
        "codecs are sans-I/O and know the server only through the vendor's wire format",
    ),
    Rule("loadtests", ("reference_backend",), "load runs talk to a backend over the wire"),
)
# the engine must not load modules by name at all: such an arrow is invisible to this test
NO_DYNAMIC_IMPORTS = ("reference_backend.engine",)

# Never-arrows that exist today. This list may only shrink: an entry that no longer
# matches a real import fails test_the_allow_list_holds_only_arrows_that_still_exist.
ALLOWED = {
    # `reference_backend.mock()` is the entry point the README shows users; the mock itself
    # lives in simulator/mocking.py (it needs the simulator's in-process transport), and the
    # package keeps this one re-export so users' imports keep working
    ("reference_backend", "simulator.mocking"),
    # snapshot restore names the dialects' module prefix (it never imports what a snapshot
    # names); to move: dialects should register their record types with the engine
    ("reference_backend.engine.snapshot", "reference_backend.dialects."),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _dynamic(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("import_module", "__import__")


def imports_of(module: str, source: str, is_package: bool = False) -> set[str]:
    """Every module a source reaches: static imports, the literal argument of a dynamic
    import (else "<dynamic import>"), and dotted module paths written as strings."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node)
            found.add(base)
            # `from pkg import sub` may import a submodule: count pkg.sub too
            found |= {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and _dynamic(node):
            arg = node.args[0] if node.args else None
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            found.add(arg.value if literal else "<dynamic import>")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith(PACKAGES)
            and " " not in node.value
        ):
            found.add(node.value)
    return found


def _reaches(target: str, prefix: str) -> bool:
    return target == prefix or target.startswith(prefix.rstrip(".") + ".")


def violations(module: str, targets: set[str]) -> set[tuple[str, str]]:
    found = set()
    for rule in RULES:
        if not _reaches(module, rule.source):
            continue
        for target in targets:
            if any(_reaches(target, bad) for bad in rule.forbidden):
                found.add((module, target))
    if any(_reaches(module, p) for p in NO_DYNAMIC_IMPORTS) and "<dynamic import>" in targets:
        found.add((module, "<dynamic import>"))
    return found


def project_violations() -> set[tuple[str, str]]:
    found = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = module_name(path)
            targets = imports_of(module, path.read_text(), path.name == "__init__.py")
            found |= violations(module, targets)
    return found


def _allowed(arrow: tuple[str, str]) -> bool:
    return any(arrow[0] == src and _reaches(arrow[1], dst) for src, dst in ALLOWED)


def test_no_module_draws_a_never_arrow():
    unexpected = {arrow for arrow in project_violations() if not _allowed(arrow)}
    assert not unexpected, "\n".join(f"{src} -> {dst}" for src, dst in sorted(unexpected))


def test_the_allow_list_holds_only_arrows_that_still_exist():
    found = project_violations()
    for src, dst in sorted(ALLOWED):
        assert any(s == src and _reaches(d, dst) for s, d in found), f"gone: {src} -> {dst}"


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("reference_backend.engine.x", "from reference_backend.dialects.gameball import errors"),
        ("reference_backend.engine.x", "from ..dialects import wll"),
        ("reference_backend.engine.x", "import fastapi"),
        ("reference_backend.engine.x", "import importlib\nimportlib.import_module(name)"),
        ("reference_backend.engine.x", "__import__('simulator.gateway')"),
        ("reference_backend.dialects.wll.x", "from simulator.protocol import wll"),
        ("simulator.protocol.x", "from reference_backend.engine import Engine"),
        ("simulator.protocol.x", "from ..transports import HttpTransport"),
        ("loadtests.x", "import reference_backend.app"),
    ],
)
def test_the_checker_sees_each_kind_of_never_arrow(module, source):
    assert violations(module, imports_of(module, source))


def test_the_checker_allows_the_arrows_the_design_draws():
    allowed = [
        ("reference_backend.dialects.gameball.x", "from ...engine import EngineError"),
        ("simulator.certify.runner", "from reference_backend.app import create_app"),
        ("simulator.protocol.x", "from .base import Request"),
        ("loadtests.x", "from simulator.transports import HttpTransport"),
    ]
    for module, source in allowed:
        assert not violations(module, imports_of(module, source)), source
