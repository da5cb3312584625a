"""The lean path answers exactly what the framework path answers.

One app serves a POS session (hot calls, errors, bad input, a 429 burst) with the lean
routes on; every recorded request is then replayed, in order, against a twin app (same
seed, same tenant) with the lean routes off. Status, headers and bodies must be identical
but for the request id.
"""

from __future__ import annotations

import contextlib

import pytest

from reference_backend.app import create_app
from reference_backend.front.hot_routes import HOT_ROUTES
from reference_backend.settings import Settings
from simulator.backends import embedded
from simulator.gateway import LoyaltyGateway
from simulator.protocol import ops
from simulator.transports import InProcessClient

SETTINGS = Settings(seed=7, running_clock=False, check_invariants=True, demo_tenant=False)
_VOLATILE = {b"x-request-id", b"date", b"content-length"}


def _app(lean: bool):
    app = create_app(SETTINGS)
    if not lean:
        app.front.dispatch.lean.clear()
    return app


def _session(backend) -> None:
    gateway = LoyaltyGateway(backend.codec(), backend.transport)
    gateway.enroll("m1")
    gateway.earn_points("m1", 500, "o-earn")
    gateway.balance("m1")
    reservation = gateway.reserve_points("m1", 120, "r1")
    gateway.release("m1", reservation)
    reservation = gateway.reserve_points("m1", 80, "r2")
    line = ops.SaleLine("sku1", 1, 10000)
    gateway.submit_sale(ops.SubmitSale("m1", "o1", (line,), 10000, 9920, reservation))
    gateway.balance("m1")
    for call in (
        lambda: gateway.balance("ghost"),
        lambda: gateway.reserve_points("m1", 10**6, "r3"),
        lambda: gateway.reserve_points("ghost", 5, "r4"),
    ):
        with contextlib.suppress(Exception):  # the vendor's refusal is what is compared
            call()


def _raw_abuse(backend, app, exchanges) -> None:
    """Bad input straight at every hot path the session used: no credentials, broken JSON,
    a body of the wrong shape, each with the session's own credentials."""
    client = backend.transport.client
    hot = app.front.dispatch.lean[backend.dialect]
    seen = {}
    for ex in exchanges:
        if _hot(hot, ex.method, ex.path):
            seen.setdefault((ex.method, ex.path), ex.request_headers)
    for (method, path), raw in seen.items():
        headers = [(k, v) for k, v in raw if k.lower() not in (b"content-length", b"host")]
        client.request(method, path)
        client.request(method, path, content=b"{not json", headers=headers)
        client.request(method, path, content=b'[1, {"a": null}]', headers=headers)


def _hot(lean_routes, method: str, path: str) -> bool:
    return any(r.method == method and r.match(path) is not None for r in lean_routes)


def _replay(exchanges, app) -> list[tuple]:
    client = InProcessClient(app)
    try:
        out = []
        for ex in exchanges:
            url = ex.path + ("?" + ex.query.decode() if ex.query else "")
            headers = [(k, v) for k, v in ex.request_headers if k.lower() != b"content-length"]
            resp = client.request(
                ex.method, url, content=b"".join(ex.request_chunks), headers=headers
            )
            out.append(_comparable(resp.status_code, resp.headers.raw, resp.content))
        return out
    finally:
        client.close()


def _comparable(status: int, headers, body: bytes) -> tuple:
    rid = dict((k.lower(), v) for k, v in headers).get(b"x-request-id", b"<none>")
    kept = sorted(
        (k.lower(), v.replace(rid, b"<rid>")) for k, v in headers if k.lower() not in _VOLATILE
    )
    return status, kept, body.replace(rid, b"<rid>")


@pytest.mark.parametrize("dialect", sorted(HOT_ROUTES))
def test_lean_and_framework_paths_answer_alike(dialect):
    lean_app, plain_app = _app(lean=True), _app(lean=False)
    served = []
    for name, sub in list(lean_app.front.dispatch.sub_apps.items()):

        async def counting(scope, receive, send, sub=sub):
            served.append((scope["method"], scope["path"]))
            await sub(scope, receive, send)

        lean_app.front.dispatch.sub_apps[name] = counting
    backend = embedded(lean_app, dialect)
    _session(backend)
    tenant = lean_app.state.registry.get(backend.control.tenant_id)
    _raw_abuse(backend, lean_app, list(tenant.traffic))
    exchanges = list(tenant.traffic)
    lean_answers = [
        _comparable(ex.status, ex.response_headers, b"".join(ex.response_chunks))
        for ex in exchanges
    ]
    backend.close()

    twin = embedded(plain_app, dialect)
    assert twin.credentials == backend.credentials  # same seed, same tenant
    assert _replay(exchanges, plain_app) == lean_answers
    hot = lean_app.front.dispatch.lean[dialect]
    lean_calls = [e for e in exchanges if _hot(hot, e.method, e.path)]
    assert len(lean_calls) >= 6
    assert not [(m, p) for m, p in served if _hot(hot, m, p)]
