"""Steps: baskets, points, tender, completion, voids, duplicate and retried sales."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from .world import World, money


def _sale(world: World, alias: str, lane: str, amount: str, order_id: str | None = None):
    checkout = world.terminal(lane).new_checkout(order_id)
    world.checkouts[lane] = checkout

    def run():
        checkout.identify(world.member_id(alias))
        checkout.scan("BASKET", money(amount), name="basket")
        checkout.tender()
        return checkout.complete()

    return world.attempt(run)


@when(parsers.parse('"{alias}" buys items worth {amount} on lane "{lane}" as order "{order_id}"'))
def buys_as_order(world: World, alias: str, amount: str, lane: str, order_id: str):
    _sale(world, alias, lane, amount, order_id)


@when(parsers.parse('"{alias}" buys items worth {amount} on lane "{lane}"'))
def buys(world: World, alias: str, amount: str, lane: str):
    _sale(world, alias, lane, amount)


@when(
    parsers.parse(
        '"{alias}" buys items worth {amount} on lane "{lane}" using her own referral code'
    )
)
def buys_with_own_code(world: World, alias: str, amount: str, lane: str):
    code = world.gateway.identify(world.member_id(alias)).referral_code
    checkout = world.terminal(lane).new_checkout()
    world.checkouts[lane] = checkout

    def run():
        checkout.identify(world.member_id(alias))
        checkout.referral_code = code
        checkout.scan("BASKET", money(amount))
        checkout.tender()
        return checkout.complete()

    world.attempt(run)


@given(parsers.parse('lane "{lane}" starts a checkout for "{alias}" with items worth {amount}'))
def start_checkout(world: World, lane: str, alias: str, amount: str):
    checkout = world.terminal(lane).new_checkout()
    world.checkouts[lane] = checkout
    checkout.identify(world.member_id(alias))
    checkout.scan("BASKET", money(amount), name="basket")


@when(
    parsers.parse(
        'lane "{lane}" sells "{alias}" {qa:d} "{sku_a}" at {price_a}'
        ' and {qb:d} "{sku_b}" at {price_b}'
    )
)
def sell_lines(world, lane, alias, qa, sku_a, price_a, qb, sku_b, price_b):
    checkout = world.terminal(lane).new_checkout()
    world.checkouts[lane] = checkout

    def run():
        checkout.identify(world.member_id(alias))
        checkout.scan(sku_a, money(price_a), qa)
        checkout.scan(sku_b, money(price_b), qb)
        checkout.tender()
        return checkout.complete()

    world.attempt(run)
    assert world.error is None, world.error


@given(parsers.parse('lane "{lane}" applies {points:d} points'))
@when(parsers.parse('lane "{lane}" applies {points:d} points'))
def apply_points(world: World, lane: str, points: int):
    world.attempt(lambda: world.checkouts[lane].apply_points(points))


@then(parsers.parse('lane "{lane}" has {amount} due'))
def amount_due(world: World, lane: str, amount: str):
    assert world.checkouts[lane].due == money(amount)


@given(parsers.parse('lane "{lane}" takes payment and completes the sale'))
@when(parsers.parse('lane "{lane}" takes payment and completes the sale'))
def complete(world: World, lane: str):
    checkout = world.checkouts[lane]

    def run():
        if checkout.state != "tendered":
            checkout.tender()
        return checkout.complete()

    world.attempt(run)


@when(parsers.parse('lane "{lane}" voids the checkout'))
def void(world: World, lane: str):
    world.attempt(world.checkouts[lane].void)
    assert world.error is None, world.error


@when(parsers.parse('lane "{lane}" sends the same sale again'))
def send_again(world: World, lane: str):
    checkout = world.checkouts[lane]
    world.attempt(lambda: world.gateway.submit_sale(checkout.sale()))


@then(parsers.parse('the receipt on lane "{lane}" shows {earned:d} points earned'))
def receipt_earned(world: World, lane: str, earned: int):
    assert world.error is None, world.error
    receipt = world.checkouts[lane].receipt
    assert receipt is not None and receipt.points_earned == earned


@then(
    parsers.parse(
        'the receipt on lane "{lane}" shows {earned:d} points earned'
        " and {redeemed:d} points redeemed"
    )
)
def receipt_earned_redeemed(world: World, lane: str, earned: int, redeemed: int):
    assert world.error is None, world.error
    receipt = world.checkouts[lane].receipt
    assert receipt is not None, f"lane {lane} has no receipt"
    assert (receipt.points_earned, receipt.points_redeemed) == (earned, redeemed)
    assert receipt.paid == receipt.total - receipt.points_discount - receipt.voucher_discount


@given(parsers.parse('lane "{lane}" refunds the sale in full'))
@when(parsers.parse('lane "{lane}" refunds the sale in full'))
def refund_full(world: World, lane: str):
    checkout = world.checkouts[lane]
    terminal = world.terminal(lane)
    world.attempt(lambda: terminal.refund(checkout.order_id, f"{checkout.order_id}-R-full"))


@when(parsers.parse('lane "{lane}" refunds {amount} of the sale'))
def refund_amount(world: World, lane: str, amount: str):
    checkout = world.checkouts[lane]
    terminal = world.terminal(lane)
    refund_id = f"{checkout.order_id}-R-{len(world.outcomes) + 1}"
    world.outcomes.append(refund_id)
    world.attempt(lambda: terminal.refund(checkout.order_id, refund_id, amount=money(amount)))


@when(parsers.parse('lane "{lane}" refunds {qty:d} "{sku}" from the sale'))
def refund_lines(world: World, lane: str, qty: int, sku: str):
    checkout = world.checkouts[lane]
    terminal = world.terminal(lane)
    refund_id = f"{checkout.order_id}-L-{len(world.outcomes) + 1}"
    world.outcomes.append(refund_id)
    world.attempt(lambda: terminal.refund(checkout.order_id, refund_id, lines=((sku, qty),)))
    assert world.error is None, world.error


@then(parsers.parse("at most {amount} was refunded"))
def refunded_at_most(world: World, amount: str):
    """Vendors either refuse an excessive refund or cap it at what is left."""
    if world.error is not None:
        assert getattr(world.error, "code", None) == "refund_exceeds", world.error
    else:
        assert world.last.amount <= money(amount)


@then(parsers.parse('"{alias}" received no referral reward'))
def no_referral_reward(world: World, alias: str):
    """A self-referral is either refused or ignored; the balance shows only the sale's earn."""
    checkout = next(iter(world.checkouts.values()))
    earned = checkout.receipt.points_earned if checkout.receipt else 0
    if world.error is not None:
        assert getattr(world.error, "code", None) in ("self_referral", "referral_invalid")
    assert world.gateway.balance(world.member_id(alias)).available == earned


@then("the sale is refused because the hold is gone")
def refused_hold_gone(world: World):
    """Vendors say it differently: the hold is unknown now, expired, or already resolved."""
    assert world.error is not None, "the sale went through on an expired hold"
    assert getattr(world.error, "code", None) in ("hold_not_found", "hold_expired", "hold_resolved")
