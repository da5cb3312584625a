"""Transports: how a request reaches a backend. In-process through ASGI, or httpx over HTTP."""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

import httpx

_FAST_KWARGS = {"params", "json", "content", "headers"}
IN_PROCESS = (b"x-posim-in-process", b"1")  # injected hangs skip real waiting
# a server bound beyond loopback guards /_posim with an admin token (`posim serve` prints it)
ADMIN_TOKEN_ENV = "POSIM_ADMIN_TOKEN"
ADMIN_TOKEN_HEADER = "x-posim-admin-token"
CONTROL_PREFIX = "/_posim"


def admin_headers(token: str | None = None) -> dict[str, str]:
    """The admin-token header for a control-plane call: `token`, else $POSIM_ADMIN_TOKEN."""
    token = token or os.environ.get(ADMIN_TOKEN_ENV)
    return {ADMIN_TOKEN_HEADER: token} if token else {}


def _admin_token_hook(request: httpx.Request) -> None:
    """Control-plane calls carry the admin token; vendor calls never do."""
    if request.url.path.startswith(CONTROL_PREFIX) and ADMIN_TOKEN_HEADER not in request.headers:
        request.headers.update(admin_headers())


class InProcessClient:
    """A synchronous httpx-style client that calls an ASGI app in-process (no sockets).

    Requests run on a private event loop owned by a background thread, so callers (steps,
    the CLI, the mock) stay synchronous. Plain requests call the app directly with an ASGI
    scope, about five times cheaper than going through httpx's ASGITransport; anything
    unusual (files, cookies, form data) still goes through httpx.
    """

    def __init__(self, app, base_url: str = "http://posim.local") -> None:
        self._app = app
        self._base = httpx.URL(base_url)
        self._loop = asyncio.new_event_loop()
        self._start()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        headers = {IN_PROCESS[0].decode(): IN_PROCESS[1].decode()}
        self._client = httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers)

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        call = self._direct if set(kwargs) <= _FAST_KWARGS else self._client.request
        return self._run(call(method, url, **kwargs))

    async def _direct(
        self, method: str, url: str, params=None, json=None, content=None, headers=None
    ) -> httpx.Response:
        request = self._client.build_request(
            method, url, params=params, json=json, content=content, headers=headers
        )
        raw_path = request.url.raw_path
        path, _, query = raw_path.partition(b"?")
        body = request.content
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": request.url.scheme,
            "path": httpx.URL(path.decode("ascii")).path,
            "raw_path": path,
            "query_string": query,
            "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": ("127.0.0.1", 123),
            "server": (request.url.host, request.url.port or 80),
        }
        sent = False
        status, response_headers, chunks = 500, [], []

        async def receive():
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # no disconnect while the app still runs
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status, response_headers = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self._app(scope, receive, send)
        except Exception:  # the app already answered with its 500 envelope, as a server would
            if not chunks:
                raise
        return httpx.Response(
            status, headers=response_headers, content=b"".join(chunks), request=request
        )

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> InProcessClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TransportTimeout(Exception):
    """The request may or may not have reached the backend; the client saw no answer."""


def _to_response(resp: httpx.Response):
    from .protocol.base import Response

    if resp.status_code == 599 and resp.headers.get("x-posim-fault") == "drop":
        raise TransportTimeout("the backend dropped the connection (injected fault)")
    return Response(resp.status_code, dict(resp.headers), resp.content)


class ASGITransport:
    """Sends codec requests to an ASGI app in-process (the embedded reference backend)."""

    def __init__(self, app, base_url: str = "http://posim.local") -> None:
        self.client = InProcessClient(app, base_url)

    def send(self, request):
        resp = self.client.request(
            request.method,
            request.path,
            headers=request.headers,
            params=request.params,
            json=request.json,
        )
        return _to_response(resp)

    def close(self) -> None:
        self.client.close()


class HttpTransport:
    """Sends codec requests over HTTP with httpx (`--target URL`)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        hooks = {"request": [_admin_token_hook]}
        self.client = httpx.Client(base_url=base_url, timeout=timeout, event_hooks=hooks)

    def send(self, request):
        try:
            resp = self.client.request(
                request.method,
                request.path,
                headers=request.headers,
                params=request.params,
                json=request.json,
            )
        except httpx.TimeoutException as exc:
            raise TransportTimeout(str(exc)) from exc
        return _to_response(resp)

    def close(self) -> None:
        self.client.close()
