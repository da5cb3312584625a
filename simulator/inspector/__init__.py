"""The live inspector: a browser view of a tenant's traffic, ledger and checklist.

`mount(app)` adds the `/_posim/ui` routes to a reference-backend app and returns the ASGI
callable to serve (the app wrapped so each exchange is stamped with the ledger position and
the tenant's clock it left behind). The inspector is a view: every action it offers is a
control-plane call made by the page itself.
"""

from __future__ import annotations

from pathlib import Path

from .marks import LedgerMarks
from .routes import api, router

__all__ = ["mount", "LedgerMarks"]


def mount(app, reports_dir: str | Path | None = "reports"):
    """Add the inspector's routes to `app`; return the wrapped ASGI app to run."""
    app.state.inspector_reports = Path(reports_dir) if reports_dir else None
    app.include_router(router)
    app.include_router(api)
    marks = LedgerMarks(app, app.state.registry)
    app.state.inspector_marks = marks
    return marks
