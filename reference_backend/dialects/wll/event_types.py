"""Event types: intrinsic (system-emitted, never reportable) and custom (tenant-defined).

Custom types come from two places: one per engine event rule (TRANSACTION, REDEEMED_POINTS,
POINTS_REFUND by default; the rule is the type's reactor), and types an admin registers
through POST /v1/event_types (no reactor unless the program config has a rule of that name).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...control.tenants import Tenant
from ...engine import EventRule
from .auth import NAME, creds

INTRINSIC = frozenset(
    {
        "REGISTERED_ACCOUNT",
        "CLOSED_ACCOUNT",
        "CONSENT_GIVEN",
        "CONSENT_REVOKED",
        "POINTS_ADJUSTED",
        "PURCHASED_REWARD",
        "REDEEMED_VOUCHER",
        "VOUCHER_GIVEN",
        "ORDER_PLACED",
    }
)


@dataclass
class EventType:
    name: str
    schema: dict[str, Any]
    public: bool = False  # public: reportable with a user token for oneself
    secret: str | None = None  # private types may also be reported with this bearer
    description: str = ""
    created_at: datetime | None = None
    active: bool = True

    def render(self, *, reveal_secret: bool = False) -> dict[str, Any]:
        out = {
            "name": self.name,
            "description": self.description,
            "isPrivate": not self.public,  # the spec's name
            "public": self.public,  # posim's older name, kept for its existing clients
            "isActive": self.active,
            "schema": self.schema,
            "createdAt": self.created_at.isoformat() if self.created_at else None,
        }
        if reveal_secret:
            out["secret"] = self.secret
        return out


# an upper bound keeps reactor arithmetic on sane numbers (1e400 would overflow a float)
MAX_QUANTITY = 10**12


def schema_for_rule(rule: EventRule) -> dict[str, Any]:
    if rule.action == "earn":
        spec = {"type": "number", "minimum": 0, "maximum": MAX_QUANTITY}
        field = rule.amount_field
    else:
        spec = {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY}
        field = rule.points_field
    return {"type": "object", "required": [field], "properties": {field: spec}}


def _registered(tenant: Tenant) -> dict[str, dict[str, Any]]:
    # plain dicts, so tenant data stays snapshot-friendly
    return tenant.dialect_data(NAME).setdefault("event_types", {})


def register(tenant: Tenant, etype: EventType) -> None:
    _registered(tenant)[etype.name] = dataclasses.asdict(etype)


def is_registered(tenant: Tenant, name: str) -> bool:
    return name in _registered(tenant)


def all_event_types(tenant: Tenant) -> dict[str, EventType]:
    # rule-backed types are private: a POS reports sales from the back office
    found = {
        name: EventType(name, schema_for_rule(rule), secret=creds(tenant)["eventTypeSecret"])
        for name, rule in tenant.engine.config.event_rules.items()
    }
    found.update({name: EventType(**raw) for name, raw in _registered(tenant).items()})
    return found


def has_reactor(tenant: Tenant, name: str) -> bool:
    return name in tenant.engine.config.event_rules
