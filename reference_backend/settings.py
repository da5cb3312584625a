"""Server settings for create_app and `posim serve`."""

from __future__ import annotations

from pydantic import BaseModel


class Settings(BaseModel):
    seed: int = 0
    demo_tenant: bool = True
    demo_tenant_id: str = "demo"
    running_clock: bool = True  # wall time (plus advances); tests use a frozen clock
    check_invariants: bool = False  # audit after every command (slower; tests turn it on)
    traffic_limit: int = 500
    record_path: str | None = None  # append every exchange here as JSON lines (masked)
    body_limit: int = 1024 * 1024  # bytes; a larger request body is refused with 413
    control_body_limit: int = 64 * 1024 * 1024  # snapshots to restore can be large
    # the control plane's guard (control/guard.py): None = in-process, no Host check
    bind_host: str | None = None
    allowed_hosts: tuple[str, ...] = ()  # more Host names to accept (e.g. a LAN name)
    admin_token: str | None = None  # required on every /_posim call when set
    max_tenants: int = 1000
