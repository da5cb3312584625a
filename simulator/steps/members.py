"""Steps: stores, members, identification, enrolment and balances."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from ..protocol import ops
from ..protocol.base import LoyaltyError
from .world import World

KINDS = {"member id": "member_id", "mobile": "mobile", "email": "email", "card": "card_number"}


@given(parsers.parse('a store "{name}" with lanes "{first}" and "{second}"'))
def store_with_lanes(world: World, name: str, first: str, second: str):
    from ..pos import Store

    world.store = Store(name.lower(), name, (f"lane-{first}", f"lane-{second}"))


def enroll(world: World, alias: str, referral_code: str | None = None) -> ops.MemberInfo:
    p = world.persona(alias)
    info = world.gateway.enroll(
        p.member_id,
        mobile=p.mobile,
        email=p.email,
        card_number=p.card_number,
        first_name=alias,
        referral_code=referral_code,
    )
    world.members[alias] = info
    return info


@given(parsers.parse('a member "{alias}" with {points:d} points'))
def member_with_points(world: World, alias: str, points: int):
    enroll(world, alias)
    if points:
        world.gateway.earn_points(world.member_id(alias), points, f"seed-{world.member_id(alias)}")


@given(parsers.parse('a member "{alias}" referred by "{referrer}"'))
def member_referred_by(world: World, alias: str, referrer: str):
    code = world.gateway.identify(world.member_id(referrer)).referral_code
    assert code, f"{referrer} has no referral code"
    enroll(world, alias, referral_code=code)


@when(parsers.parse('lane "{lane}" identifies "{alias}" by {kind}'))
def identify_by(world: World, lane: str, alias: str, kind: str):
    p = world.persona(alias)
    ref = {
        "member_id": p.member_id,
        "mobile": p.mobile,
        "email": p.email,
        "card_number": p.card_number,
    }[KINDS[kind]]
    checkout = world.terminal(lane).new_checkout()
    world.checkouts[lane] = checkout
    world.attempt(lambda: checkout.identify(ref, KINDS[kind]))


@when(parsers.parse('lane "{lane}" looks up the unknown mobile "{mobile}"'))
def look_up_unknown(world: World, lane: str, mobile: str):
    checkout = world.terminal(lane).new_checkout()
    world.checkouts[lane] = checkout
    world.attempt(lambda: checkout.identify(mobile, "mobile"))


@when(parsers.parse('lane "{lane}" enrolls "{alias}" with mobile "{mobile}"'))
def enroll_with_mobile(world: World, lane: str, alias: str, mobile: str):
    checkout = world.checkouts.get(lane) or world.terminal(lane).new_checkout()
    world.checkouts[lane] = checkout
    p = world.persona(alias)
    info = world.attempt(
        lambda: checkout.enroll(p.member_id, mobile=mobile, email=p.email, first_name=alias)
    )
    if info is not None:
        world.members[alias] = info


@then(parsers.parse('lane "{lane}" has identified "{alias}"'))
def has_identified(world: World, lane: str, alias: str):
    assert world.error is None, f"the loyalty call failed: {world.error}"
    member = world.checkouts[lane].member
    assert member is not None and member.member_id == world.member_id(alias)


@then(parsers.parse('the loyalty call failed with "{what}"'))
def call_failed(world: World, what: str):
    expected = what.replace(" ", "_")
    assert world.error is not None, f"expected {expected}, but the call succeeded"
    code = getattr(world.error, "code", type(world.error).__name__)
    assert code == expected, f"expected {expected}, got {world.error!r}"


def _balance(world: World, alias: str) -> ops.Balance:
    try:
        return world.gateway.balance(world.member_id(alias))
    except LoyaltyError as exc:
        raise AssertionError(f"balance of {alias} failed: {exc}") from exc


@given(parsers.parse('"{alias}" has {points:d} available points'))
@then(parsers.parse('"{alias}" has {points:d} available points'))
def has_available(world: World, alias: str, points: int):
    assert _balance(world, alias).available == points


@then(parsers.parse('"{alias}" has {points:d} pending points'))
def has_pending(world: World, alias: str, points: int):
    assert _balance(world, alias).pending == points


@then(parsers.parse('"{alias}" has {points:d} points expiring next'))
def has_expiring(world: World, alias: str, points: int):
    balance = _balance(world, alias)
    assert balance.next_expiring_points == points and balance.next_expiring_at
