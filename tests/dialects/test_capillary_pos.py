"""The Capillary codec and the gateway against the dialect: retried writes never count twice.

Each test gets a fresh tenant with the scenario program (1 point per 1.00, 1 point = 0.01)
on one shared app; faults come from the control plane, as in the feature scenarios.
"""

from __future__ import annotations

import pytest

from reference_backend.app import create_app
from reference_backend.settings import Settings
from simulator.backends import embedded
from simulator.gateway import LoyaltyGateway, RetryPolicy
from simulator.pos import CheckoutError, Store, Terminal
from simulator.protocol import ops
from simulator.protocol.base import LoyaltyError


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(running_clock=False, check_invariants=True, demo_tenant=False))


@pytest.fixture
def backend(app):
    found = embedded(app, "capillary")
    try:
        yield found
    finally:
        assert found.control.audit() == []
        found.close()


@pytest.fixture
def gateway(backend):
    return LoyaltyGateway(backend.codec(), backend.transport, RetryPolicy(sleep=lambda _: None))


@pytest.fixture
def lane(gateway):
    gateway.enroll("alice-1", mobile="+201000000001", email="alice@example.com")
    gateway.earn_points("alice-1", 1000, "seed-alice")
    return Terminal(Store("s1", "Store 1", ("lane-1",)), "lane-1", "cashier", gateway)


def checkout(lane, amount: int, points: int = 0, vouchers: tuple[tuple[str, int], ...] = ()):
    sale = lane.new_checkout()
    sale.identify("alice-1")
    sale.scan("BASKET", amount)
    if points:
        sale.apply_points(points)
    for code, discount in vouchers:
        sale.apply_voucher(code, discount)
    sale.tender()
    return sale


def calls(gateway, path: str) -> int:
    return sum(1 for x in gateway.log.exchanges if x.request.path.endswith(path))


def test_a_lost_coupon_answer_is_checked_not_burned_twice(backend, gateway, lane):
    backend.control.seed_voucher(code="SAVE10", uses=1, discount_value=1000)
    backend.control.add_fault(kind="lose_response", route=r"coupon/redeem$", count=1)
    sale = checkout(lane, 10000, points=500, vouchers=(("SAVE10", 1000),))
    receipt = sale.complete()
    assert (receipt.points_earned, receipt.points_redeemed, receipt.paid) == (85, 500, 8500)
    assert gateway.log.retries == 1 and calls(gateway, "customer/redemptions") == 1
    assert gateway.balance("alice-1").available == 1000 - 500 + 85
    assert gateway.submit_sale(sale.sale()).replayed  # the whole sale again: nothing new
    assert gateway.balance("alice-1").available == 585


def test_a_lost_redeem_answer_is_recognised_by_its_reference(backend, gateway, lane):
    backend.control.add_fault(kind="lose_response", route=r"points/redeem$", count=1)
    receipt = checkout(lane, 5000, points=1000).complete()
    assert (receipt.points_earned, receipt.points_redeemed) == (40, 1000)
    assert gateway.log.retries == 1 and gateway.balance("alice-1").available == 40


def test_a_lost_reversal_answer_is_checked_before_it_is_sent_again(backend, gateway, lane):
    sale = checkout(lane, 10000, points=1000)
    sale.complete()
    backend.control.add_fault(kind="lose_response", route=r"points/reverse$", count=1)
    result = lane.refund(sale.order_id, "R-full")
    assert (result.points_revoked, result.points_restored) == (90, 1000)
    assert gateway.log.retries == 1 and calls(gateway, "points/reverse") == 1
    assert gateway.balance("alice-1").available == 1000


def test_a_lost_return_answer_is_read_back_and_settles_once(backend, gateway, lane):
    sale = checkout(lane, 10000, points=1000)
    sale.complete()
    backend.control.add_fault(
        kind="lose_response", route=r"transaction/add$", method="POST", count=1
    )
    result = lane.refund(sale.order_id, "R-1", amount=3000)
    assert (result.points_revoked, result.points_restored) == (30, 333)
    assert gateway.balance("alice-1").available == 393
    # the same refund sent again by hand: the receipt number exists, nothing moves
    again = ops.RefundSale(
        member_id="alice-1",
        order_id=sale.order_id,
        refund_id="R-1",
        amount=3000,
        sale_paid=9000,
        points_earned=90,
        points_redeemed=1000,
        money=3000,
    )
    assert gateway.refund(again).points_restored == 0
    assert gateway.balance("alice-1").available == 393


def test_a_refund_above_what_was_paid_is_refused_and_the_rest_still_settles(gateway, lane):
    sale = checkout(lane, 10000, points=1000)
    sale.complete()
    with pytest.raises(LoyaltyError) as caught:
        lane.refund(sale.order_id, "R-big", amount=9500)
    assert caught.value.code == "refund_exceeds"
    lane.refund(sale.order_id, "R-1", amount=4500)
    lane.refund(sale.order_id, "R-rest")  # the rest after a partial: an AMOUNT return
    assert gateway.balance("alice-1").available == 1000


def test_a_customer_without_external_id_is_served_by_user_id(backend, gateway):
    creds = backend.credentials
    transport = backend.transport
    body = {"root": {"customer": {"mobile": "201055555555"}}}
    codec = gateway.codec
    request = codec.encode(ops.Identify("+201055555555", "mobile"))
    added = transport.client.post(
        "/v1.1/customer/add", json=body, headers=request.headers, params={"format": "json"}
    )
    assert added.status_code == 200 and creds["till"]
    member = gateway.identify("+201055555555", "mobile")
    assert member.member_id.startswith("id:")
    gateway.earn_points(member.member_id, 25, "seed-guest")
    assert gateway.balance(member.member_id).available == 25


def test_validate_list_and_burn_vouchers(backend, gateway, lane):
    backend.control.seed_voucher(code="TEN", uses=1, discount_value=1000)
    assert gateway.validate_voucher("alice-1", "TEN").valid
    assert gateway.list_vouchers("alice-1") == []  # an unowned code is not the member's
    info = gateway.burn_voucher("alice-1", "TEN", order_id="B-9")
    assert info.used
    with pytest.raises(LoyaltyError) as caught:
        gateway.validate_voucher("alice-1", "TEN")
    assert caught.value.code == "voucher_used"


def test_a_coupon_used_by_another_till_fails_the_sale_before_a_bill_exists(backend, gateway, lane):
    backend.control.seed_voucher(code="ONCE", uses=1, discount_value=500)
    first = checkout(lane, 2000, vouchers=(("ONCE", 500),))
    second = checkout(lane, 2000, vouchers=(("ONCE", 500),))
    assert first.complete().points_earned == 15
    with pytest.raises(LoyaltyError) as caught:
        second.complete()
    assert caught.value.code == "voucher_used"
    assert gateway.balance("alice-1").available == 1015  # the failed sale earned nothing
    second.vouchers.clear()  # the cashier drops the coupon and takes the full amount
    second.state = "applied"  # (pos.Checkout has no "remove voucher" action)
    second.tender()
    assert second.complete().points_earned == 20  # same order id: no bill was left behind


def test_an_anonymous_checkout_has_no_sale_to_submit(lane):
    sale = lane.new_checkout()
    sale.scan("BASKET", 1000)
    with pytest.raises(CheckoutError, match="no member is identified"):
        sale.sale()
