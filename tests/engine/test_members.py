"""Members: enrolment, identifiers and lookup, blocking, balances, tiers, manual points."""

from __future__ import annotations

import pytest


def test_upsert_creates_then_updates_the_same_member(engine):
    created = engine.upsert_member("m1", {"mobile": "+201000"}, first_name="Ann")
    assert created.replayed is False
    member = created.value
    assert member.account_number.isdigit() and len(member.account_number) == 7
    assert member.referral_code and member.active and member.version == 1

    updated = engine.upsert_member("m1", last_name="Lee", attributes={"vip": True})
    assert updated.replayed is True
    assert updated.value is member
    assert (member.first_name, member.last_name) == ("Ann", "Lee")
    assert member.attributes == {"vip": True}
    assert member.version == 2
    assert engine.audit() == []


def test_generated_ids_account_numbers_and_referral_codes_are_unique(engine):
    a = engine.upsert_member(identifiers={"email": "a@x.io"}).value
    b = engine.upsert_member(identifiers={"email": "b@x.io"}).value
    assert a.member_id != b.member_id
    assert a.account_number != b.account_number
    assert a.referral_code != b.referral_code


def test_every_identifier_kind_finds_the_member(engine):
    ids = {"mobile": "+2010", "email": "Ann@Example.com", "card_number": "C-1", "external_id": "X"}
    member = engine.upsert_member("m1", ids).value
    for kind, value in ids.items():
        assert engine.find_member(kind, value) is member
        assert engine.resolve_member(value) is member
    assert engine.find_member("email", "ann@example.COM") is member  # emails ignore case
    assert engine.find_member("account_number", member.account_number) is member
    assert engine.find_member("member_id", "m1") is member
    assert engine.resolve_member(member.account_number) is member
    assert engine.resolve_member("m1") is member


def test_lookups_of_unknown_members_fail(engine, enroll, fails):
    enroll(engine, "m1", identifiers={"mobile": "+1"})
    fails("member_not_found", engine.member, "ghost")
    fails("member_not_found", engine.find_member, "mobile", "+2")
    fails("member_not_found", engine.find_member, "member_id", "ghost")
    fails("member_not_found", engine.resolve_member, "+2")
    fails("member_not_found", engine.balance, "ghost")
    fails("member_not_found", engine.activities, "ghost")


def test_upsert_by_identifier_alone_updates_the_owner(engine, enroll):
    enroll(engine, "m1", identifiers={"mobile": "+1"})
    outcome = engine.upsert_member(identifiers={"mobile": "+1"}, first_name="Bo")
    assert outcome.replayed is True
    assert outcome.value.member_id == "m1" and outcome.value.first_name == "Bo"
    assert len(engine.state.members) == 1


def test_changing_an_identifier_moves_the_index(engine, enroll, fails):
    enroll(engine, "m1", identifiers={"mobile": "+1"})
    engine.upsert_member("m1", {"mobile": "+2"})
    fails("member_not_found", engine.find_member, "mobile", "+1")
    assert engine.find_member("mobile", "+2").member_id == "m1"
    enroll(engine, "m2", identifiers={"mobile": "+1"})  # the old number is free again


def test_identifier_of_another_member_conflicts_and_changes_nothing(engine, enroll, fails):
    enroll(engine, "m1", identifiers={"mobile": "+1"})
    enroll(engine, "m2", identifiers={"mobile": "+2"})
    fails("member_conflict", engine.upsert_member, "m2", {"mobile": "+1"}, first_name="X")
    assert engine.member("m2").identifiers == {"mobile": "+2"}
    assert engine.member("m2").first_name is None
    fails("member_conflict", engine.upsert_member, "m3", {"mobile": "+1"})
    fails("member_not_found", engine.member, "m3")


@pytest.mark.parametrize("identifiers", [{"phone": "1"}, {"account_number": "1234567"}])
def test_unknown_or_engine_owned_identifier_kinds_are_invalid(engine, fails, identifiers):
    fails("invalid_request", engine.upsert_member, "m1", identifiers)
    fails("member_not_found", engine.member, "m1")


def test_blank_member_id_is_invalid(engine, fails):
    fails("invalid_request", engine.upsert_member, "  ")


def test_blocked_member_can_be_read_but_not_earn_or_spend(engine, enroll, fails):
    enroll(engine, "m1", 500)
    engine.set_member_active("m1", False)
    assert engine.member("m1").active is False
    assert engine.balance("m1")["available"] == 500
    fails("member_blocked", engine.earn, "m1", 10)
    fails("member_blocked", engine.redeem_points, "m1", 10)
    fails("member_blocked", engine.create_hold, "m1", points=10)
    fails("member_blocked", engine.record_order, "o1", "m1", 1000)
    fails("member_blocked", engine.apply_event, "m1", "TRANSACTION", {"amount": 5})
    assert engine.balance("m1")["available"] == 500

    engine.set_member_active("m1", True)
    engine.earn("m1", 10)
    assert engine.balance("m1")["available"] == 510
    assert engine.audit() == []


def test_set_member_active_on_unknown_member(engine, fails):
    fails("member_not_found", engine.set_member_active, "ghost", False)


def test_balance_fields_and_tier_follow_lifetime_earnings(make_engine, enroll):
    engine = make_engine(lot_expiry_days=30)
    enroll(engine, "m1", 999)
    bal = engine.balance("m1")
    assert bal["balance"] == bal["available"] == 999
    assert (bal["pending"], bal["held"], bal["debt"]) == (0, 0, 0)
    assert bal["tier"] == "Bronze" and bal["lifetime_earned"] == 999
    assert bal["next_expiring_points"] == 999
    assert bal["next_expiring_at"] == engine.now().replace(day=31)

    engine.earn("m1", 1)
    assert engine.balance("m1")["tier"] == "Silver"
    engine.create_hold("m1", points=300)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["held"]) == (1000, 700, 300)
    assert engine.audit() == []


@pytest.mark.parametrize("points", [0, -5, True, 2.5, "10"])
def test_earn_needs_a_positive_integer(engine, enroll, fails, points):
    enroll(engine, "m1")
    fails("invalid_request", engine.earn, "m1", points)
    assert engine.balance("m1")["balance"] == 0


def test_adjust_credits_debits_and_forced_debt(engine, enroll, fails):
    enroll(engine, "m1", 100)
    assert engine.adjust("m1", 40, "goodwill") == 40
    assert engine.adjust("m1", -90, "correction") == -90
    assert engine.balance("m1")["balance"] == 50

    fails("insufficient_points", engine.adjust, "m1", -51, "too much")
    assert engine.balance("m1")["balance"] == 50
    fails("invalid_request", engine.adjust, "m1", 0, "nothing")

    engine.adjust("m1", -80, "fraud", force=True)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["available"], bal["debt"]) == (-30, -30, 30)
    engine.earn("m1", 50)
    bal = engine.balance("m1")
    assert (bal["balance"], bal["debt"]) == (20, 0)
    assert engine.audit() == []


def test_activities_and_member_orders_record_history(engine, enroll):
    enroll(engine, "m1", 100)
    engine.redeem_points("m1", 30)
    engine.record_order("o1", "m1", 2500)
    hold = engine.create_hold("m1", points=10).value
    engine.release_hold(hold.hold_id)
    lines = [(a.kind, a.points) for a in engine.activities("m1")]
    assert lines == [("earn", 100), ("redeem", -30), ("earn", 25), ("hold", -10), ("release", 0)]
    seqs = [a.seq for a in engine.activities("m1")]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert [o.order_id for o in engine.member_orders("m1")] == ["o1"]
    assert engine.audit() == []
