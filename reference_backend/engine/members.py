"""Members: several identifiers each, active or not, and a referral code of their own."""

from __future__ import annotations

from typing import Any

from . import points, referrals
from .errors import EngineError, invalid
from .model import IDENTIFIER_KINDS, Member
from .state import State


def _account_number(state: State) -> str:
    n = state.counters.get("account_number", 0) + 1
    state.counters["account_number"] = n
    return f"{1000000 + (n * 7919) % 9000000:07d}"


def _referral_code(state: State, member_id: str) -> str:
    base = "".join(ch for ch in member_id.upper() if ch.isalnum())[:6] or "M"
    code, n = base, 1
    while code in state.referral_codes:
        n += 1
        code = f"{base}{n}"
    return code


def find(state: State, kind: str, value: str) -> Member:
    """Look a member up by id, account number or any identifier kind."""
    if kind == "member_id":
        return state.member(value)
    member_id = state.index.get((kind, _norm(kind, value)))
    if member_id is None:
        raise EngineError("member_not_found", f"no member with {kind} {value!r}")
    return state.members[member_id]


def resolve(state: State, ref: str) -> Member:
    """Any identifier a cashier might type: id, account number, mobile, email or card."""
    if ref in state.members:
        return state.members[ref]
    for kind in IDENTIFIER_KINDS:
        member_id = state.index.get((kind, _norm(kind, ref)))
        if member_id is not None:
            return state.members[member_id]
    raise EngineError("member_not_found", f"no member matches {ref!r}")


def _norm(kind: str, value: str) -> str:
    value = str(value).strip()
    return value.lower() if kind == "email" else value


def upsert(
    state: State,
    member_id: str | None = None,
    identifiers: dict[str, str] | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    attributes: dict[str, Any] | None = None,
    referral_code: str | None = None,
) -> tuple[Member, bool]:
    """Create a member or update one; returns (member, created)."""
    identifiers = {k: v for k, v in (identifiers or {}).items() if v not in (None, "")}
    for kind in identifiers:
        if kind not in IDENTIFIER_KINDS or kind == "account_number":
            raise invalid(f"unknown identifier kind {kind!r}", field=kind)
    if member_id is not None and (not isinstance(member_id, str) or not member_id.strip()):
        raise invalid("member id must be a non-empty string", field="member_id")
    member = state.members.get(member_id) if member_id else None
    if member is not None and member.erased:
        raise EngineError("member_conflict", f"member {member_id!r} was erased; the id is retired")
    for kind, value in identifiers.items():
        owner = state.index.get((kind, _norm(kind, value)))
        if owner is not None and (member is None or owner != member.member_id):
            if member is None and member_id is None:
                member = state.members[owner]  # upsert by identifier
                continue
            raise EngineError("member_conflict", f"{kind} {value!r} belongs to another member")
    referrer = referrals.referrer_for_code(state, referral_code) if referral_code else None
    if referrer is not None and member is not None and member.referred_by is None:
        referrals.check_eligible(state, member.member_id, referrer)
    created = member is None
    if member is None:
        member_id = member_id or state.new_id("mem")
        if referrer == member_id:
            raise EngineError("referral_self_not_allowed", "a member cannot refer themselves")
        member = Member(
            member_id=member_id,
            created_at=state.now,
            account_number=_account_number(state),
            referral_code=_referral_code(state, member_id),
        )
        state.members[member_id] = member
        state.referral_codes[member.referral_code] = member_id
        state.index[("account_number", member.account_number)] = member_id
    for kind, value in identifiers.items():
        old = member.identifiers.get(kind)
        if old is not None:
            state.index.pop((kind, _norm(kind, old)), None)
        member.identifiers[kind] = str(value)
        state.index[(kind, _norm(kind, value))] = member.member_id
    if first_name is not None:
        member.first_name = first_name
    if last_name is not None:
        member.last_name = last_name
    if attributes:
        member.attributes.update(attributes)
    member.version += 0 if created else 1
    if referral_code and member.referred_by is None:
        referrals.register(state, member.member_id, referral_code)
    return member, created


def set_active(state: State, member_id: str, active: bool) -> Member:
    member = state.member(member_id)
    member.active = active
    member.version += 1
    return member


def erase(state: State, member_id: str) -> Member:
    """Right to be forgotten: personal data and identifiers go, the member is deactivated.

    The append-only ledger keeps the member id (so audits still add up) and the id is
    retired: it can never be enrolled again.
    """
    member = state.member(member_id)
    for kind, value in member.identifiers.items():
        state.index.pop((kind, _norm(kind, value)), None)
    member.identifiers.clear()
    member.first_name = member.last_name = None
    member.attributes.clear()
    member.active, member.erased = False, True
    member.version += 1
    return member


def balance(state: State, member_id: str) -> dict[str, Any]:
    """balance / available / pending / held, and the next lot to expire."""
    member = state.member(member_id)
    account = state.ledger.account(points.member_account(member_id))
    next_at, next_points = _next_expiring(state, member_id)
    return {
        "member_id": member_id,
        "balance": account.balance,
        "available": account.balance - account.debits_pending,
        "pending": account.credits_pending,
        "held": account.debits_pending,
        "debt": member.debt,
        "lifetime_earned": member.lifetime_earned,
        "tier": state.config.tier_for(member.lifetime_earned),
        "next_expiring_points": next_points,
        "next_expiring_at": next_at,
    }


def _next_expiring(state: State, member_id: str):
    """The earliest expiry among active lots, and the points due then. Lots are walked in
    spending order (earliest expiry first, lots without expiry last), so the walk stops at
    the first later instant instead of visiting the member's whole history."""
    next_at, due = None, 0
    for lot in points.spendable_lots(state, member_id):
        if lot.expires_at is None or (next_at is not None and lot.expires_at != next_at):
            break
        if lot.remaining:
            next_at = lot.expires_at
            due += lot.remaining
    return next_at, due
