"""The step library for vendor-neutral checkout scenarios (pytest-bdd).

Use it from your own feature files: `pytest_plugins = ["simulator.steps"]` in a conftest, or
the `posim` pytest plugin, which also provides the `world` fixture.
"""

from .checkout import *  # noqa: F403
from .members import *  # noqa: F403
from .time_faults import *  # noqa: F403
from .vouchers import *  # noqa: F403
