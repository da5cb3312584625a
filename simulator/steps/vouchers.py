"""Steps: vouchers seeded for a member, validated, burned, and raced between lanes."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from ..pos import Checkout
from .world import World, money


@given(parsers.parse('"{alias}" holds a single-use voucher "{code}" worth {amount}'))
def holds_voucher(world: World, alias: str, code: str, amount: str):
    world.control.seed_voucher(
        code=code, member_id=world.member_id(alias), uses=1, discount_value=money(amount)
    )
    world.vouchers[code] = money(amount)


@when(parsers.parse('lane "{lane}" validates voucher "{code}" for "{alias}"'))
def validate(world: World, lane: str, code: str, alias: str):
    world.attempt(lambda: world.gateway.validate_voucher(world.member_id(alias), code))


@then("the voucher is valid")
def voucher_valid(world: World):
    assert world.error is None, world.error
    assert world.last.valid


def _voucher_sale(world: World, lane: str, alias: str, code: str, amount: str) -> Checkout:
    checkout = world.terminal(lane).new_checkout()
    world.checkouts[lane] = checkout
    checkout.identify(world.member_id(alias))
    checkout.scan("BASKET", money(amount))
    checkout.apply_voucher(code, world.vouchers[code])
    checkout.tender()
    return checkout


@when(
    parsers.parse('"{alias}" pays with voucher "{code}" for items worth {amount} on lane "{lane}"')
)
def pay_with_voucher(world: World, alias: str, code: str, amount: str, lane: str):
    world.attempt(lambda: _voucher_sale(world, lane, alias, code, amount).complete())


@when(
    parsers.parse('lanes "{a}" and "{b}" both complete a sale for "{alias}" with voucher "{code}"')
)
def race_voucher(world: World, a: str, b: str, alias: str, code: str):
    first = _voucher_sale(world, a, alias, code, "20.00")
    second = _voucher_sale(world, b, alias, code, "20.00")
    for checkout in (first, second):  # both tills were ready before either completed
        world.attempt(checkout.complete)
        world.outcomes.append(world.error or checkout.receipt)


@then("exactly one of the two sales used the voucher")
def exactly_one(world: World):
    wins = [o for o in world.outcomes if not isinstance(o, Exception)]
    losses = [o for o in world.outcomes if isinstance(o, Exception)]
    assert len(wins) == 1 and len(losses) == 1, world.outcomes
    assert getattr(losses[0], "code", None) in ("voucher_used", "voucher_invalid"), losses[0]
