"""A re-sent orderId: Gameball answers 9004 and the till recovers through the GET.

The codec sees 9004 on a sale, reads GET orders/{id}/transactions and returns the first
attempt's result when the stored order is this sale, or a duplicate_order error when the
id belongs to another sale. Run over posim's own dialect, in process.
"""

from __future__ import annotations

import pytest

from simulator.gateway import LoyaltyGateway
from simulator.protocol import LoyaltyError, ops
from simulator.protocol.gameball import GameballCodec
from simulator.transports import ASGITransport


@pytest.fixture
def till(pos):
    codec = GameballCodec({"apiKey": pos.api_key, "secretKey": pos.secret})
    return LoyaltyGateway(codec, ASGITransport(pos.client.app))


def _sale(order_id: str, paid: int, reservation=None) -> ops.SubmitSale:
    return ops.SubmitSale("c1", order_id, (), paid + 1000, paid, reservation)


def test_a_retried_sale_recovers_the_first_result_through_the_get(pos, till):
    first = till.submit_sale(_sale("o1", 8000))
    assert (first.points_earned, first.replayed) == (80, False)
    again = till.submit_sale(_sale("o1", 8000))
    assert again == ops.SaleResult("o1", 80, 0, replayed=True)
    assert [e.response.status for e in till.log.exchanges[-2:]] == [422, 200]
    assert pos.available("c1") == 80


def test_a_retried_sale_with_a_hold_recovers_the_redeemed_points(pos, till):
    till.submit_sale(_sale("o1", 10000))
    held = till.reserve_points("c1", 50, "checkout-2")
    first = till.submit_sale(_sale("o2", 2000, held))
    assert till.submit_sale(_sale("o2", 2000, held)) == ops.SaleResult(
        "o2", first.points_earned, 50, replayed=True
    )
    assert pos.available("c1") == 100 - 50 + first.points_earned


def test_an_order_id_taken_by_another_sale_is_a_duplicate(pos, till):
    till.submit_sale(_sale("o1", 8000))
    with pytest.raises(LoyaltyError) as caught:
        till.submit_sale(_sale("o1", 3000))
    assert (caught.value.code, caught.value.vendor_code) == ("duplicate_order", 9004)
    assert pos.available("c1") == 80


def test_with_replay_on_the_retry_is_answered_directly(pos, till):
    pos.configure(order_replay=True)
    till.submit_sale(_sale("o1", 8000))
    assert till.submit_sale(_sale("o1", 8000)).points_earned == 80
    assert [e.response.status for e in till.log.exchanges[-1:]] == [200]
