"""The ledger oracle: does what the backend says add up to what the lanes were granted?

Every lane records each operation's effect on a member's available points as a range
[lo, hi] with its start and end times (t0, t1): a granted hold of 300 is [-300, -300], a
sale that earned 12 is [12, 12], an operation whose outcome the lane never saw (a dropped
connection, a 5xx) is the range of everything it could have done. After the run:

- overspend: at no moment may the holds and redemptions certainly granted exceed what the
  member could have had (initial + every credit that might already have happened);
- orders: an order id is accepted once; an identical replay earns what the first did;
- balances: each member's final balance lies within initial + sum of the ranges (exact when
  every outcome is known);
- vouchers: a code is burned no more often than it allows, plus once more for each full refund
  of an order that burned it (the refund may give the code back);
- rate limits (`rate_limit` profile): every 429 carries Retry-After, clients that back off
  recover, and the backend admits no more than the documented rate;
- audit: posim's own ledger audit (`/_posim/tenants/{id}/audit`) when the target is posim.

`evaluate()` is pure; `observe()` reads the final balances and the audit.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from itertools import accumulate
from typing import Any

from . import limits
from .plan import Plan

MAX_LISTED = 50  # violations listed in a report (all are counted)


def _violation(check: str, detail: str, member: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"check": check, "detail": detail}
    if member is not None:
        out["member"] = member
    return out


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}"


def _effects(records: list[dict]) -> dict[str, list[dict]]:
    by_member: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        if "lo" in r and r.get("m"):
            by_member[r["m"]].append(r)
    return by_member


# -- overspend --------------------------------------------------------------------------
GRANTS = ("reserve", "sale")  # a certain debit of these kinds granted points to spend
UNBOUNDED = 10**12  # an operation whose effect has no known upper bound


def _earn_apart(effects: list[dict]) -> list[dict]:
    """Each sale as what it earned (a credit) and the rest (what it redeemed, net of a hold).

    The two may land at different moments inside the sale: Capillary writes the bill, which
    earns, then points/redeem spends. While such a sale is in flight, its bill may already
    have credited the member when another lane's redemption went through.
    """
    out = []
    for r in effects:
        earned = r.get("earned") or 0
        if r["k"] != "sale" or earned <= 0 or "replay" in r or r["hi"] is None:
            out.append(r)
            continue
        out.append({**r, "k": "earn", "lo": earned, "hi": earned})
        out.append({**r, "lo": r["lo"] - earned, "hi": r["hi"] - earned})
    return out


def overspend(initial: int, effects: list[dict], skew: float = 0.0) -> dict[str, Any] | None:
    """The first moment the certainly-granted holds and redemptions exceed what was there.

    Only a grant (a held, deducted or redeemed amount) can overspend. Other debits are not
    grants: a refund revokes the points its sale earned, and on WLL (REDEEMED_POINTS may
    overdraw) that drives a member who already spent them below zero, a debt and no double
    spend. Such a debit counts against the member only if it certainly came before a grant.
    A sale's earn is a credit of its own (see _earn_apart), not netted into its redemption.

    At time T (the end of a grant), every grant that ended by T certainly happened; the last
    of them at some moment q between S (the latest start among them) and T. Up to q, the
    member got at most initial + (hi of each other operation that ended before S) + (positive
    hi of each other one that started before T but did not end before S). Less than the
    grants means an overspend in every serialization. Sound (no false alarms), O(n log n).
    """

    def is_grant(r: dict) -> bool:
        return r["k"] in GRANTS and r["hi"] is not None and r["hi"] < 0

    effects = _earn_apart(effects)
    grants = sorted((r for r in effects if is_grant(r)), key=lambda r: r["t1"])
    if not grants:
        return None
    g_ends = [r["t1"] + skew for r in grants]
    g_sum = list(accumulate(-r["hi"] for r in grants))
    g_latest_start = list(accumulate((r["t0"] - skew for r in grants), max))
    others = [r for r in effects if not is_grant(r)]
    hi = [UNBOUNDED if r["hi"] is None else r["hi"] for r in others]
    pos = [max(0, h) for h in hi]
    by_start = sorted(range(len(others)), key=lambda i: others[i]["t0"])
    starts = [others[i]["t0"] - skew for i in by_start]
    start_pos = [0, *accumulate(pos[i] for i in by_start)]
    by_end = sorted(range(len(others)), key=lambda i: others[i]["t1"])
    ends = [others[i]["t1"] + skew for i in by_end]
    end_hi = [0, *accumulate(hi[i] for i in by_end)]
    end_pos = [0, *accumulate(pos[i] for i in by_end)]
    for t in g_ends:  # when each grant certainly had happened
        done = bisect_right(g_ends, t)
        granted = g_sum[done - 1]
        over = bisect_left(ends, g_latest_start[done - 1])  # certainly before the last grant
        started = bisect_left(starts, t)
        most = initial + end_hi[over] + start_pos[started] - end_pos[over]
        if granted > most:
            return {"at": t, "granted": granted, "available": most, "short": granted - most}
    return None


# -- the checks -------------------------------------------------------------------------
def _check_members(plan: Plan, effects: dict[str, list[dict]], finals, report) -> None:
    exact = bounded = inconclusive = 0
    for member, start in plan.members.items():
        rows = effects.get(member, [])
        found = overspend(start["available"], rows, plan.clock_skew_s)
        if found:
            report["violations"].append(
                _violation(
                    "overspend",
                    f"by {_clock(found['at'])}, holds/redemptions granted {found['granted']} "
                    f"points in all, but the member had at most {found['available']} (initial "
                    f"points plus every credit that may have landed): {found['short']} overspent",
                    member,
                )
            )
        final = finals.get(member)
        if final is None:
            inconclusive += 1
            continue
        if any(r["hi"] is None for r in rows):
            inconclusive += 1
            continue
        base = start["available"] + start["pending"]
        lo = base + sum(r["lo"] for r in rows)
        hi = base + sum(r["hi"] for r in rows)
        actual = final["available"] + final["pending"]
        if lo == hi:
            exact += 1
        else:
            bounded += 1
        if not lo <= actual <= hi:
            implied = str(lo) if lo == hi else f"between {lo} and {hi}"
            report["violations"].append(
                _violation(
                    "balances",
                    f"final balance {actual}, the recorded operations imply {implied}",
                    member,
                )
            )
    report["counts"]["members_exact"] = exact
    report["counts"]["members_bounded"] = bounded
    report["counts"]["members_inconclusive"] = inconclusive


def _check_orders(records: list[dict], report) -> None:
    first: dict[str, dict] = {}
    for r in sorted((r for r in records if r["k"] == "sale"), key=lambda r: r["t1"]):
        order = r["order"]
        if order not in first:
            first[order] = r
            continue
        if r.get("replay") and r.get("digest") == first[order].get("digest"):
            if r["earned"] != first[order]["earned"]:
                report["violations"].append(
                    _violation(
                        "orders",
                        f"order {order} earned {first[order]['earned']}, its replay {r['earned']}",
                        r["m"],
                    )
                )
            continue
        report["violations"].append(
            _violation("orders", f"order {order} was accepted twice with different content", r["m"])
        )
    report["counts"]["orders"] = len(first)


def _check_vouchers(plan: Plan, records: list[dict], report) -> None:
    """Burns of a code <= its uses + reinstatements (a full refund of an order that burned it)."""
    burns: dict[str, list[str | None]] = defaultdict(list)  # None: a burn outside an order
    refunded = {r["order"] for r in records if r["k"] in ("refund", "refund?")}
    for r in records:
        if r["k"] == "burn":
            burns[r["code"]].append(r.get("order"))
    for code, orders in sorted(burns.items()):
        allowed = plan.vouchers.get(code)
        if allowed is None:
            continue
        reinstated = sum(1 for order in orders if order in refunded)
        if len(orders) > allowed + reinstated:
            again = f" + {reinstated} reinstated by refunds" if reinstated else ""
            report["violations"].append(
                _violation(
                    "vouchers",
                    f"voucher {code} burned {len(orders)} times (allows {allowed}{again})",
                )
            )
    report["counts"]["voucher_burns"] = sum(len(v) for v in burns.values())


def _check_rate_limits(plan: Plan, records: list[dict], report) -> None:
    exchanges = [r for r in records if r["k"] == "x"]
    throttled = [r for r in exchanges if r["s"] == 429]
    counts = report["counts"]
    counts["requests_429"] = len(throttled)
    missing = [r for r in throttled if not r.get("ra") or r["ra"] <= 0]
    if missing:
        report["violations"].append(
            _violation("rate_limits", f"{len(missing)} of {len(throttled)} 429s had no Retry-After")
        )
    episodes = [r for r in records if r["k"] == "episode"]
    gave_up = [r for r in episodes if not r["recovered"] and not r.get("open")]
    counts["backoff_episodes"] = len(episodes)
    counts["recovered"] = sum(1 for r in episodes if r["recovered"])
    if gave_up:
        worst = max(r["throttled"] for r in gave_up)
        report["violations"].append(
            _violation(
                "rate_limits",
                f"{len(gave_up)} clients backed off as told and never recovered "
                f"(up to {worst} 429s in a row)",
            )
        )
    if not (plan.posim and plan.rate_limits):
        return  # the documented ceiling is only known for posim, where the limits are set
    by_bucket: dict[str, list[dict]] = defaultdict(list)
    for r in exchanges:
        if r.get("b"):
            by_bucket[r["b"]].append(r)
    any_over = False
    for name, rows in sorted(by_bucket.items()):
        found = limits.bucket_for(plan.dialect, rows[0]["mt"], rows[0]["p"])
        if found is None:
            continue
        bucket = limits.scaled(found[1], plan.rate_scale)
        span = max(r["t1"] for r in rows) - min(r["t0"] for r in rows)
        ceiling = limits.admitted_ceiling(bucket, span)
        admitted = sum(1 for r in rows if r["s"] != 429)
        counts[f"admitted[{name}]"] = admitted
        counts[f"ceiling[{name}]"] = int(ceiling)
        if len(rows) > ceiling:
            any_over = True
        if admitted > ceiling * 1.05 + 2:
            report["violations"].append(
                _violation(
                    "rate_limits",
                    f"{name}: admitted {admitted} requests in {span:.1f} s; the documented "
                    f"limit allows at most {ceiling:.0f}",
                )
            )
    if any_over and not throttled:
        report["violations"].append(
            _violation("rate_limits", "the offered load exceeded the documented limit, no 429")
        )


def evaluate(
    plan: Plan,
    records: list[dict],
    finals: dict[str, dict | None],
    audit: list[dict] | None,
    missing_nodes: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """Check the recorded operations against the final balances and the audit."""
    report: dict[str, Any] = {"violations": [], "counts": {}, "checks": {}}
    counts = report["counts"]
    counts["records"] = len(records)
    kinds: dict[str, int] = defaultdict(int)
    for r in records:
        kinds[r["k"]] += 1
    for kind in ("reserve", "release", "sale", "refund", "burn", "reject"):
        counts[kind] = kinds.get(kind, 0)
    counts["unknown_outcomes"] = sum(v for k, v in kinds.items() if k.endswith("?"))

    def check(name: str, run) -> None:
        before = len(report["violations"])
        run()
        report["checks"][name] = "fail" if len(report["violations"]) > before else "pass"

    if missing_nodes:
        report["violations"].append(
            _violation(
                "records",
                f"workers {', '.join(sorted(missing_nodes))} did not deliver their final "
                "records; the run cannot be judged",
            )
        )
    check("overspend+balances", lambda: _check_members(plan, _effects(records), finals, report))
    check("orders", lambda: _check_orders(records, report))
    check("vouchers", lambda: _check_vouchers(plan, records, report))
    if plan.profile == "rate_limit":
        check("rate_limits", lambda: _check_rate_limits(plan, records, report))
    if audit is None:
        report["checks"]["audit"] = "skipped (the target is not posim)"
    else:
        report["checks"]["audit"] = "fail" if audit else "pass"
        for v in audit:
            report["violations"].append(_violation("audit", str(v)))
    report["violation_count"] = len(report["violations"])
    report["violations"] = report["violations"][:MAX_LISTED]
    report["ok"] = report["violation_count"] == 0
    return report


# -- reading the final state ----------------------------------------------------------------
def observe(plan: Plan) -> tuple[dict[str, dict | None], list[dict] | None]:
    """Final balances through the codec, and posim's audit. Blocking; gevent-friendly."""
    from simulator.gateway import LoyaltyGateway, RetryPolicy
    from simulator.protocol import LoyaltyError
    from simulator.transports import HttpTransport

    from .plan import control

    transport = HttpTransport(plan.target, timeout=30.0)
    try:
        audit = None
        if plan.tenant is not None:  # posim: the run is over, reading balances is not measured
            control(transport, plan.tenant, "PUT", "/rate-limits", {"enabled": False})
            audit = control(transport, plan.tenant, "GET", "/audit")["violations"]
        gateway = LoyaltyGateway(plan.codec(), transport, RetryPolicy(max_rate_limit_retries=50))
        finals: dict[str, dict | None] = {}
        for member in plan.members:
            try:
                balance = gateway.balance(member)
            except LoyaltyError:
                finals[member] = None
                continue
            finals[member] = {"available": balance.available, "pending": balance.pending}
        return finals, audit
    finally:
        transport.close()
