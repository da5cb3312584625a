"""The state one scenario builds up: its backend, lanes, members, checkouts and last error."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..gateway import LoyaltyGateway, RetryPolicy
from ..pos import Checkout, CheckoutError, Store, Terminal
from ..protocol import ops
from ..protocol.base import LoyaltyError


def money(text: str) -> int:
    """'12.50' -> 1250 minor units."""
    whole, _, frac = text.strip().partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


@dataclass(frozen=True)
class Persona:
    alias: str
    member_id: str
    mobile: str
    email: str
    card_number: str

    @classmethod
    def named(cls, alias: str, salt: str = "") -> Persona:
        n = zlib.crc32(f"{salt}{alias}".encode())
        slug = alias.lower().replace(" ", "-")
        return cls(
            alias=alias,
            member_id=f"{slug}-{n % 10**6:06d}",
            mobile=f"+2010{n % 10**8:08d}",
            email=f"{slug}.{n % 10**4:04d}@example.com",
            card_number=f"{4000_0000_0000_0000 + n}",
        )


@dataclass
class World:
    dialect: str
    make_backend: Callable[[dict[str, Any]], Any]
    salt: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    sleeps: list[float] = field(default_factory=list)
    personas: dict[str, Persona] = field(default_factory=dict)
    members: dict[str, ops.MemberInfo] = field(default_factory=dict)
    lanes: dict[str, Terminal] = field(default_factory=dict)
    checkouts: dict[str, Checkout] = field(default_factory=dict)
    vouchers: dict[str, int] = field(default_factory=dict)  # code -> discount (minor units)
    outcomes: list[Any] = field(default_factory=list)
    error: Exception | None = None
    store: Store | None = None
    last: Any = None
    _backend: Any = None
    _gateway: LoyaltyGateway | None = None

    @property
    def backend(self):
        if self._backend is None:
            self._backend = self.make_backend(self.config)
        return self._backend

    @property
    def gateway(self) -> LoyaltyGateway:
        if self._gateway is None:
            retry = RetryPolicy(sleep=self.sleeps.append)  # nothing really sleeps in scenarios
            self._gateway = LoyaltyGateway(self.backend.codec(), self.backend.transport, retry)
        return self._gateway

    @property
    def control(self):
        control = self.backend.control
        if control is None:
            raise AssertionError("this step needs the posim control plane")
        return control

    def persona(self, alias: str) -> Persona:
        if alias not in self.personas:
            self.personas[alias] = Persona.named(alias, self.salt)
        return self.personas[alias]

    def member_id(self, alias: str) -> str:
        return self.persona(alias).member_id

    def terminal(self, lane: str) -> Terminal:
        if lane not in self.lanes:
            store = self.store or Store("store-01", "Store", ("1",))
            self.lanes[lane] = Terminal(store, f"lane-{lane}", f"cashier-{lane}", self.gateway)
        return self.lanes[lane]

    def attempt(self, action: Callable[[], Any]) -> Any:
        """Run a cashier action; a loyalty or checkout failure is kept for a Then step."""
        self.error = None
        try:
            self.last = action()
            return self.last
        except (LoyaltyError, CheckoutError) as exc:
            self.error = exc
            return None

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
