"""Targets for the certify tests: a recording wrapper, a broken backend, a local HTTP server.

`Recorder` wraps the reference backend's ASGI app and keeps every secret and personal value
that crossed it (the ground truth the report grep test looks for). `BrokenTarget` adds two
faults a bad integration might have: it ignores hold releases (answers DELETE hold with 200
and does nothing) and awards a retried order again (a repeated orderId gets a fresh one).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from simulator.backends.server import free_port
from simulator.certify.runner import reference_app

SECRET_HEADERS = ("key", "secret", "authorization", "token")
SECRET_FIELDS = ("key", "secret", "token", "password")
PERSONAL_FIELDS = {
    "email",
    "mobile",
    "telephone",
    "phone",
    "cardnumber",
    "card_number",
    "firstname",
    "lastname",
    "givenname",
    "familyname",
    "first_name",
    "last_name",
}


class Recorder:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state  # certify reads the served dialects from here
        self.secrets: set[str] = set()
        self.personal: set[str] = set()
        self.names: set[str] = set()

    def _fields(self, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                key = str(k).lower()
                if isinstance(v, str) and v:
                    if any(h in key for h in SECRET_FIELDS) and not key.endswith("type"):
                        self.secrets.add(v)
                    elif key in PERSONAL_FIELDS:
                        (self.names if "name" in key else self.personal).add(v)
                self._fields(v)
        elif isinstance(value, list):
            for v in value:
                self._fields(v)

    def _body(self, raw: bytes) -> Any:
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def rewrite(self, scope: dict, body: bytes) -> tuple[bytes | None, bytes]:
        """(a canned response body to answer with, or None; the body to pass on)."""
        return None, body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope["headers"]:
            if any(h in name.decode("latin-1").lower() for h in SECRET_HEADERS):
                text = value.decode("latin-1")
                self.secrets.update({text, text.split()[-1]} if text else set())
        for part in scope.get("query_string", b"").decode().split("&"):
            key, _, value = part.partition("=")
            if key.lower() in PERSONAL_FIELDS and value:
                self.personal.add(value)
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        self._fields(self._body(body))
        canned, body = self.rewrite(scope, body)
        if canned is not None:
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": canned})
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        response: list[bytes] = []

        async def keep(message):
            if message["type"] == "http.response.body":
                response.append(message.get("body", b""))
                if not message.get("more_body"):
                    self._fields(self._body(b"".join(response)))
            await send(message)

        await self.app(scope, replay, keep)


class BrokenTarget(Recorder):
    """Drops hold releases and awards a repeated order again."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.orders: set[str] = set()
        self.dropped_releases = 0
        self.reawarded = 0

    def rewrite(self, scope: dict, body: bytes) -> tuple[bytes | None, bytes]:
        method, path = scope["method"], scope["path"]
        if method == "DELETE" and "/transactions/hold/" in path:
            self.dropped_releases += 1
            return b"{}", body
        if method == "POST" and path.endswith("/integrations/orders"):
            doc = self._body(body)
            if isinstance(doc, dict) and doc.get("orderId"):
                order_id = str(doc["orderId"])
                tenant = dict(scope["headers"]).get(b"apikey", b"").decode()
                key = f"{tenant}/{order_id}"  # order ids repeat from one tenant to the next
                if key in self.orders:
                    self.reawarded += 1
                    doc["orderId"] = f"{order_id}-again-{self.reawarded}"
                    return None, json.dumps(doc).encode()
                self.orders.add(key)
        return None, body


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1 from a thread of this process; yields its URL."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        loop="asyncio",
        http="h11",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def recording():
    """Wrap an ASGI app in a Recorder."""
    return Recorder


@pytest.fixture(scope="session")
def broken_target():
    target = BrokenTarget(reference_app())
    with serve(target) as url:
        yield target, url
