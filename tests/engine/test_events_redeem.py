"""One-phase redemptions and their reversal; named events evaluated by the program's rules."""

from __future__ import annotations

import pytest

from reference_backend.engine import EventRule

DAY = 86_400


def test_redeem_spends_now(engine, enroll):
    enroll(engine, "m1", 100)
    outcome = engine.redeem_points("m1", 40, order_id="o-9")
    redemption = outcome.value
    assert outcome.replayed is False
    assert (redemption.points, redemption.order_id, redemption.reversed) == (40, "o-9", 0)
    assert sum(s.amount for s in redemption.slices) == 40
    assert engine.redemption(redemption.redemption_id) is redemption
    assert engine.balance("m1")["balance"] == 60
    assert engine.audit() == []


def test_redeem_refusals(make_engine, enroll, fails):
    engine = make_engine(min_redeem_points=10)
    enroll(engine, "m1", 100)
    fails("insufficient_points", engine.redeem_points, "m1", 101)
    fails("invalid_request", engine.redeem_points, "m1", 9)
    fails("invalid_request", engine.redeem_points, "m1", 0)
    fails("member_not_found", engine.redeem_points, "ghost", 10)
    assert engine.balance("m1")["balance"] == 100
    assert engine.state.redemptions == {}


def test_redemption_id_replays_and_conflicts(engine, enroll, fails):
    enroll(engine, "m1", 100)
    first = engine.redeem_points("m1", 30, redemption_id="R1").value
    again = engine.redeem_points("m1", 30, redemption_id="R1")
    assert again.replayed is True and again.value is first
    assert engine.balance("m1")["balance"] == 70
    fails("redemption_conflict", engine.redeem_points, "m1", 31, redemption_id="R1")
    fails("redemption_conflict", engine.redeem_points, "m1", 30, redemption_id="R1", order_id="x")
    assert engine.balance("m1")["balance"] == 70
    assert engine.audit() == []


def test_reversal_in_parts_never_beyond_what_was_spent(engine, enroll, fails):
    enroll(engine, "m1", 100)
    engine.redeem_points("m1", 60, redemption_id="R1")
    assert engine.reverse_redemption("R1", 25).reversed == 25
    fails("reversal_exceeds_redeemed", engine.reverse_redemption, "R1", 36)
    assert engine.reverse_redemption("R1").reversed == 60  # the rest
    fails("reversal_exceeds_redeemed", engine.reverse_redemption, "R1")
    fails("reversal_exceeds_redeemed", engine.reverse_redemption, "R1", 1)
    fails("invalid_request", engine.reverse_redemption, "R1", 0)
    fails("redemption_not_found", engine.reverse_redemption, "nope")
    fails("redemption_not_found", engine.redemption, "nope")
    assert engine.balance("m1")["balance"] == 100
    assert engine.audit() == []


def test_reversal_restores_the_original_expiry(make_engine, enroll):
    engine = make_engine(lot_expiry_days=10)
    enroll(engine, "m1", 100)
    engine.redeem_points("m1", 100, redemption_id="R1")
    engine.advance_clock(3 * DAY)
    engine.reverse_redemption("R1")
    assert engine.balance("m1")["next_expiring_at"] == engine.now().replace(day=11)
    engine.advance_clock(7 * DAY)
    assert engine.balance("m1")["balance"] == 0
    assert engine.audit() == []


def test_transaction_event_earns_floor_of_amount_times_rate(make_engine, enroll):
    rules = {"SALE": EventRule(action="earn", amount_field="total", points_per_unit=0.5)}
    engine = make_engine(event_rules=rules)
    enroll(engine, "m1")
    assert engine.apply_event("m1", "SALE", {"total": 15}).value.points == 7
    assert engine.apply_event("m1", "SALE", {"total": 12.9}).value.points == 6
    assert engine.apply_event("m1", "SALE", {"total": 1}).value.points == 0
    assert engine.balance("m1")["balance"] == 13
    assert engine.member("m1").lifetime_earned == 13
    assert engine.audit() == []


def test_default_rules_earn_deduct_and_restore(engine, enroll):
    enroll(engine, "m1")
    earned = engine.apply_event("m1", "TRANSACTION", {"amount": 120.75}).value
    assert (earned.name, earned.points, earned.payload) == ("TRANSACTION", 120, {"amount": 120.75})
    engine.apply_event("m1", "REDEEMED_POINTS", {"points": 100})
    engine.apply_event("m1", "POINTS_REFUND", {"points": 30})
    assert engine.balance("m1")["balance"] == 50
    assert engine.audit() == []


def test_wll_style_deduct_may_go_negative_and_is_repaid(engine, enroll, fails):
    enroll(engine, "m1", 10)
    record = engine.apply_event("m1", "REDEEMED_POINTS", {"points": 25}).value
    assert (record.points, record.debt_created) == (25, 15)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["debt"]) == (-15, -15, 15)
    fails("insufficient_points", engine.create_hold, "m1", points=1)
    fails("insufficient_points", engine.redeem_points, "m1", 1)

    engine.apply_event("m1", "TRANSACTION", {"amount": 40})
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["debt"]) == (25, 25, 0)
    assert engine.audit() == []


def test_deduct_going_negative_leaves_a_pending_hold_intact(engine, enroll):
    enroll(engine, "m1", 100)
    hold = engine.create_hold("m1", points=80).value
    record = engine.apply_event("m1", "REDEEMED_POINTS", {"points": 50}).value
    assert record.debt_created == 30  # only the 20 unreserved points were there to take
    assert engine.balance("m1")["held"] == 80
    engine.capture_hold(hold.hold_id)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["debt"]) == (-30, 30)
    assert engine.audit() == []


def test_deduct_rule_without_allow_negative_needs_the_points(make_engine, enroll, fails):
    rules = {"SPEND": EventRule(action="deduct", points_field="pts")}
    engine = make_engine(event_rules=rules)
    enroll(engine, "m1", 10)
    fails("insufficient_points", engine.apply_event, "m1", "SPEND", {"pts": 11})
    assert engine.apply_event("m1", "SPEND", {"pts": 10}).value.debt_created == 0
    assert engine.balance("m1")["balance"] == 0
    assert engine.audit() == []


def test_event_id_replays_and_conflicts(engine, enroll, fails):
    enroll(engine, "m1")
    first = engine.apply_event("m1", "TRANSACTION", {"amount": 10}, event_id="E1").value
    again = engine.apply_event("m1", "TRANSACTION", {"amount": 10}, event_id="E1")
    assert again.replayed is True and again.value is first
    assert engine.balance("m1")["balance"] == 10
    fails("event_conflict", engine.apply_event, "m1", "TRANSACTION", {"amount": 11}, "E1")
    fails("event_conflict", engine.apply_event, "m1", "REDEEMED_POINTS", {"points": 10}, "E1")
    assert engine.balance("m1")["balance"] == 10
    assert engine.audit() == []


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("TRANSACTION", {}),
        ("TRANSACTION", {"amount": -1}),
        ("TRANSACTION", {"amount": "10"}),
        ("TRANSACTION", {"amount": True}),
        ("REDEEMED_POINTS", {"points": 0}),
        ("REDEEMED_POINTS", {"points": 1.5}),
        ("POINTS_REFUND", {}),
        ("TRANSACTION", ["amount", 10]),
    ],
)
def test_malformed_event_payloads_are_invalid(engine, enroll, fails, name, payload):
    enroll(engine, "m1", 10)
    fails("invalid_request", engine.apply_event, "m1", name, payload)
    assert engine.state.events == {}
    assert engine.balance("m1")["balance"] == 10


def test_unknown_event_name_is_not_configured(engine, enroll, fails):
    enroll(engine, "m1")
    fails("event_not_configured", engine.apply_event, "m1", "BIRTHDAY", {})
    assert engine.state.events == {}
