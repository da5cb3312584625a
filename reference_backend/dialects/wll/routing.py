"""The route class every WLL route uses: WllFail and EngineError become JSend responses here,
so no route repeats the mapping and nothing a client sends reaches the 500 handler."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from ...engine import EngineError
from .errors import WllFail, engine_fail, render_error, render_fail


class WllRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except WllFail as exc:
                return render_fail(exc)
            except EngineError as exc:
                failure = engine_fail(exc)
                return render_fail(failure) if failure else render_error(request, exc)

        return handle
