"""Stamp every exchange of a tenant with where it left the ledger and the tenant's clock.

The traffic ring records what crossed the wire; the inspector also wants each exchange's
ledger effect and the instant on the tenant's clock. Both are read once, after the response,
so the hot path pays one dict store per request and nothing when the inspector is not mounted.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

KEEP_PER_TENANT = 2000  # more than the traffic ring holds, so every row it shows has a mark


@dataclass(frozen=True)
class Mark:
    seq: int  # per-tenant order in which exchanges finished
    ledger_seq: int  # the last posting's sequence number when the exchange finished
    clock: datetime  # the tenant's clock when the exchange finished (formatted when read)
    route: str | None  # the route template that answered, e.g. "/customers/{customerId}"


class LedgerMarks:
    """ASGI wrapper: after each request that named a tenant, remember its Mark by request id."""

    def __init__(self, app, registry) -> None:
        self.app = app
        self.registry = registry
        self._marks: dict[str, OrderedDict[str, Mark]] = {}
        self._seq: dict[str, int] = {}

    def __getattr__(self, name):  # tests and servers reach app.state through the wrapper
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)
        if scope["type"] != "http":
            return
        state = scope.get("state") or {}
        tenant, request_id = state.get("tenant"), state.get("request_id")
        if tenant is not None and request_id:
            self.stamp(tenant, request_id, getattr(scope.get("route"), "path_format", None))

    def stamp(self, tenant, request_id: str, route: str | None = None) -> Mark:
        postings = tenant.engine.state.ledger.postings
        seq = self._seq.get(tenant.tenant_id, 0) + 1
        self._seq[tenant.tenant_id] = seq
        last = postings[-1].seq if postings else 0
        mark = Mark(seq, last, tenant.engine.now(), route)
        marks = self._marks.setdefault(tenant.tenant_id, OrderedDict())
        marks[request_id] = mark
        if len(marks) > KEEP_PER_TENANT:
            marks.popitem(last=False)
        return mark

    def latest(self, tenant_id: str) -> int:
        return self._seq.get(tenant_id, 0)

    def get(self, tenant_id: str, request_id: str) -> Mark | None:
        marks = self._marks.get(tenant_id)
        return marks.get(request_id) if marks else None
