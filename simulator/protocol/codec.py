"""The contract every vendor codec meets: the gateway and its callers are checked against it
(mypy, and tests/protocol/test_codec_contract.py for the three codecs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from .base import Done, Next, Request, Response
from .ops import Operation, Outcome


@runtime_checkable
class Codec(Protocol):
    """Sans-I/O: `encode` an operation into a Request (or Done when no request is needed),
    `decode` the Response into a result, a LoyaltyError, or Next for a vendor flow's next step.
    A step's `op` is an Operation or a follow-up private to the codec that made it."""

    dialect: str
    sale_route: str  # a regex over the path a sale is submitted to (fault rules target it)
    not_applicable: Mapping[str, str]  # capability -> why this vendor cannot express it

    def __init__(self, credentials: dict[str, str], **options: Any) -> None: ...

    def encode(self, op: Operation | Any) -> Request | Done: ...

    def decode(self, op: Operation | Any, response: Response) -> Outcome | Next: ...
