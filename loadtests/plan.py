"""The plan of one load run: target, credentials, seeded members and profile knobs.

`prepare()` runs before Locust starts, in the ordinary (non-gevent) process: it makes a
fresh posim tenant when the target is posim (or uses the given credentials otherwise),
enrolls the members through the codec, seeds their points and reads their balances. The
plan travels to the Locust processes as JSON (workers get it from the master).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.backends import SCENARIO_PROGRAM
from simulator.gateway import LoyaltyGateway, RetryPolicy
from simulator.protocol import codec_for
from simulator.transports import HttpTransport


@dataclass
class Knobs:
    """What a profile does; every field has a CLI flag of the same name."""

    members: int = 0  # 0: the profile's default
    seed_points: int = 0  # 0: the profile's default
    complete_ratio: float = 0.7  # race: share of held checkouts that complete (rest void)
    hold_fraction: tuple[float, float] = (0.3, 0.8)  # race: share of the read balance held
    refill_below: int = 300  # race: a lane tops a member up below this balance
    vouchers: int = 20  # checkout_mix: single-use voucher codes seeded (posim only)
    rate_scale: float = 1.0  # rate_limit: posim's scale of the documented limits
    max_backoffs: int = 30  # rate_limit: 429s in a row before a client gives up
    seed: int = 7


PROFILE_DEFAULTS = {
    # members, seed points
    "race": (4, 2_000),
    "rate_limit": (4, 1_000_000),
    "checkout_mix": (40, 5_000),
    "ping": (0, 0),
}


@dataclass
class Plan:
    run_id: str
    profile: str
    dialect: str
    target: str
    credentials: dict[str, str]
    tenant: str | None  # posim tenant id; None when the target is not posim
    members: dict[str, dict[str, int]] = field(default_factory=dict)  # id -> available, pending
    vouchers: dict[str, int] = field(default_factory=dict)  # code -> uses allowed
    voucher_discount: int = 500  # minor units
    earn_per_minor: float | None = None  # points per minor unit paid, when known
    rate_limits: bool = False  # limits enforced during the run (posim: as set here)
    rate_scale: float = 1.0
    knobs: Knobs = field(default_factory=Knobs)
    clock_skew_s: float = 0.0  # remote workers: tolerance between machines' clocks

    @property
    def posim(self) -> bool:
        return self.tenant is not None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        knobs = data.pop("knobs", {}) or {}
        if "hold_fraction" in knobs:
            knobs["hold_fraction"] = tuple(knobs["hold_fraction"])
        return cls(**data, knobs=Knobs(**knobs))

    def codec(self):
        return codec_for(self.dialect, self.credentials)


def is_posim(transport: HttpTransport) -> bool:
    try:
        return transport.client.get("/_posim/tenants").status_code == 200
    except Exception:  # noqa: BLE001 - any failure means: no control plane here
        return False


def control(transport: HttpTransport, tenant: str, method: str, path: str, body=None) -> Any:
    resp = transport.client.request(method, f"/_posim/tenants/{tenant}{path}", json=body)
    if resp.status_code >= 400:
        raise RuntimeError(f"control plane {method} {path}: {resp.status_code} {resp.text}")
    return _json(resp, f"{method} {path}")


def _json(resp, call: str) -> Any:
    """The control plane's JSON answer; anything else is a failure naming the call."""
    try:
        return resp.json()
    except ValueError:
        raise RuntimeError(
            f"control plane {call}: HTTP {resp.status_code}, not JSON; body {resp.content[:80]!r}"
        ) from None


def set_rate_limits(target: str, tenant: str, enabled: bool, scale: float = 1.0) -> None:
    transport = HttpTransport(target)
    try:
        control(transport, tenant, "PUT", "/rate-limits", {"enabled": enabled, "scale": scale})
    finally:
        transport.close()


def prepare(
    target: str,
    dialect: str,
    profile: str,
    knobs: Knobs | None = None,
    credentials: dict[str, str] | None = None,
) -> Plan:
    """Make the tenant (posim), enroll and seed the members, read their balances."""
    knobs = knobs or Knobs()
    default_members, default_points = PROFILE_DEFAULTS[profile]
    knobs.members = knobs.members or default_members
    knobs.seed_points = knobs.seed_points or default_points
    run_id = secrets.token_hex(3)
    transport = HttpTransport(target, timeout=30.0)
    try:
        tenant = None
        if credentials is None:
            if not is_posim(transport):
                raise RuntimeError(f"{target} has no posim control plane: pass --credentials")
            resp = transport.client.post("/_posim/tenants", json={"config": SCENARIO_PROGRAM})
            if resp.status_code != 201:
                raise RuntimeError(f"could not create a tenant: {resp.status_code} {resp.text}")
            made = _json(resp, "POST /_posim/tenants")
            tenant, credentials = made["tenant"], made["credentials"][dialect]
            # seeding is not what is measured: no limits while the members are made
            control(transport, tenant, "PUT", "/rate-limits", {"enabled": False})
        plan = Plan(run_id, profile, dialect, target, dict(credentials), tenant, knobs=knobs)
        if tenant is not None:
            program = SCENARIO_PROGRAM
            plan.earn_per_minor = program["earn_points"] / program["earn_per_minor"]
            plan.rate_limits = profile == "rate_limit"
            plan.rate_scale = knobs.rate_scale
        if profile == "ping":
            return plan
        retry = RetryPolicy(max_rate_limit_retries=50)  # a live vendor may throttle the seeding
        gateway = LoyaltyGateway(plan.codec(), transport, retry)
        for i in range(knobs.members):
            member = f"ld{run_id}-{i:04d}"
            gateway.enroll(
                member,
                mobile=f"+201{int(run_id, 16) % 10**5:05d}{i:04d}",  # +20 and 10 digits
                email=f"{member}@load.example.com",
                first_name="Load",
                last_name=f"Lane{i}",
            )
            if knobs.seed_points:
                gateway.earn_points(member, knobs.seed_points, f"ld{run_id}-seed-{i:04d}")
            balance = gateway.balance(member)
            plan.members[member] = {"available": balance.available, "pending": balance.pending}
        if tenant is not None and profile == "checkout_mix":
            for i in range(knobs.vouchers):
                code = f"LD{run_id.upper()}{i:03d}"
                body = {
                    "code": code,
                    "uses": 1,
                    "discount_kind": "fixed",
                    "discount_value": plan.voucher_discount,
                }
                control(transport, tenant, "POST", "/vouchers", body)
                plan.vouchers[code] = 1
        if tenant is not None and plan.rate_limits:
            scale = {"enabled": True, "scale": knobs.rate_scale}
            control(transport, tenant, "PUT", "/rate-limits", scale)
        return plan
    finally:
        transport.close()
