"""Schemathesis over each dialect's own OpenAPI (the app's /openapi.json), and over the
vendor request bodies each dialect really parses (vendor_schemas), bounded and seeded:
whatever a generated request holds, no dialect answers with a server error.

Requests carry the tenant's real credentials, so generation reaches past authentication.
`make fuzz` (POSIM_FUZZ=1) runs more examples.
"""

from __future__ import annotations

import os
import warnings

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from vendor_schemas import DOCUMENTS

from reference_backend.app import create_app
from reference_backend.dialects.capillary.auth import basic_header
from reference_backend.dialects.wll.auth import mint_admin_token
from reference_backend.settings import Settings
from simulator.transports import InProcessClient

PREFIXES = {"gameball": "/api/v4", "wll": "/v1/", "capillary": "/v1.1/"}
EXAMPLES = 2500 if os.environ.get("POSIM_FUZZ") else 250


def _auth_headers(dialect: str, tenant) -> dict[str, str]:
    creds = tenant.credentials[dialect]
    if dialect == "gameball":
        return {"APIKey": creds["apiKey"], "SecretKey": creds["secretKey"]}
    if dialect == "wll":
        token = mint_admin_token(tenant, None, None)["access_token"]
        return {"X-Api-Key": creds["apiKey"], "Authorization": f"Bearer {token}"}
    return {"Authorization": basic_header(creds["till"], creds["password"])}


def _app_with_member():
    app = create_app(Settings(running_clock=False, check_invariants=True))
    tenant = app.state.registry.get("demo")
    tenant.set_rate_limits(False)  # throttling would hide the handlers from the generator
    tenant.engine.upsert_member("member-1", {"mobile": "+201000000001"})
    tenant.engine.earn("member-1", 5000)
    return app, tenant


def _exercise(app, operations, headers) -> tuple[list[str], int]:
    """(server errors, requests with a body sent) over generated cases of `operations`."""
    failures: list[str] = []
    bodies = [0]

    with InProcessClient(app) as client:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def exercise(data):
            operation = data.draw(st.sampled_from(operations))
            case = data.draw(operation.as_strategy())
            kwargs = case.as_transport_kwargs(base_url="http://posim.local")
            kwargs["headers"] = {**(kwargs.get("headers") or {}), **headers}
            kwargs.pop("base_url", None)
            if not kwargs.get("cookies"):
                kwargs.pop("cookies", None)
            method, url = kwargs.pop("method"), kwargs.pop("url")
            bodies[0] += kwargs.get("json") is not None or bool(kwargs.get("content"))
            response = client.request(method, url, **kwargs)
            if response.status_code >= 500:
                failures.append(f"{method} {url} -> {response.status_code} {response.text[:200]}")

        exercise()
    return failures, bodies[0]


@pytest.mark.parametrize("dialect", sorted(PREFIXES))
def test_generated_requests_never_get_a_server_error(dialect):
    app, tenant = _app_with_member()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate operation ids of aliased routes
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [
            result.ok()
            for result in schema.get_all_operations()
            if result.ok().path.startswith(PREFIXES[dialect])
        ]
    assert operations, f"no {dialect} operations in the app's OpenAPI"
    failures, _ = _exercise(app, operations, _auth_headers(dialect, tenant))
    assert failures == []
    assert tenant.engine.audit() == []


@pytest.mark.parametrize("dialect", sorted(DOCUMENTS))
def test_generated_vendor_bodies_never_get_a_server_error(dialect):
    """Bodies shaped by the vendor's request schemas reach the dialect's body parsers."""
    app, tenant = _app_with_member()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_dict(DOCUMENTS[dialect]())
        operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5, f"too few {dialect} operations with a request body"
    failures, bodies = _exercise(app, operations, _auth_headers(dialect, tenant))
    assert failures == []
    assert bodies >= EXAMPLES // 2, f"only {bodies} generated requests carried a body"
    assert tenant.engine.audit() == []
