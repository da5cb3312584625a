"""The front layer: the one pure-ASGI object a request meets first.

ping -> request id -> traffic -> faults -> a lean route, or the dialect's own FastAPI app,
or the main app (control plane, /docs). Traffic and faults are the same middleware classes
as before, composed once here instead of being wrapped in the framework's middleware stack.
"""

from __future__ import annotations

import itertools
import os

from ..control.faults import FaultMiddleware
from ..dialects.base import dialect_for_path
from .lean import LeanRoute
from .traffic import TrafficMiddleware

PING_PATH = "/_posim/ping"
_PING_BODY = b'{"ok":true}'
_PING_HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"11")]


class RequestIds:
    """32 hex characters, like a uuid4's hex: a random per-process stem and a counter, so ids
    stay unique across restarts and cost one addition each."""

    def __init__(self) -> None:
        self.stem = os.urandom(10).hex()
        self.counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.stem}{next(self.counter):012x}"


class Dispatch:
    """A vendor path goes to a lean route when one claims it, else to its dialect's app;
    anything else goes to the main app."""

    def __init__(self, main, dialects, sub_apps, lean: dict[str, list[LeanRoute]]) -> None:
        self.main = main
        self.dialects = dialects
        self.sub_apps = sub_apps
        self.lean = lean

    async def __call__(self, scope, receive, send):
        dialect = dialect_for_path(self.dialects, scope["path"])
        if dialect is None:
            return await self.main(scope, receive, send)
        path, method = scope["path"], scope["method"]
        for route in self.lean.get(dialect.name, ()):
            if route.method == method:
                params = route.match(path)
                if params is not None:
                    return await route(scope, receive, send, params)
        return await self.sub_apps[dialect.name](scope, receive, send)


class FrontLayer:
    def __init__(self, dispatch: Dispatch, registry, dialects, record_path: str | None) -> None:
        self.dispatch = dispatch
        faults = FaultMiddleware(dispatch, registry=registry, dialects=dialects)
        self.chain = TrafficMiddleware(faults, record_path=record_path)
        self.ids = RequestIds()

    async def __call__(self, scope, receive, send):
        if scope["path"] == PING_PATH:
            await send({"type": "http.response.start", "status": 200, "headers": _PING_HEADERS})
            await send({"type": "http.response.body", "body": _PING_BODY})
            return
        state = scope.setdefault("state", {})
        if "request_id" not in state:
            state["request_id"] = self.ids.next()
        await self.chain(scope, receive, send)
