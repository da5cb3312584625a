"""Erasing a member (right to be forgotten) and activating an order's pending points early."""

from __future__ import annotations

DAY = 86_400


def test_erase_wipes_personal_data_and_retires_the_id(engine, enroll, fails):
    enroll(engine, "m1", 30, identifiers={"email": "a@x.io"}, first_name="Ada")
    member = engine.erase_member("m1")
    assert (member.identifiers, member.first_name, member.attributes) == ({}, None, {})
    assert member.erased and not member.active
    fails("member_not_found", engine.find_member, "email", "a@x.io")
    fails("member_conflict", engine.upsert_member, "m1")
    enroll(engine, "m2", identifiers={"email": "a@x.io"})  # the email is free again
    assert engine.balance("m1")["balance"] == 30  # the ledger keeps what it recorded


def test_pending_points_of_an_order_activate_early_once(make_engine, enroll):
    engine = make_engine(return_window_days=14, lot_expiry_days=30)
    enroll(engine, "m1")
    engine.record_order("o1", "m1", 5000)
    assert engine.balance("m1")["pending"] == 50
    lot = engine.state.lots[engine.order("o1").lot_id]
    expires = lot.expires_at
    assert engine.activate_order_points("o1") == 50
    assert engine.balance("m1")["available"] == 50 and lot.expires_at == expires
    assert engine.activate_order_points("o1") == 0
    engine.advance_clock(15 * DAY)  # the original activation instant passes quietly
    assert engine.balance("m1")["available"] == 50
