"""posim's loyalty engine: pure Python, no HTTP and no vendor names.

Dialects translate vendor requests into these operations and render results and
EngineErrors in the vendor's own shapes.
"""

from .audit import Violation, audit
from .clock import Clock
from .config import EventRule, ProgramConfig, Tier
from .engine import Engine, Outcome
from .errors import EngineCode, EngineError
from .model import (
    Activity,
    EventRecord,
    Hold,
    Lot,
    Member,
    Order,
    OrderLine,
    Redemption,
    Referral,
    Refund,
    Reservation,
    Voucher,
    VoucherSeries,
)

__all__ = [
    "Activity",
    "Clock",
    "Engine",
    "EngineCode",
    "EngineError",
    "EventRecord",
    "EventRule",
    "Hold",
    "Lot",
    "Member",
    "Order",
    "OrderLine",
    "Outcome",
    "ProgramConfig",
    "Redemption",
    "Referral",
    "Refund",
    "Reservation",
    "Tier",
    "Violation",
    "Voucher",
    "VoucherSeries",
    "audit",
]
