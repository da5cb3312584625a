"""Referrals: the referee's first purchase rewards both sides once; never self-referral."""

from __future__ import annotations

from datetime import timedelta

from . import points
from .errors import EngineError
from .model import Order, Referral
from .state import State


def referrer_for_code(state: State, code: str) -> str:
    referrer = state.referral_codes.get(code)
    if referrer is None:
        raise EngineError("referral_code_not_found", f"referral code {code!r} not found")
    return referrer


def check_eligible(state: State, referee_id: str, referrer_id: str) -> None:
    if referrer_id == referee_id:
        raise EngineError("referral_self_not_allowed", "a member cannot refer themselves")
    existing = state.referrals.get(referee_id)
    if existing is not None and (
        existing.referrer_id != referrer_id or existing.state not in ("pending",)
    ):
        raise EngineError("referral_not_eligible", "the member was already referred")
    if state.member_orders.get(referee_id):
        raise EngineError("referral_not_eligible", "the member has purchased before")


def register(state: State, referee_id: str, code: str) -> Referral:
    """Link a new member to a referrer (at enrollment); rewarded on the first purchase."""
    referrer_id = referrer_for_code(state, code)
    check_eligible(state, referee_id, referrer_id)
    existing = state.referrals.get(referee_id)
    if existing is not None:
        return existing
    referral = Referral(state.new_id("ref"), referrer_id, referee_id, code, state.now)
    state.referrals[referee_id] = referral
    state.members[referee_id].referred_by = referrer_id
    return referral


def check_order_referral(
    state: State, member_id: str, referrer_id: str | None, code: str | None
) -> Referral | None:
    """The referral an order would reward, checked without changing anything."""
    if referrer_id is not None:
        check_eligible(state, member_id, referrer_id)
        existing = state.referrals.get(member_id)
        return existing or Referral("", referrer_id, member_id, code or "", state.now)
    existing = state.referrals.get(member_id)
    if (
        existing is not None
        and existing.state == "pending"
        and not state.member_orders.get(member_id)
    ):
        return existing
    return None


def reward(state: State, referral: Referral, order: Order) -> None:
    """Credit both sides once; called only for the referee's first order."""
    cfg = state.config
    if not referral.referral_id:
        referral.referral_id = state.new_id("ref")
        state.referrals[referral.referee_id] = referral
        state.members[referral.referee_id].referred_by = referral.referrer_id
    referral.state, referral.order_id = "rewarded", order.order_id
    order.referral_id = referral.referral_id
    for side, member_id, amount in (
        ("referrer", referral.referrer_id, cfg.referral_reward_referrer),
        ("referee", referral.referee_id, cfg.referral_reward_referee),
    ):
        if amount <= 0:
            continue
        lot = points.grant(state, member_id, amount, "referral", referral.referral_id)
        setattr(referral, f"{side}_lot", lot.lot_id)
        state.members[member_id].lifetime_earned += amount
        state.record(member_id, "referral", amount, referral.referral_id, side=side)


def clawback(state: State, order: Order) -> None:
    """A full refund of the qualifying order within the window revokes both rewards."""
    referral = state.referrals.get(order.member_id)
    if referral is None or referral.state != "rewarded" or referral.order_id != order.order_id:
        return
    window = timedelta(days=state.config.referral_clawback_days)
    if state.now - order.created_at > window:
        return
    referral.state = "revoked"
    for lot_id in (referral.referrer_lot, referral.referee_lot):
        lot = state.lots.get(lot_id) if lot_id else None
        if lot is None:
            continue
        gap = points.revoke(state, lot.member_id, lot.amount, lot.lot_id, referral.referral_id)
        state.members[lot.member_id].lifetime_earned -= lot.amount - gap  # I13: net of refunds
        state.record(lot.member_id, "referral_revoked", -(lot.amount - gap), referral.referral_id)


def referrals_of(state: State, referrer_id: str) -> list[Referral]:
    return [r for r in state.referrals.values() if r.referrer_id == referrer_id]
