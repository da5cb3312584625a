"""The ledger oracle on hand-made records (pure: no Locust, runs in every session)."""

from __future__ import annotations

from loadtests import limits
from loadtests.oracle import evaluate, overspend
from loadtests.plan import Plan

M = "m1"


def plan(profile: str = "race", available: int = 100, posim: bool = True, **kw) -> Plan:
    p = Plan("r1", profile, "gameball", "http://127.0.0.1:1", {}, "t1" if posim else None, **kw)
    p.members = {M: {"available": available, "pending": 0}}
    return p


def fx(kind: str, lo: int, hi: int | None, t0: float, t1: float, **extra) -> dict:
    return {"k": kind, "m": M, "lo": lo, "hi": hi, "t0": t0, "t1": t1, **extra}


def checks(report: dict) -> list[str]:
    return [v["check"] for v in report["violations"]]


# -- overspend ------------------------------------------------------------------------
def test_two_overlapping_holds_beyond_the_balance_are_an_overspend():
    records = [fx("reserve", -80, -80, 1.0, 1.2), fx("reserve", -80, -80, 1.05, 1.25)]
    found = overspend(100, records)
    assert found == {"at": 1.25, "granted": 160, "available": 100, "short": 60}


def test_hold_release_hold_is_fine():
    records = [
        fx("reserve", -80, -80, 1.0, 1.1),
        fx("release", 80, 80, 1.2, 1.3),
        fx("reserve", -80, -80, 1.4, 1.5),
    ]
    assert overspend(100, records) is None


def test_a_credit_still_in_flight_may_have_landed_first():
    records = [fx("sale", 100, 100, 0.9, 1.2), fx("reserve", -150, -150, 1.0, 1.1)]
    assert overspend(100, records) is None


def test_a_credit_that_started_after_the_hold_cannot_cover_it():
    records = [fx("reserve", -150, -150, 1.0, 1.1), fx("sale", 100, 100, 1.15, 1.2)]
    assert overspend(100, records)["short"] == 50


def test_clock_skew_widens_what_may_have_happened_first():
    records = [fx("reserve", -150, -150, 1.0, 1.1), fx("sale", 100, 100, 1.15, 1.2)]
    assert overspend(100, records, skew=0.1) is None


def test_an_unknown_outcome_is_only_a_possible_debit():
    records = [fx("reserve?", -80, 0, 1.0, 1.2), fx("reserve", -80, -80, 1.05, 1.25)]
    assert overspend(100, records) is None


def test_a_refund_revoking_points_already_spent_is_a_debt_not_an_overspend():
    # the WLL checkout_mix false alarm: a sale earned 60, the member spent everything, then
    # the sale's refund revoked the 60 with REDEEMED_POINTS (which may overdraw): -60, a debt
    records = [
        fx("sale", 60, 60, 1.0, 1.1, order="o1", earned=60, digest="d1"),
        fx("reserve", -160, -160, 1.2, 1.3),
        fx("refund", -60, -60, 1.4, 1.5, order="o1"),
    ]
    assert overspend(100, records) is None
    report = evaluate(plan(), records, {M: {"available": -60, "pending": 0}}, [])
    assert report["ok"], report["violations"]


def test_a_revocation_that_certainly_came_first_still_counts():
    records = [
        fx("sale", 60, 60, 1.0, 1.1),
        fx("refund", -60, -60, 1.2, 1.3),
        fx("reserve", -160, -160, 1.4, 1.5),
    ]
    assert overspend(100, records) == {"at": 1.5, "granted": 160, "available": 100, "short": 60}


def test_a_revocation_during_a_grant_may_have_come_after_it_but_not_after_the_next():
    records = [
        fx("sale", 60, 60, 1.0, 1.1),
        fx("reserve", -160, -160, 1.2, 1.5),
        fx("refund", -60, -60, 1.3, 1.4),  # overlaps the hold: may have come after it
    ]
    assert overspend(100, records) is None
    records.append(fx("reserve", -10, -10, 1.6, 1.7))  # granted while the member owed 60
    assert overspend(100, records) == {"at": 1.7, "granted": 170, "available": 100, "short": 70}


def test_a_lost_credit_of_unknown_size_may_cover_any_later_grant():
    records = [fx("sale?", 0, None, 1.0, 1.1), fx("reserve", -150, -150, 1.2, 1.3)]
    assert overspend(100, records) is None


def test_recorded_capillary_race_is_no_overspend():
    # a race run on capillary (one member, 80 lanes; times in s from the first reserve, the
    # zero-point checks and voids left out). The backend's own order: bills u7 +23, u6 +27,
    # u5 +17, u4 +21, u3 +20 (2108); redeem u7 1020, redeem u6 1088 (0); u5 and u4 are then
    # refused; a top-up; redeem u3 1565. The old bound missed u3's bill: 18 "overspent".
    records = [
        fx("sale", -997, -997, 0.0352, 0.1678, order="u7-o2", earned=23),
        fx("sale", -1061, -1061, 0.0528, 0.1676, order="u6-o2", earned=27),
        fx("sale?", -1526, 17, 0.0536, 0.1884, order="u5-o2"),  # bill, then 804 on redeem
        fx("sale?", -675, 21, 0.0543, 0.1883, order="u4-o2"),
        fx("sale", -1545, -1545, 0.0549, 0.286, order="u3-o2", earned=20),
        fx("sale?", -1071, 2, 0.1525, 0.3684, order="u1-o2"),
        fx("sale", 1863, 1863, 0.1876, 0.2436, order="u9-o1", earned=1863),
    ]
    assert overspend(2000, records) is None
    records[4] = fx("sale", -1545, -1545, 0.17, 0.286, order="u3-o2", earned=20)  # bill after
    assert overspend(2000, records) == {
        "at": 0.1678,
        "granted": 2108,  # u7 and u6 redeemed, each on its own bill
        "available": 2090,
        "short": 18,
    }


# -- balances, orders, vouchers, audit -------------------------------------------------
def test_final_balance_exactly_as_implied_passes():
    records = [fx("reserve", -30, -30, 1, 2), fx("sale", 12, 12, 3, 4, order="o1", earned=12)]
    report = evaluate(plan(), records, {M: {"available": 82, "pending": 0}}, [])
    assert report["ok"], report
    assert report["counts"]["members_exact"] == 1
    assert report["checks"] == {
        "overspend+balances": "pass",
        "orders": "pass",
        "vouchers": "pass",
        "audit": "pass",
    }


def test_a_balance_off_by_one_point_is_reported():
    records = [fx("reserve", -30, -30, 1, 2)]
    report = evaluate(plan(), records, {M: {"available": 71, "pending": 0}}, [])
    assert checks(report) == ["balances"]
    assert "final balance 71, the recorded operations imply 70" in report["violations"][0]["detail"]
    assert report["violations"][0]["member"] == M


def test_pending_points_count_towards_the_balance():
    records = [fx("sale", 40, 40, 1, 2, order="o1", earned=40)]
    report = evaluate(plan(), records, {M: {"available": 100, "pending": 40}}, [])
    assert report["ok"], report


def test_ranges_bound_the_balance_and_unbounded_ranges_are_inconclusive():
    refund = fx("refund", -20, 5, 1, 2, order="o1")
    report = evaluate(plan(), [refund], {M: {"available": 90, "pending": 0}}, [])
    assert report["ok"] and report["counts"]["members_bounded"] == 1
    report = evaluate(plan(), [refund], {M: {"available": 106, "pending": 0}}, [])
    assert "between 80 and 105" in report["violations"][0]["detail"]
    lost = fx("sale?", 0, None, 1, 2, order="o2")
    report = evaluate(plan(), [lost], {M: {"available": 5000, "pending": 0}}, [])
    assert report["ok"] and report["counts"]["members_inconclusive"] == 1


def test_an_identical_replay_is_fine_but_must_earn_the_same():
    first = fx("sale", 10, 10, 1, 2, order="o1", earned=10, digest="a")
    replay = fx("sale", 0, 0, 3, 4, order="o1", earned=10, digest="a", replay=True)
    finals = {M: {"available": 110, "pending": 0}}
    assert evaluate(plan(), [first, replay], finals, [])["ok"]
    replay["earned"] = 11
    assert checks(evaluate(plan(), [first, replay], finals, [])) == ["orders"]


def test_an_order_accepted_twice_with_other_content_is_reported():
    first = fx("sale", 10, 10, 1, 2, order="o1", earned=10, digest="a")
    other = fx("sale", 0, 0, 3, 4, order="o1", earned=11, digest="b", replay=False)
    report = evaluate(plan(), [first, other], {M: {"available": 110, "pending": 0}}, [])
    assert checks(report) == ["orders"]


def test_a_single_use_voucher_burned_twice_is_reported():
    p = plan()
    p.vouchers = {"V1": 1}
    burns = [{"k": "burn", "code": "V1", "order": o, "t1": 1} for o in ("o1", "o2")]
    report = evaluate(p, burns, {M: {"available": 100, "pending": 0}}, [])
    assert checks(report) == ["vouchers"]
    assert "burned 2 times (allows 1)" in report["violations"][0]["detail"]


def test_a_full_refund_may_give_the_voucher_back_once():
    p = plan()
    p.vouchers = {"V1": 1}
    burns = [{"k": "burn", "code": "V1", "order": o, "t1": 1} for o in ("o1", "o2", "o3")]
    refund = fx("refund", 0, 0, 2, 3, order="o1")
    finals = {M: {"available": 100, "pending": 0}}
    report = evaluate(p, [*burns[:2], refund], finals, [])
    assert report["ok"], report
    report = evaluate(p, [*burns, refund], finals, [])
    detail = report["violations"][0]["detail"]
    assert "burned 3 times (allows 1 + 1 reinstated by refunds)" in detail


def test_audit_violations_fail_and_a_foreign_target_skips_the_audit():
    finals = {M: {"available": 100, "pending": 0}}
    report = evaluate(plan(), [], finals, [{"invariant": "I3", "detail": "negative"}])
    assert checks(report) == ["audit"]
    report = evaluate(plan(posim=False), [], finals, None)
    assert report["ok"] and report["checks"]["audit"].startswith("skipped")


def test_a_worker_that_never_sent_its_final_records_fails_the_run():
    report = evaluate(plan(), [], {M: {"available": 100, "pending": 0}}, [], ["w2"])
    assert checks(report) == ["records"]


def test_a_member_whose_balance_cannot_be_read_is_inconclusive():
    report = evaluate(plan(), [], {M: None}, [])
    assert report["ok"] and report["counts"]["members_inconclusive"] == 1


# -- rate limits --------------------------------------------------------------------------
HOLD_PATH = "/api/v4.0/integrations/transactions/hold"


def x(status: int, t: float, retry: float | None = 1.0) -> dict:
    return {"k": "x", "b": "transactions", "mt": "POST", "p": HOLD_PATH, "s": status, "ra": retry,
            "t0": t, "t1": t + 0.01}  # fmt: skip


def episode(**kw) -> dict:
    return {"k": "episode", "n": "u1", "op": "reserve", **kw}


def rl_plan() -> Plan:
    return plan("rate_limit", rate_limits=True)


FINE = {M: {"available": 100, "pending": 0}}


def test_admitting_within_the_documented_limit_passes():
    records = [x(200, i / 31) for i in range(60)] + [x(429, 1.0 + i / 100) for i in range(50)]
    records.append(episode(throttled=3, recovered=True))
    report = evaluate(rl_plan(), records, FINE, [])
    assert report["ok"], report
    assert report["counts"]["requests_429"] == 50
    assert report["counts"]["admitted[transactions]"] == 60


def test_admitting_above_the_documented_limit_is_reported():
    records = [x(200, i / 200) for i in range(200)]  # 200 holds in one second
    report = evaluate(rl_plan(), records, FINE, [])
    details = [v["detail"] for v in report["violations"]]
    assert any("admitted 200 requests" in d for d in details)
    assert any("no 429" in d for d in details)


def test_429_without_retry_after_and_clients_that_never_recover_are_reported():
    gave_up = episode(throttled=31, recovered=False)
    stopped = episode(throttled=2, recovered=False, open=True)
    records = [x(429, 0.1, retry=None), x(200, 0.0), gave_up, stopped]
    report = evaluate(rl_plan(), records, FINE, [])
    details = " | ".join(v["detail"] for v in report["violations"])
    assert "1 of 1 429s had no Retry-After" in details
    assert "1 clients backed off as told and never recovered" in details  # the open one is not


def test_documented_buckets():
    assert limits.bucket_for("gameball", "POST", HOLD_PATH)[0] == "transactions"
    assert (
        limits.bucket_for("gameball", "GET", "/api/v4.0/integrations/customers/a/balance")[0]
        == "customers_read"
    )
    assert limits.bucket_for("wll", "POST", "/events")[1] == [(100.0, 400.0)]
    api, bucket = limits.bucket_for("capillary", "POST", "/v1.1/transaction/add")
    assert (api, bucket) == ("transaction/add", [(25.0, 1500.0)])
    assert limits.admitted_ceiling(limits.scaled([(30, 30), (12, 360)], 0.5), 10) == 165
