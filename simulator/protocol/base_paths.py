"""Each vendor's base paths as a client sees them: one table for the codecs, the certify
traffic reader and the POS command placeholders.

`client` is the API root a codec prefixes (and a till is configured with); `pattern`
matches every base a call to the vendor may carry in recorded traffic (other API versions,
the token and receipts roots). `tests/contract/test_base_path_table.py` checks the table
against `fixtures/vendor/<vendor>/facts.json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BasePaths:
    client: str
    pattern: str  # a regex for any of the vendor's bases, without anchors
    extra: dict[str, str] = field(default_factory=dict)  # other roots, named as in facts

    def under(self) -> re.Pattern[str]:
        """Matches a path under one of the vendor's bases."""
        return re.compile(rf"^(?:{self.pattern})(?:/|$)")

    def rest(self) -> re.Pattern[str]:
        """Matches a path under one of the bases; group 1 is the rest ("/orders")."""
        return re.compile(rf"^(?:{self.pattern})(/.*)$")


GAMEBALL = BasePaths(
    client="/api/v4.0/integrations",
    pattern=r"/api/v4(?:\.\d+)?/integrations",  # v4.0, v4.1 and the bare v4 older pages print
)
WLL = BasePaths(
    client="/v1",
    pattern=r"/v1|/oauth|/receipts/v1",  # the Rewards API, the token service, Receipts
    extra={"token": "/v1/oauth/token"},
)
CAPILLARY = BasePaths(
    client="/v1.1",
    pattern=r"/v1\.1|/v2",  # v2: the calls that undo a redemption on a return
    extra={"client_v2": "/v2"},
)
BASE_PATHS = {"gameball": GAMEBALL, "wll": WLL, "capillary": CAPILLARY}
