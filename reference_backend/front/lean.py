"""Lean routes: a dialect's own FastAPI route, called without the framework around it.

A lean route is built from the route object itself: the same endpoint, the same
dependencies (auth, rate buckets), the same route class (so the dialect's own error mapping
wraps it), the same app-level exception handlers and the same response serialisation.
What it skips is the work that does not change the answer: scanning every route in order,
FastAPI's generic dependency solver, two middleware stacks, telemetry hooks. A route whose
signature needs more than the request, its path parameters and request-only dependencies
(query, header or body parameters, yield dependencies, sync callables) is not made lean and
stays with FastAPI.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, iter_route_contexts, serialize_response
from starlette.requests import Request
from starlette.responses import Response

_UNSUPPORTED = (
    "query_params",
    "header_params",
    "cookie_params",
    "body_params",
    "websocket_param_name",
    "http_connection_param_name",
    "response_param_name",
    "background_tasks_param_name",
    "security_scopes_param_name",
)
_PARAM = re.compile(r"{[^}]*}")
_NO_BODY = frozenset((204, 304))


def leanable(dependant) -> bool:
    """True when the request and path parameters alone can satisfy `dependant`."""
    if any(getattr(dependant, name, None) for name in _UNSUPPORTED):
        return False
    call = dependant.call
    if not inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return False
    if any(p.field_info.annotation is not str for p in dependant.path_params):
        return False
    return all(leanable(sub) for sub in dependant.dependencies)


async def _solve(dependant, request: Request, params: dict, cache: dict) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for sub in dependant.dependencies:
        key = sub.call  # no security scopes on a lean route, so the callable is the key
        if sub.use_cache and key in cache:
            result = cache[key]
        else:
            result = await sub.call(**await _solve(sub, request, params, cache))
            if sub.use_cache:
                cache[key] = result
        if sub.name is not None:
            values[sub.name] = result
    if dependant.request_param_name:
        values[dependant.request_param_name] = request
    for p in dependant.path_params:
        values[p.name] = params[p.alias]
    return values


class _Inner(APIRoute):
    """Stands in for APIRoute in a route class's MRO, so the route class's own
    get_route_handler wraps the lean handler instead of FastAPI's."""

    _lean_inner: Any

    def get_route_handler(self):
        return self._lean_inner


def _with_route_class(route: APIRoute, inner):
    cls = type(route)
    if cls.get_route_handler is APIRoute.get_route_handler:
        return inner
    shell_cls: type[Any] = type(f"Lean{cls.__name__}", (cls, _Inner), {})
    shell = object.__new__(shell_cls)  # an empty shell: the route's own state is copied in
    shell.__dict__.update(route.__dict__)
    shell._lean_inner = inner
    return shell.get_route_handler()


def _could_overlap(a: str, b: str) -> bool:
    """Whether two path templates could match one path (a conservative answer)."""
    if ":path}" in a or ":path}" in b:
        return True
    sa, sb = a.strip("/").split("/"), b.strip("/").split("/")
    if len(sa) != len(sb):
        return False
    return all(x == y or _PARAM.search(x) or _PARAM.search(y) for x, y in zip(sa, sb, strict=True))


def _exception_handlers(app) -> tuple[dict, Any]:
    """The app's handlers split as Starlette splits them: the 500 one runs last and the
    exception still propagates after it answered."""
    handlers, crash = {}, None
    for key, handler in app.exception_handlers.items():
        if key in (500, Exception):
            crash = handler
        elif isinstance(key, type):
            handlers[key] = handler
    return handlers, crash


class LeanRoute:
    def __init__(self, route, method: str, app, earlier: list) -> None:
        """`route` is FastAPI's effective route (prefix and router dependencies applied);
        its `original_route` is the APIRoute of the dialect's own route class."""
        self.route = route
        self.method = method
        self.app = app
        self.literal = _PARAM.split(route.path_format, 1)[0]
        self.regex = route.path_regex
        self.convertors = route.param_convertors
        # routes FastAPI tries first that could claim the same path: checked before serving
        self.shadows = [
            r.path_regex
            for r in earlier
            if method in (r.methods or ()) and _could_overlap(r.path_format, route.path_format)
        ]
        self.handler = _with_route_class(route.original_route, self._handle)
        self.handlers, self.crash = _exception_handlers(app)
        self.endpoint = route.endpoint
        response_class = route.response_class
        self.placeholder = isinstance(response_class, DefaultPlaceholder)
        self.response_class = response_class.value if self.placeholder else response_class

    def match(self, path: str) -> dict[str, Any] | None:
        if not path.startswith(self.literal):
            return None
        found = self.regex.match(path)
        if found is None or any(shadow.match(path) for shadow in self.shadows):
            return None
        return {k: self.convertors[k].convert(v) for k, v in found.groupdict().items()}

    async def __call__(self, scope, receive, send, params: dict[str, Any]) -> None:
        scope["app"] = self.app
        scope["path_params"] = params
        scope["route"] = self.route
        scope["endpoint"] = self.endpoint
        request = Request(scope, receive)
        try:
            response = await self.handler(request)
        except Exception as exc:
            handler = next(
                (self.handlers[c] for c in type(exc).__mro__ if c in self.handlers), None
            )
            if handler is None:
                if self.crash is not None:
                    await (await self.crash(request, exc))(scope, receive, send)
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)

    async def _handle(self, request: Request) -> Response:
        route = self.route
        values = await _solve(route.dependant, request, request.path_params, {})
        raw = await self.endpoint(**values)
        if isinstance(raw, Response):
            return raw
        status = route.status_code
        args = {} if status is None else {"status_code": status}
        if route.response_field is not None and self.placeholder:
            content = await serialize_response(
                field=route.response_field,
                response_content=raw,
                include=route.response_model_include,
                exclude=route.response_model_exclude,
                by_alias=route.response_model_by_alias,
                exclude_unset=route.response_model_exclude_unset,
                exclude_defaults=route.response_model_exclude_defaults,
                exclude_none=route.response_model_exclude_none,
                dump_json=True,
            )
            response = Response(content=content, media_type="application/json", **args)
        else:
            content = await serialize_response(response_content=raw)
            response = self.response_class(content, **args)
        if response.status_code in _NO_BODY:
            response.body = b""
        return response


def lean_routes(app, wanted: tuple[tuple[str, str], ...]) -> list[LeanRoute]:
    """The routes of `app` (a dialect's own FastAPI app) listed in `wanted`, in FastAPI's
    matching order, whose signatures allow the lean path."""
    out: list[LeanRoute] = []
    earlier: list = []
    for route in iter_route_contexts(app.router.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        for method, ending in wanted:
            path = route.path_format or ""
            hot = method in (route.methods or ()) and path.endswith(ending)
            if hot and route.max_body_size is None and leanable(route.dependant):
                out.append(LeanRoute(route, method, app, list(earlier)))
        earlier.append(route)
    return out
