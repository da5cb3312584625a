"""Transports: how a request reaches a backend. In-process through ASGI, or httpx over HTTP."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx


class InProcessClient:
    """A synchronous httpx-style client that calls an ASGI app in-process (no sockets).

    httpx's ASGITransport is async-only, so requests run on a private event loop owned by a
    background thread; callers (pytest-bdd steps, the CLI) stay synchronous.
    """

    def __init__(self, app, base_url: str = "http://posim.local") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        headers = {"x-posim-in-process": "1"}  # injected hangs skip real waiting
        self._client = httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        future = asyncio.run_coroutine_threadsafe(
            self._client.request(method, url, **kwargs), self._loop
        )
        return future.result()

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
        self.client = httpx.Client(base_url=base_url, timeout=timeout)

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
