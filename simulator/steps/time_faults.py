"""Steps: program settings, the passing of time, and faults injected by the backend."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from .world import World

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@given(parsers.parse("the program keeps earned points pending for {days:d} days"))
def return_window(world: World, days: int):
    world.config["return_window_days"] = days


@given("refunds restore redeemed points in proportion to the money refunded")
def proportional_refunds(world: World):
    world.config["refund_allocation"] = "proportional"  # not the vendor's own rule


@given(parsers.parse("points expire {days:d} days after they become available"))
def lot_expiry(world: World, days: int):
    world.config["lot_expiry_days"] = days


@when(parsers.re(r"(?P<n>\d+) (?P<unit>second|minute|hour|day)s? pass(es)?"))
def time_passes(world: World, n: str, unit: str):
    world.control.advance(int(n) * UNITS[unit])


@given(parsers.parse('the loyalty system answers the next {n:d} calls with "too many requests"'))
def rate_limit_burst(world: World, n: int):
    world.control.add_fault(kind="rate_limit", count=n, retry_after_s=2)


@given("the loyalty system will lose the response to the next sale")
def lose_next_sale(world: World):
    route = world.gateway.codec.sale_route
    world.control.add_fault(kind="lose_response", route=route, method="POST", count=1)


@then(parsers.parse("the POS retried {n:d} time"))
@then(parsers.parse("the POS retried {n:d} times"))
def retried(world: World, n: int):
    assert world.error is None, world.error
    assert world.gateway.log.retries == n


@then(parsers.parse("the POS backed off {n:d} times, honouring Retry-After"))
def backed_off(world: World, n: int):
    assert world.error is None, world.error
    assert world.sleeps == [2.0] * n
