"""moto-style mock: route httpx calls for a vendor's real hosts into an in-process engine.

    with reference_backend.mock(dialect="gameball") as loyalty:
        client = httpx.Client(base_url="https://api.gameball.co/api/v4.0/integrations",
                              headers={"APIKey": loyalty.credentials["apiKey"], ...})
        ...
        assert loyalty.audit() == []

Works as a context manager (sync or async) and as a decorator, with sync and async httpx
clients. No socket is opened: respx intercepts the transport and the ASGI app answers.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import httpx
import respx

from reference_backend.control.faults import FAULT_HEADER

VENDOR_HOSTS: dict[str, tuple[str, ...]] = {
    "gameball": ("api.gameball.co",),
    "wll": (
        "api.rewards.wlloyalty.net",
        "api.staging.rewards.wlloyalty.net",
        "api.rewards.us.wlloyalty.net",
        "api.staging.rewards.us.wlloyalty.net",
    ),
    "capillary": (
        "api.capillary.co.in",
        "apac.api.capillary.co.in",
        "apac2.api.capillarytech.com",
        "eu.api.capillarytech.com",
        "us.api.capillarytech.com",
        "api.capillarytech.cn.com",
        "apac.intouch.capillarytech.com",
        "eu.intouch.capillarytech.com",
        "ushc.intouch.capillarytech.com",
        "sea.intouch.capillarytech.com",
    ),
}


class LoyaltyMock:
    def __init__(
        self,
        dialect: str | None = None,
        tenant: str | None = None,
        config: dict[str, Any] | None = None,
        rate_limits: bool = True,
    ) -> None:
        from reference_backend.app import create_app
        from reference_backend.engine import ProgramConfig
        from reference_backend.settings import Settings

        from .transports import InProcessClient

        if dialect is not None and dialect not in VENDOR_HOSTS:
            raise ValueError(f"unknown dialect {dialect!r}; choose from {', '.join(VENDOR_HOSTS)}")
        self.dialect = dialect
        settings = Settings(running_clock=False, check_invariants=True, demo_tenant=False)
        self.app = create_app(settings)
        program = ProgramConfig.model_validate(config or {})
        self.tenant = self.app.state.registry.create(tenant or "mock", program)
        self.tenant.set_rate_limits(rate_limits)
        self._client_factory = InProcessClient
        self._client: InProcessClient | None = None
        self.router = respx.mock(assert_all_called=False, assert_all_mocked=True)
        for name, hosts in VENDOR_HOSTS.items():
            if dialect in (None, name):
                for host in hosts:
                    self.router.route(host=host).mock(side_effect=self._handle)

    # -- what tests use ---------------------------------------------------------------
    @property
    def credentials(self) -> dict[str, str]:
        if self.dialect is None:
            raise AttributeError("credentials of which dialect? use all_credentials[dialect]")
        return self.tenant.credentials[self.dialect]

    @property
    def all_credentials(self) -> dict[str, dict[str, str]]:
        return self.tenant.credentials

    @property
    def engine(self):
        return self.tenant.engine

    def advance(self, seconds: float) -> None:
        self.tenant.engine.advance_clock(seconds)

    def audit(self) -> list[dict]:
        return [v.to_dict() for v in self.tenant.engine.audit()]

    def add_fault(self, **rule: Any):
        from reference_backend.control.faults import FaultRule

        fault = FaultRule(rule_id=f"f{len(self.tenant.faults) + 1}", **rule)
        self.tenant.faults.append(fault)
        return fault

    @property
    def traffic(self) -> list[dict]:
        return [entry.to_dict() for entry in self.tenant.traffic]

    @property
    def calls(self):
        return self.router.calls

    # -- plumbing ---------------------------------------------------------------------
    def _handle(self, request: httpx.Request) -> httpx.Response:
        if self._client is None:
            self._client = self._client_factory(self.app, base_url="http://posim.mock")
        target = request.url.raw_path.decode("ascii")
        resp = self._client.request(
            request.method, target, headers=dict(request.headers), content=request.content
        )
        if resp.status_code == 599 and resp.headers.get(FAULT_HEADER) == "drop":
            # an injected drop or lost response: the client sees what a real one would
            raise httpx.ReadTimeout("no response from the loyalty API (injected)", request=request)
        return httpx.Response(resp.status_code, headers=resp.headers, content=resp.content)

    def start(self) -> LoyaltyMock:
        self.router.start()
        return self

    def stop(self) -> None:
        self.router.stop()
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> LoyaltyMock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> LoyaltyMock:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, func):
        """Use as a decorator; the wrapped test receives the mock if it asks for `loyalty`."""
        wants = "loyalty" in inspect.signature(func).parameters

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args, **kwargs):
                async with self:
                    if wants:
                        kwargs["loyalty"] = self
                    return await func(*args, **kwargs)

            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                if wants:
                    kwargs["loyalty"] = self
                return func(*args, **kwargs)

        return wrapper


def mock(
    dialect: str | None = None,
    tenant: str | None = None,
    config: dict[str, Any] | None = None,
    rate_limits: bool = True,
) -> LoyaltyMock:
    """A mock of one vendor's hosts (or all three with dialect=None)."""
    return LoyaltyMock(dialect, tenant, config, rate_limits)
