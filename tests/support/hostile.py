"""Harness of the bad-input suites: one app per test, each dialect's auth, writes that commit
when sent valid, the vendor's error envelope, and a fingerprint of everything a tenant holds.

`hostile_body(vendor_write, place, token)` sends a valid write with one value replaced by raw
JSON text (a lone surrogate escape, NaN, 1e400, a 10k-deep array...), so a test can show the
edge refuses exactly what would otherwise have committed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from reference_backend.app import create_app
from reference_backend.engine import snapshot
from reference_backend.settings import Settings
from simulator.transports import InProcessClient

NOW = "2026-01-01T00:00:00Z"
MARK = "__HOSTILE__"
GAMEBALL = "/api/v4.0/integrations"


@dataclass
class Write:
    """A write that commits when sent as is; `places` name the values a test may replace."""

    method: str
    path: str
    body: dict[str, Any]
    places: dict[str, tuple[str | int, ...]]


@dataclass
class Vendor:
    name: str
    app: Any
    client: InProcessClient
    tenant: Any
    headers: dict[str, str] = field(default_factory=dict)
    writes: list[Write] = field(default_factory=list)

    def send(self, write: Write, content: bytes, **headers: str) -> httpx.Response:
        sent = {**self.headers, "Content-Type": "application/json", **headers}
        return self.client.request(write.method, write.path, content=content, headers=sent)

    def fingerprint(self) -> str:
        """Everything the tenant holds, as JSON: equal fingerprints mean nothing committed."""
        with self.tenant.engine.lock:
            document = snapshot.dump(self.tenant.engine.state)
            # a dialect may file an empty map on first use (WLL event types): not a commit
            data = {
                dialect: {k: v for k, v in records.items() if v not in ({}, [], None)}
                for dialect, records in self.tenant.data.items()
            }
            document["dialect_data"] = snapshot.encode({k: v for k, v in data.items() if v})
        return json.dumps(document, sort_keys=True, default=str)

    def envelope_ok(self, response: httpx.Response) -> bool:
        body = response.json()
        if self.name == "gameball":
            return {"code", "message"} <= set(body) and isinstance(body["code"], int)
        if self.name == "wll":
            return body.get("status") in ("fail", "error") and isinstance(body.get("message"), str)
        status = body.get("response", {}).get("status", {})
        return status.get("success") in (False, "false") and "code" in status


def hostile_body(write: Write, place: str, token: bytes) -> bytes:
    """The write's JSON with the value at `place` replaced by the raw bytes `token`."""
    body = json.loads(json.dumps(write.body))
    *parents, last = write.places[place]
    target = body
    for key in parents:
        target = target[key]
    target[last] = MARK
    return json.dumps(body).encode().replace(f'"{MARK}"'.encode(), token)


def _app(**settings: Any):
    return create_app(Settings(running_clock=False, check_invariants=True, **settings))


def gameball(**settings: Any) -> Vendor:
    app = _app(**settings)
    tenant = app.state.registry.get("demo")
    creds = tenant.credentials["gameball"]
    vendor = Vendor("gameball", app, InProcessClient(app), tenant)
    vendor.headers = {"APIKey": creds["apiKey"], "SecretKey": creds["secretKey"]}
    customer = {"customerId": "c1", "email": "c1@example.com"}
    order = {"customerId": "c1", "orderId": "o1", "orderDate": NOW, "totalPaid": 10}
    vendor.writes = [
        Write("POST", f"{GAMEBALL}/customers", customer, {"id": ("customerId",)}),
        Write(
            "POST",
            f"{GAMEBALL}/orders",
            order,
            {"id": ("orderId",), "amount": ("totalPaid",)},
        ),
    ]
    return vendor


def wll(**settings: Any) -> Vendor:
    app = _app(**settings)
    tenant = app.state.registry.get("demo")
    creds = tenant.credentials["wll"]
    client = InProcessClient(app)
    form = {
        "client_id": creds["clientId"],
        "client_secret": creds["clientSecret"],
        "audience": "wlloyalty.net",
        "grant_type": "client_credentials",
    }
    token = client.post("/oauth/token", json=form).json()["access_token"]
    vendor = Vendor("wll", app, client, tenant)
    vendor.headers = {"X-Api-Key": creds["apiKey"], "Authorization": f"Bearer {token}"}
    user = {"email": "ann@example.com", "givenName": "Ann", "authIdentifier": "auth0|ann"}
    created = client.post("/v1/users", json=user, headers=vendor.headers).json()["data"]
    event = {"type": "TRANSACTION", "subject": {"id": created["id"]}, "payload": {"amount": 30}}
    vendor.writes = [
        Write(
            "POST",
            "/v1/users",
            {**user, "email": "bob@example.com", "authIdentifier": "auth0|bob"},
            {"id": ("authIdentifier",)},
        ),
        Write(
            "POST",
            "/v1/events",
            {**event, "id": "pos-1"},
            {"id": ("id",), "amount": ("payload", "amount")},
        ),
    ]
    return vendor


def capillary(**settings: Any) -> Vendor:
    app = _app(**settings)
    tenant = app.state.registry.get("demo")
    creds = tenant.credentials["capillary"]
    vendor = Vendor("capillary", app, InProcessClient(app), tenant)
    secret = hashlib.md5(creds["password"].encode()).hexdigest()
    basic = base64.b64encode(f"{creds['till']}:{secret}".encode()).decode()
    vendor.headers = {"Authorization": f"Basic {basic}"}
    mobile = "919800000001"
    # the first call files the tenant's default Capillary settings: not a commit of a test's
    vendor.client.get(f"/v1.1/customer/get?format=json&mobile={mobile}", headers=vendor.headers)
    customer = {"root": {"customer": [{"mobile": mobile, "external_id": "x1"}]}}
    item = ("root", "transaction", 0)
    sale = {"type": "regular", "number": "B1", "amount": 100, "customer": {"mobile": mobile}}
    vendor.writes = [
        Write(
            "POST",
            "/v1.1/customer/add?format=json",
            customer,
            {"id": ("root", "customer", 0, "external_id")},
        ),
        Write(
            "POST",
            "/v1.1/transaction/add?format=json",
            {"root": {"transaction": [sale]}},
            {"id": (*item, "number"), "amount": (*item, "amount")},
        ),
    ]
    return vendor


VENDORS = {"gameball": gameball, "wll": wll, "capillary": capillary}


def asgi_call(app, method: str, path: str, headers: dict[str, str], chunks: list[bytes]):
    """(status, body, chunks the app pulled) for a streamed body with no Content-Length."""
    import asyncio

    pending = list(chunks)
    pulled = []
    sent: dict[str, Any] = {"body": b""}

    async def receive():
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        pulled.append(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    return sent["status"], json.loads(sent["body"]), len(pulled)
