"""Backends a POS can be pointed at: the embedded reference backend, or a live target.

Where the target is posim itself (embedded or `posim serve`), each run gets a fresh tenant
through the control plane, so runs never see each other, and the clock, faults, seeding and
the ledger audit are available. Against any other target only the vendor API is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..protocol import codec_for
from ..transports import ASGITransport, HttpTransport

# the program every vendor-neutral scenario assumes: 1 point per 1.00 paid, 1 point = 0.01
SCENARIO_PROGRAM: dict[str, Any] = {
    "currency": "EGP",
    "minor_units": 2,
    "earn_points": 1,
    "earn_per_minor": 100,
    "redeem_points": 1,
    "redeem_value_minor": 1,
    "return_window_days": 0,
}


class ControlPlane:
    """The /_posim API over any transport-like client with .request()."""

    def __init__(self, client, tenant_id: str) -> None:
        self.client = client
        self.tenant_id = tenant_id

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        resp = self.client.request(method, f"/_posim/tenants/{self.tenant_id}{path}", json=body)
        if resp.status_code >= 400:
            raise RuntimeError(f"control plane {method} {path}: {resp.status_code} {resp.text}")
        return resp.json()

    def advance(self, seconds: float) -> None:
        self._call("POST", "/clock/advance", {"seconds": seconds})

    def audit(self) -> list[dict]:
        return self._call("GET", "/audit")["violations"]

    def add_fault(self, **rule: Any) -> dict:
        return self._call("POST", "/faults", rule)

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def seed_voucher(self, **voucher: Any) -> dict:
        return self._call("POST", "/vouchers", voucher)

    def traffic(self, limit: int = 1000) -> list[dict]:
        return self._call("GET", f"/traffic?limit={limit}")["traffic"]

    def delete(self) -> None:
        self.client.request("DELETE", f"/_posim/tenants/{self.tenant_id}")


@dataclass
class Backend:
    dialect: str
    credentials: dict[str, str]
    transport: Any
    control: ControlPlane | None = None
    target: str = "embedded"
    options: dict[str, Any] = field(default_factory=dict)

    def codec(self):
        return codec_for(self.dialect, self.credentials)

    def close(self) -> None:
        if self.control is not None:
            self.control.delete()
        self.transport.close()


def _new_tenant(client, config: dict[str, Any]) -> tuple[str, dict]:
    resp = client.request("POST", "/_posim/tenants", json={"config": config})
    if resp.status_code != 201:
        raise RuntimeError(f"could not create a tenant: {resp.status_code} {resp.text}")
    body = resp.json()
    return body["tenant"], body["credentials"]


def embedded(
    app, dialect: str, config: dict[str, Any] | None = None, transport: Any = None
) -> Backend:
    """A fresh tenant on an in-process app (no sockets), by default over `ASGITransport`."""
    transport = transport or ASGITransport(app)
    tenant_id, creds = _new_tenant(transport.client, {**SCENARIO_PROGRAM, **(config or {})})
    control = ControlPlane(transport.client, tenant_id)
    return Backend(dialect, creds[dialect], transport, control, "embedded")


def live(
    url: str,
    dialect: str,
    credentials: dict[str, str] | None = None,
    config: dict[str, Any] | None = None,
    timeout: float = 10.0,
) -> Backend:
    """A live target. If it is posim, a fresh tenant is made unless credentials are given."""
    transport = HttpTransport(url, timeout)
    probe = transport.client.get("/_posim/tenants")
    if credentials is None:
        if probe.status_code != 200:
            raise RuntimeError(f"{url} has no posim control plane: pass credentials")
        tenant_id, creds = _new_tenant(transport.client, {**SCENARIO_PROGRAM, **(config or {})})
        control = ControlPlane(transport.client, tenant_id)
        return Backend(dialect, creds[dialect], transport, control, url)
    return Backend(dialect, credentials, transport, None, url)


def parse_credentials(text: str | None) -> dict[str, str] | None:
    """`--posim-credentials` as JSON, k=v,k=v or @file; ValueError (one line) otherwise."""
    from ..cliargs import parse_credentials as parse

    data = parse(text)
    return None if data is None else {str(k): str(v) for k, v in data.items()}
