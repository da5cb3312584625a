"""posim's pytest plugin: options, the `world` fixture and vendor-neutral scenario plumbing.

Every scenario runs once per dialect. On posim (embedded or `--posim-target` of a posim
server) each scenario gets a fresh tenant and the ledger audit runs after it; a violation
fails the scenario. A scenario tagged `@needs_<capability>` that a vendor cannot express is
reported as skipped with "not applicable to <vendor>: <reason>", never dropped silently.
"""

from __future__ import annotations

import pytest

from ..backends import embedded, live, parse_credentials
from ..protocol import DIALECTS, codec_class
from .world import World

CAPABILITIES = (
    "holds",
    "hold_expiry",
    "pending",
    "referrals",
    "voucher_validate",
    "voucher_list",
    "identify_by_card",
    "control_plane",
)
FEATURE_TAGS = ("members", "checkout", "orders", "refunds", "vouchers", "referrals")


def pytest_addoption(parser):
    group = parser.getgroup("posim")
    group.addoption("--posim-target", default=None, help="base URL of a live backend")
    group.addoption("--posim-dialect", default="all", help="gameball, wll, capillary or all")
    group.addoption("--posim-credentials", default=None, help="JSON or k=v,k=v for the target")
    group.addoption("--posim-timeout", type=float, default=10.0, help="HTTP timeout (seconds)")


def pytest_configure(config):
    check_options(config)
    for cap in CAPABILITIES:
        config.addinivalue_line("markers", f"needs_{cap}: scenario needs {cap.replace('_', ' ')}")
    for tag in FEATURE_TAGS:
        config.addinivalue_line("markers", f"{tag}: {tag} scenarios")


def check_options(config) -> None:
    """Bad --posim-* options end the run with one usage line, before any collection."""
    from ..preflight import PreflightError, check_url

    selected_dialects(config)
    try:
        parse_credentials(config.getoption("--posim-credentials", None))
        target = config.getoption("--posim-target", None)
        if target:
            check_url(target)
    except (ValueError, PreflightError) as exc:
        raise pytest.UsageError(f"posim: {exc}") from None
    if config.getoption("--posim-timeout", 10.0) <= 0:
        raise pytest.UsageError("posim: --posim-timeout must be > 0")


def pytest_sessionstart(session):
    """Pre-flight of a live target: reachable, and one read with the given credentials."""
    from ..preflight import PreflightError, check_target

    config = session.config
    target = config.getoption("--posim-target", None)
    if not target or hasattr(config, "workerinput"):  # xdist workers: the controller checked
        return
    creds = parse_credentials(config.getoption("--posim-credentials", None))
    dialects = selected_dialects(config)
    by_dialect = {d: creds for d in dialects} if creds else None
    try:
        check_target(target, dialects, by_dialect, config.getoption("--posim-timeout", 10.0))
    except PreflightError as exc:
        raise pytest.UsageError(f"posim pre-flight: {exc}") from None


def selected_dialects(config) -> list[str]:
    chosen = config.getoption("--posim-dialect", "all")
    if chosen == "all":
        return list(DIALECTS)
    names = [d.strip() for d in chosen.split(",") if d.strip()]
    unknown = [d for d in names if d not in DIALECTS]
    if unknown or not names:
        raise pytest.UsageError(
            f"posim: unknown dialect(s) {', '.join(unknown) or repr(chosen)}; "
            f"choose from {', '.join(DIALECTS)} or all"
        )
    return names


def pytest_generate_tests(metafunc):
    if "posim_dialect" in metafunc.fixturenames:
        metafunc.parametrize("posim_dialect", selected_dialects(metafunc.config), scope="function")


@pytest.fixture(scope="session")
def posim_app():
    """The embedded reference backend: frozen clocks, audit after every command."""
    from reference_backend.app import create_app
    from reference_backend.settings import Settings

    return create_app(Settings(running_clock=False, check_invariants=True, demo_tenant=False))


def not_applicable(request, dialect: str, has_control_plane: bool) -> str | None:
    codec_cls = codec_class(dialect)
    for marker in request.node.iter_markers():
        if not marker.name.startswith("needs_"):
            continue
        capability = marker.name[len("needs_") :]
        if capability == "control_plane":
            if not has_control_plane:
                return "the target has no posim control plane (clock, faults, seeding)"
            continue
        reason = codec_cls.not_applicable.get(capability)
        if reason:
            return reason
    return None


@pytest.fixture
def world(request, posim_dialect):
    dialect = posim_dialect
    config = request.config
    target = config.getoption("--posim-target")
    credentials = parse_credentials(config.getoption("--posim-credentials"))
    reason = not_applicable(request, dialect, target is None or credentials is None)
    if reason:
        pytest.skip(reason=f"not applicable to {dialect}: {reason}")

    def make_backend(program: dict):
        if target:
            timeout = config.getoption("--posim-timeout")
            return live(target, dialect, credentials, program, timeout)
        return embedded(request.getfixturevalue("posim_app"), dialect, program)

    w = World(dialect, make_backend, salt=request.node.nodeid)
    yield w
    try:
        if w._backend is not None and w._backend.control is not None:
            violations = w._backend.control.audit()
            assert violations == [], f"ledger audit failed after the scenario: {violations}"
    finally:
        w.close()


# -- fixtures for integrators' own tests ---------------------------------------------------
@pytest.fixture
def loyalty_dialect(request) -> str:
    """Which vendor API the fixtures below speak; override this fixture to choose."""
    return selected_dialects(request.config)[0]


@pytest.fixture
def loyalty_backend(request):
    """The embedded reference backend (an ASGI app), or None with --posim-target."""
    if request.config.getoption("--posim-target"):
        return None
    return request.getfixturevalue("posim_app")


@pytest.fixture
def loyalty_tenant(request, loyalty_dialect, loyalty_backend):
    """A fresh, isolated tenant: credentials, transport and (on posim) the control plane."""
    config = request.config
    target = config.getoption("--posim-target")
    if target:
        credentials = parse_credentials(config.getoption("--posim-credentials"))
        backend = live(
            target, loyalty_dialect, credentials, timeout=config.getoption("--posim-timeout")
        )
    else:
        backend = embedded(loyalty_backend, loyalty_dialect)
    yield backend
    backend.close()


@pytest.fixture
def gateway(loyalty_tenant):
    """A LoyaltyGateway speaking the tenant's vendor API."""
    from ..gateway import LoyaltyGateway

    return LoyaltyGateway(loyalty_tenant.codec(), loyalty_tenant.transport)


@pytest.fixture
def pos(gateway):
    """One till: store-01, lane-1, over the gateway."""
    from ..pos import Store, Terminal

    return Terminal(Store("store-01", "Store 01", ("lane-1",)), "lane-1", "cashier-1", gateway)
