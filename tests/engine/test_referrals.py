"""Referrals: the referee's first order rewards both sides once; self-referral never; clawback."""

from __future__ import annotations

DAY = 86_400


def _points(engine, member_id):
    return engine.balance(member_id)["balance"]


def test_first_purchase_credits_both_sides_once(engine, enroll):
    enroll(engine, "alice")
    code = engine.member("alice").referral_code
    assert engine.referrer_for_code(code) == "alice"
    bob = engine.upsert_member("bob", referral_code=code).value
    assert bob.referred_by == "alice"
    [referral] = engine.referrals_of("alice")
    assert (referral.referee_id, referral.state) == ("bob", "pending")
    assert _points(engine, "alice") == 0  # nothing before the first order

    first = engine.record_order("o1", "bob", 10000).value
    assert first.referral_id == referral.referral_id
    assert (referral.state, referral.order_id) == ("rewarded", "o1")
    assert _points(engine, "alice") == 100  # referral_reward_referrer
    assert _points(engine, "bob") == 100 + 50  # order earn + referral_reward_referee

    second = engine.record_order("o2", "bob", 10000).value
    assert second.referral_id is None
    assert _points(engine, "alice") == 100
    assert _points(engine, "bob") == 250
    assert engine.audit() == []


def test_referral_code_on_the_first_order_links_and_rewards(engine, enroll):
    enroll(engine, "alice")
    enroll(engine, "carol")
    code = engine.member("alice").referral_code
    order = engine.record_order("o1", "carol", 2000, referral_code=code).value
    assert order.referral_id is not None
    assert engine.member("carol").referred_by == "alice"
    assert (_points(engine, "alice"), _points(engine, "carol")) == (100, 70)
    # a later order rewards nobody
    assert engine.record_order("o2", "carol", 2000).value.referral_id is None
    assert _points(engine, "alice") == 100
    assert engine.audit() == []


def test_self_referral_is_rejected_everywhere(engine, enroll, fails):
    enroll(engine, "alice")
    code = engine.member("alice").referral_code
    fails("referral_self_not_allowed", engine.register_referral, "alice", code)
    fails("referral_self_not_allowed", engine.upsert_member, "alice", referral_code=code)
    fails("referral_self_not_allowed", engine.record_order, "o1", "alice", 100, referral_code=code)
    assert engine.referrals_of("alice") == []
    assert engine.member("alice").referred_by is None
    assert engine.member_orders("alice") == []


def test_a_member_is_referred_at_most_once(engine, enroll, fails):
    enroll(engine, "alice")
    enroll(engine, "zed")
    alice, zed = engine.member("alice").referral_code, engine.member("zed").referral_code
    enroll(engine, "bob", referral_code=alice)
    assert engine.register_referral("bob", alice).referrer_id == "alice"  # same link: no-op
    fails("referral_not_eligible", engine.register_referral, "bob", zed)
    fails("referral_not_eligible", engine.record_order, "o1", "bob", 100, referral_code=zed)
    assert len(engine.state.referrals) == 1


def test_members_who_already_bought_are_not_eligible(engine, enroll, fails):
    enroll(engine, "alice")
    enroll(engine, "dave")
    code = engine.member("alice").referral_code
    engine.record_order("d1", "dave", 100)
    fails("referral_not_eligible", engine.register_referral, "dave", code)
    fails("referral_not_eligible", engine.upsert_member, "dave", referral_code=code)
    fails("referral_not_eligible", engine.record_order, "d2", "dave", 100, referral_code=code)
    assert engine.member("dave").referred_by is None
    assert _points(engine, "alice") == 0


def test_unknown_referral_code(engine, enroll, fails):
    enroll(engine, "bob")
    fails("referral_code_not_found", engine.referrer_for_code, "NOPE")
    fails("referral_code_not_found", engine.register_referral, "bob", "NOPE")
    fails("referral_code_not_found", engine.upsert_member, "new", referral_code="NOPE")
    fails("member_not_found", engine.member, "new")


def test_full_refund_of_the_qualifying_order_claws_both_rewards_back(make_engine, enroll):
    engine = make_engine(referral_reward_referrer=1000)
    enroll(engine, "alice")
    enroll(engine, "bob", referral_code=engine.member("alice").referral_code)
    engine.record_order("o1", "bob", 10000)
    engine.record_order("o2", "bob", 10000)
    engine.refund("o1", "r1", amount=5000)  # partial: rewards stay
    [referral] = engine.referrals_of("alice")
    assert referral.state == "rewarded" and _points(engine, "alice") == 1000
    assert engine.balance("alice")["tier"] == "Silver"

    engine.refund("o1", "r2")
    assert referral.state == "revoked"
    assert _points(engine, "alice") == 0
    assert _points(engine, "bob") == 100  # only o2's earn is left
    assert engine.member("alice").lifetime_earned == 0
    assert engine.balance("alice")["tier"] == "Bronze"
    assert engine.audit() == []


def test_refunding_a_later_order_does_not_claw_back(engine, enroll):
    enroll(engine, "alice")
    enroll(engine, "bob", referral_code=engine.member("alice").referral_code)
    engine.record_order("o1", "bob", 10000)
    engine.record_order("o2", "bob", 10000)
    engine.refund("o2", "r1")
    assert engine.referrals_of("alice")[0].state == "rewarded"
    assert (_points(engine, "alice"), _points(engine, "bob")) == (100, 150)
    assert engine.audit() == []


def test_no_clawback_after_the_window(make_engine, enroll):
    engine = make_engine(referral_clawback_days=30)
    enroll(engine, "alice")
    enroll(engine, "bob", referral_code=engine.member("alice").referral_code)
    engine.record_order("o1", "bob", 10000)
    engine.advance_clock(30 * DAY + 1)
    engine.refund("o1", "r1")
    assert engine.referrals_of("alice")[0].state == "rewarded"
    assert (_points(engine, "alice"), _points(engine, "bob")) == (100, 50)
    assert engine.audit() == []


def test_clawback_is_clamped_when_the_referrer_spent_the_reward(engine, enroll):
    enroll(engine, "alice")
    enroll(engine, "bob", referral_code=engine.member("alice").referral_code)
    engine.record_order("o1", "bob", 10000)
    engine.redeem_points("alice", 70)
    engine.refund("o1", "r1")
    bal = engine.balance("alice")
    assert (bal["balance"], bal["debt"]) == (0, 0)
    assert engine.audit() == []
