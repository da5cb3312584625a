"""Every bill number ever posted, checked against the org's uniqueness rules at check time.

CONF_LOYALTY_IS_BILL_NUMBER_UNIQUE, the scope (org, store or till) and
CONF_LOYALTY_BILL_NUMBER_UNIQUE_IN_DAYS (30 unless set, as InTouch reads it) are read when
a bill is checked and apply to every bill on record, so changing them on a live org never
forgets an earlier bill. Each posting of a number gets its own engine merchant id, so a
number that may legally repeat (another till, or after the window) is a new engine order
and never a replay of the old one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .auth import Till
from .schemas import fmt_time, parse_time

REGISTRY = "bill_numbers"
SALE, NOT_INTERESTED = "sale", "ni"


def _postings(till: Till, number: str) -> list[dict[str, Any]]:
    return till.data.get(REGISTRY, {}).get(number, [])


def in_scope(till: Till, posting: dict[str, Any]) -> bool:
    scope = till.cfg.bill_number_unique_scope
    if scope == "store":
        return posting["store"] == till.store
    if scope == "till":
        return posting["till"] == till.code
    return True


def _within_window(till: Till, posting: dict[str, Any], when: datetime) -> bool:
    """InTouch counts earlier bills dated on or after the new bill's day minus N days."""
    days = till.cfg.bill_number_unique_in_days
    if not days:
        return True
    posted = parse_time(posting["time"], 621) or when
    day_start = when.replace(hour=0, minute=0, second=0, microsecond=0)
    return posted >= day_start - timedelta(days=days)


def is_duplicate(till: Till, number: str, when: datetime) -> bool:
    """Whether a new bill `number` billed at `when` repeats one the rules keep unique."""
    if not till.cfg.bill_number_unique:
        return False
    return any(in_scope(till, p) and _within_window(till, p, when) for p in _postings(till, number))


def next_merchant(till: Till, number: str) -> str:
    """The engine merchant id the next posting of `number` will be stored under."""
    count = len(_postings(till, number))
    return "capillary" if not count else f"capillary#{count}"


def record(till: Till, number: str, kind: str, when: datetime, merchant: str) -> None:
    """Note a posting of `number`, once the bill is stored."""
    posting = {"kind": kind, "merchant": merchant, "store": till.store, "till": till.code}
    posting["time"] = fmt_time(when)
    till.data.setdefault(REGISTRY, {}).setdefault(number, []).append(posting)


def find(till: Till, number: str, kind: str) -> dict[str, Any] | None:
    """The posting of `number` this till means: its own till's, then its store's, then latest."""
    candidates = [
        (p["till"] == till.code, p["store"] == till.store, i, p)
        for i, p in enumerate(_postings(till, number))
        if p["kind"] == kind and in_scope(till, p)
    ]
    return max(candidates, key=lambda c: c[:3])[3] if candidates else None


def convert(till: Till, number: str, merchant: str) -> None:
    """A retro conversion: the not-interested posting under `merchant` is now a sale."""
    for posting in _postings(till, number):
        if posting["merchant"] == merchant:
            posting["kind"] = SALE
