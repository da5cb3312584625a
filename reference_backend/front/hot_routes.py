"""The POS calls answered on the lean path, per dialect: (method, path ending) of a route
in that dialect's own router. Every mounted prefix of a listed route is served."""

from __future__ import annotations

HOT_ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "gameball": (
        ("GET", "/customers/{customerId}/balance"),
        ("POST", "/transactions/hold"),
        ("DELETE", "/transactions/hold/{holdReferenceId}"),
        ("POST", "/orders"),
    ),
    "wll": (
        ("GET", "/users/{user_ref}/wallet"),
        ("POST", "/events"),
    ),
    "capillary": (
        ("GET", "/customer/get"),
        ("POST", "/points/redeem"),
        ("POST", "/transaction/add"),
    ),
}
