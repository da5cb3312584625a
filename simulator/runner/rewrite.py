"""Import posim's step library with pytest's assertion rewriting, as a pytest session does,
so that a failed step explains itself the same way under the direct runner (`assert 400 ==
1000` and where each value came from) and a certify report reads the same either way.

Modules already imported stay as they are (Python imports a module once per process).
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import importlib.util
import sys
from types import CodeType

from _pytest.assertion.rewrite import rewrite_asserts

STEPS_PACKAGE = "simulator.steps"


class _RewritingLoader(importlib.machinery.SourceFileLoader):
    """Compiles from source every time: rewritten code never lands in (or comes from) the
    bytecode cache that ordinary imports share."""

    def get_code(self, fullname: str) -> CodeType:
        source = self.get_data(self.path)
        tree = ast.parse(source, filename=self.path)
        rewrite_asserts(tree, source, self.path)
        return compile(tree, self.path, "exec", dont_inherit=True)


class _StepsFinder:
    """A meta path finder for the step package and its modules only."""

    def find_spec(self, name, path, target=None):
        if name != STEPS_PACKAGE and not name.startswith(STEPS_PACKAGE + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if (
            spec is None
            or spec.origin is None
            or not isinstance(spec.loader, importlib.machinery.SourceFileLoader)
        ):
            return spec
        return importlib.util.spec_from_file_location(
            name,
            spec.origin,
            loader=_RewritingLoader(name, spec.origin),
            submodule_search_locations=spec.submodule_search_locations,
        )


def import_steps(modules: tuple[str, ...]) -> None:
    """Import the step package and `modules` under it, rewriting what is not loaded yet."""
    finder = _StepsFinder()
    sys.meta_path.insert(0, finder)
    try:
        importlib.import_module(STEPS_PACKAGE)
        for name in modules:
            importlib.import_module(f"{STEPS_PACKAGE}.{name}")
    finally:
        sys.meta_path.remove(finder)
