"""Schemathesis over each dialect's own OpenAPI (the app's /openapi.json), bounded and seeded:
whatever a generated request holds, no dialect answers with a server error.

Requests carry the tenant's real credentials, so generation reaches past authentication.
"""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from reference_backend.app import create_app
from reference_backend.dialects.capillary.auth import basic_header
from reference_backend.dialects.wll.auth import mint_admin_token
from reference_backend.settings import Settings
from simulator.transports import InProcessClient

PREFIXES = {"gameball": "/api/v4", "wll": "/v1/", "capillary": "/v1.1/"}
EXAMPLES = 250


def _auth_headers(dialect: str, tenant) -> dict[str, str]:
    creds = tenant.credentials[dialect]
    if dialect == "gameball":
        return {"APIKey": creds["apiKey"], "SecretKey": creds["secretKey"]}
    if dialect == "wll":
        token = mint_admin_token(tenant, None, None)["access_token"]
        return {"X-Api-Key": creds["apiKey"], "Authorization": f"Bearer {token}"}
    return {"Authorization": basic_header(creds["till"], creds["password"])}


@pytest.mark.parametrize("dialect", sorted(PREFIXES))
def test_generated_requests_never_get_a_server_error(dialect):
    app = create_app(Settings(running_clock=False, check_invariants=True))
    tenant = app.state.registry.get("demo")
    tenant.set_rate_limits(False)  # throttling would hide the handlers from the generator
    tenant.engine.upsert_member("member-1", {"mobile": "+201000000001"})
    tenant.engine.earn("member-1", 5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate operation ids of aliased routes
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [
            result.ok()
            for result in schema.get_all_operations()
            if result.ok().path.startswith(PREFIXES[dialect])
        ]
    assert operations, f"no {dialect} operations in the app's OpenAPI"
    headers = _auth_headers(dialect, tenant)
    failures: list[str] = []

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
            response = client.request(method, url, **kwargs)
            if response.status_code >= 500:
                failures.append(f"{method} {url} -> {response.status_code} {response.text[:200]}")

        exercise()
    assert failures == []
    assert tenant.engine.audit() == []
