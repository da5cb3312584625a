"""The rules `posim audit` reads off recorded traffic, and the checklist item each one judges.

A rule looks at the ops of one dialect's traffic (see `traffic_calls`) and returns a
`RuleResult`: how many things it inspected and every breach, each naming the request ids
that show it. Nothing inspected means no evidence, never a pass.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..protocol.base_paths import CAPILLARY
from ..protocol.retry_after import parse_retry_after
from .redact import personal_name, secret_name
from .traffic_calls import (
    DUPLICATE,
    EVENT_PAYLOADS,
    LOST,
    OK,
    Call,
    Op,
    Traffic,
    is_timestamp_key,
    throttled,
    walk,
)
from .traffic_checkout import (
    bill_before_redeem,
    check_before_redeem,
    hold_before_redeem,
    lookup_before_redeem,
    redeem_within_balance,
    release_on_void,
)
from .traffic_findings import RuleResult, first_of_each, of_kinds

RETRY_WINDOW_S = 120.0  # how long after a lost request a re-send counts as its retry
DEFAULT_BACKOFF_S = 1.0  # the wait a POS owes a 429 without Retry-After
CLOCK_SLACK_S = 0.05  # recorder timestamps are taken at the end of each exchange
LOOKAHEAD = 50  # requests after a 429 among which its follow-up is looked for


# -- ids unique, never reused for other content --------------------------------------------
def unique_ids(traffic: Traffic) -> RuleResult:
    result = RuleResult(what="client id(s)", empty="no order, refund or event carried an id")
    groups: dict[tuple[str, str, str], list[Op]] = defaultdict(list)
    for op in traffic.ops:
        for family, key in op.unique:
            groups[op.pos, family, key].append(op)
    for (_, family, key), ops in groups.items():
        result.inspected += 1
        anchor = next((op for op in ops if op.outcome in (OK, LOST, DUPLICATE)), None)
        if anchor is None:
            continue  # every use was refused: nothing was recorded under it
        sign = _signature(anchor, family)
        for op in ops:
            if op.index > anchor.index and _signature(op, family) != sign:
                result.breach(
                    f"{family} id {key} of {anchor.label} is reused for other content by "
                    f"{op.label}",
                    op.call,
                    anchor.call,
                )
                break
    return result


def _signature(op: Op, family: str) -> tuple[Any, ...]:
    ids = op.ids if family == "transaction" else op.ids[1:]
    return (op.kind, op.core, ids)


# -- refunds name a real order -------------------------------------------------------------
def _refunds(traffic: Traffic) -> list[Op]:
    """Refunds, and WLL's points refunds (POINTS_REFUND, or any reversal type of the tenant)
    that name a transaction: a reversal of a sale is its refund. One that gives back a
    deduction of a checkout that never became a sale is a void, judged by release_on_void."""
    deducted = {(op.pos, op.txn) for op in of_kinds(traffic, "redeem") if op.txn}
    sold = {(op.pos, op.txn) for op in of_kinds(traffic, "order") if op.txn}
    return [
        op
        for op in traffic.ops
        if op.kind == "refund"
        or (
            op.kind == "restore"
            and op.txn
            and ((op.pos, op.txn) in sold or (op.pos, op.txn) not in deducted)
        )
    ]


def refund_of_real_order(traffic: Traffic) -> RuleResult:
    result = RuleResult(what="refund(s)", empty="no refund was sent")
    orders: dict[tuple[str, str], list[Op]] = defaultdict(list)
    for op in traffic.ops:
        sale = op.kind == "order" or (op.kind == "redeem" and op.family == "transaction")
        if sale and op.txn:
            orders[op.pos, op.txn].append(op)
    for op in first_of_each(_refunds(traffic)):
        result.inspected += 1
        if not op.txn:
            result.breach(f"{op.label} names no order to refund", op.call)
            continue
        known = orders.get((op.pos, op.txn), [])
        before = [o for o in known if o.index < op.index]
        if any(o.outcome in (OK, DUPLICATE) for o in before):
            continue
        if before:
            why = f"whose submission ({before[0].label}) never succeeded"
        elif known:
            why = f"which was only sent afterwards ({known[0].label})"
        else:
            why = "which the traffic never shows being sent"
        result.breach(f"{op.label} refunds order {op.txn}, {why}", op.call)
    return result


# -- timestamps ----------------------------------------------------------------------------
_ISO_UTC = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]00(?::?00)?)$", re.I
)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CAP_V11 = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
REQUIRED_TIMESTAMPS = {  # date-times the vendor requires: a bare date will not do
    "gameball": ("orderDate", "transactionTime"),
    "wll": ("transactionDate",),
    "capillary": ("billing_time", "purchase_time", "redemption_time"),
}


def _valid_time(text: str, pattern: re.Pattern[str]) -> bool:
    if not pattern.match(text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def timestamp_problem(dialect: str, path: str, key: str, value: Any) -> str | None:
    """Why a timestamp value is wrong for the vendor, or None."""
    if not isinstance(value, str):
        return "is a number, not an ISO 8601 timestamp" if isinstance(value, int | float) else None
    text = value.strip()
    if _DATE_ONLY.match(text) and key not in REQUIRED_TIMESTAMPS[dialect]:
        return None
    if dialect == "capillary" and not path.startswith(CAPILLARY.extra["client_v2"] + "/"):
        if _valid_time(text, _CAP_V11) or _valid_time(text, _ISO_UTC):
            return None
        return "is not YYYY-MM-DD HH:MM:SS (nor ISO 8601 UTC)"
    if _valid_time(text, _ISO_UTC):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return "is not an ISO 8601 timestamp"
    return "has no time zone (UTC expected)" if parsed.tzinfo is None else "is not in UTC"


def timestamps(traffic: Traffic) -> RuleResult:
    result = RuleResult(what="timestamp(s)", empty="no request body carried a timestamp")
    for call in traffic.calls:
        if not call.write or not isinstance(call.body, dict | list):
            continue
        for where, key, value in walk(call.body):
            if value is None or value == "" or not is_timestamp_key(key):
                continue
            result.inspected += 1
            problem = timestamp_problem(traffic.dialect, call.path, key, value)
            if problem:
                result.breach(f"{call.label}: {where} {problem}", call)
    return result


# -- no personal data in event payloads ----------------------------------------------------
_EMAIL = re.compile(r"[\w.+'%-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])\+\d[\d\s-]{6,16}\d(?![\w])")
PLACEHOLDERS = {"UNKNOWN", "REDACTED", "N/A", "NA", "NONE", "NULL"}


def personal_values(calls: Iterable[Call]) -> set[str]:
    """Every value the traffic sent or got under a personal field (e-mail, mobile, names...),
    with the digits of phone numbers on their own too."""
    found: set[str] = set()
    for call in calls:
        for document in (call.body, call.response, call.params):
            for _, key, value in walk(document):
                if not personal_name(key) or not isinstance(value, str | int):
                    continue
                text = str(value).strip()
                if len(text) < 3 or text.upper() in PLACEHOLDERS:
                    continue
                found.add(text)
                digits = re.sub(r"\D", "", text)
                if len(digits) >= 7 and not re.search(r"[A-Za-z@]", text):
                    found.add(digits)
    return found


def _leak(key: str, value: Any, known: set[str]) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or text.upper() in PLACEHOLDERS:
        return None
    if personal_name(key):
        return "a personal field"
    if _EMAIL.search(text):
        return "an e-mail address"
    if _PHONE.search(text):
        return "a phone number"
    if _mentions(text, known):
        return "personal data the POS sent or got elsewhere"
    return None


def _mentions(text: str, known: set[str]) -> bool:
    """The text is a known personal value, or holds one of at least 6 characters (a full
    name, a phone number) among its words; set lookups only, so large recordings stay fast."""
    if text in known:
        return True
    words = re.findall(r"[\w@.+'-]+", text)
    for n in range(len(words)):
        for width in (1, 2, 3):
            piece = " ".join(words[n : n + width])
            if len(piece) >= 6 and piece in known:
                return True
    return False


def no_personal_data(traffic: Traffic) -> RuleResult:
    result = RuleResult(what="event payload(s)", empty="no event was reported")
    known = personal_values(traffic.calls)
    leaves: set[str] = set()
    payloads = EVENT_PAYLOADS[traffic.dialect]
    for call in traffic.calls:
        for where, payload in payloads(call):
            result.inspected += 1
            found = []
            for path, key, value in walk({where: payload}):
                kind = _leak(key, value, known)
                if kind:
                    found.append(f"{path} ({kind})")
                    leaves.add(str(value).strip())
            if found:
                result.breach(f"{call.label} carries personal data: {', '.join(found)}", call)
    result.leaves = leaves
    return result


# -- retries reuse the ids -----------------------------------------------------------------
RETRIED_KINDS = ("order", "refund", "redeem", "restore")
_NOUNS = {"order": "sale", "refund": "refund", "redeem": "redemption", "restore": "points refund"}
_SLOW_FAULTS = ("latency",)


def _why_lost(call: Call) -> str:
    if call.fault_kind:
        return f"fault {call.fault_kind}"
    return "no response" if call.status == 0 else f"status {call.status}"


def _failure(op: Op, later: list[Op]) -> str | None:
    """Why the POS had to resend `op`: no answer, a 5xx, or an answer slower than its own
    timeout (a resend of the same content started before the answer came); None: it did not."""
    call = op.call
    if op.outcome == LOST:
        return f"got no answer ({_why_lost(call)})"
    if call.status >= 500:
        return f"failed with status {call.status}"
    if call.fault_kind in _SLOW_FAULTS or any(o.call.start < call.end for o in later):
        return f"was answered only after {call.duration_ms / 1000:.2f} s, once the POS gave up"
    return None


def _committed(op: Op) -> bool:
    """The backend kept it: a success, or a change made before the answer was lost."""
    return op.outcome in (OK, DUPLICATE) or op.call.fault_kind == "lose_response"


def _within(ops: Iterable[Op], first: Op, window_s: float) -> Iterator[Op]:
    """The ops sent within the window after `first` (calls are in start order)."""
    for op in ops:
        if op.call.start - first.call.end > window_s:
            return
        if op.call is not first.call:
            yield op


def retry_same_ids(traffic: Traffic, window_s: float = RETRY_WINDOW_S) -> RuleResult:
    """After a call failed, got a 5xx or timed out, a re-send of the same content (same
    member, amounts and lines, within `window_s`) must carry the same ids; so must any
    identical re-send. The same sale under a new id is a defect, and a double award when the
    backend kept both."""
    result = RuleResult(what="retried request(s)")
    buckets: dict[tuple[str, str, str, str], list[Op]] = defaultdict(list)
    for op in traffic.ops:
        if op.kind in RETRIED_KINDS:
            buckets[op.pos, op.kind, op.event_type, op.core].append(op)
    failed = 0
    for ops in buckets.values():
        for n, first in enumerate(ops):
            later = list(_within(ops[n + 1 :], first, window_s))
            why = _failure(first, later)
            if why is None:
                if any(op.ids == first.ids and op.key is not None for op in later):
                    result.inspected += 1  # the same request again after a gap: a safe retry
                continue
            failed += 1
            if not later:
                continue
            retry = later[0]
            result.inspected += 1
            _judge_retry(result, traffic.dialect, first, retry, why)
    if not result.inspected and failed:
        result.empty = f"{failed} request(s) failed, but none was sent again"
    elif not result.inspected:
        result.empty = "no request failed and none was sent twice"
    return result


def _judge_retry(result: RuleResult, dialect: str, first: Op, retry: Op, why: str) -> None:
    noun = _NOUNS[first.kind]
    if retry.ids != first.ids:
        double = _committed(first) and _committed(retry)
        result.breach(
            f"{first.label} {why}; {retry.label} sent the same {noun} again under a new id "
            f"({first.key} -> {retry.key})"
            + (": a double award, the backend kept both" if double else ""),
            first.call,
            retry.call,
        )
    elif first.key is None and dialect == "wll":
        result.breach(
            f"{first.label} {why}; {retry.label} sent it again without an event id, "
            "so WLL counts it twice",
            first.call,
            retry.call,
        )


# -- back off after a 429 ------------------------------------------------------------------
def retry_after_s(call: Call) -> float:
    """The wait a 429 asks for: Retry-After in seconds or as an HTTP date; 1 s when absent."""
    wait = parse_retry_after(call.header("retry-after"), now=call.end)
    return DEFAULT_BACKOFF_S if wait is None else wait


def backoff(traffic: Traffic) -> RuleResult:
    result = RuleResult(
        what="429 answer(s) followed by another request", empty="no request got a 429"
    )
    by_pos: dict[str, list[Call]] = defaultdict(list)
    for call in traffic.calls:
        by_pos[call.pos].append(call)
    limited = 0
    for calls in by_pos.values():
        for n, call in enumerate(calls):
            if not throttled(call):
                continue
            limited += 1
            # the POS's next request: finished after the 429 (the file is in completion
            # order) and started once the 429 was answered; the earliest such start
            after = [
                c for c in calls[n + 1 : n + 1 + LOOKAHEAD] if c.start >= call.end - CLOCK_SLACK_S
            ]
            if not after:
                continue
            nxt = min(after, key=lambda c: (c.start, c.index))
            result.inspected += 1
            wait, gap = retry_after_s(call), nxt.start - call.end
            if gap + CLOCK_SLACK_S < wait:
                result.breach(
                    f"{nxt.label} came {max(gap, 0):.2f} s after the 429 of {call.label}, "
                    f"which asked for {wait:g} s",
                    call,
                    nxt,
                )
    if limited and not result.inspected:
        result.empty = f"{limited} request(s) got a 429, but the POS sent nothing after them"
    return result


# -- credentials never in query strings ----------------------------------------------------
_NOT_CREDENTIALS = {"otp", "validationcode", "pin", "hash", "format"}
_MORE_CREDENTIALS = {"pwd", "pass", "auth", "sessionid", "sid", "sig", "apisig"}
_CREDENTIAL_SHAPE = re.compile(
    r"^(?:eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*|(?:Bearer|Basic)\s+\S+)$", re.I
)


def credential_param(name: str, value: str) -> bool:
    norm = re.sub(r"[^a-z0-9]", "", name.lower())
    if norm in _NOT_CREDENTIALS or not value:
        return False
    return secret_name(name) or norm in _MORE_CREDENTIALS or bool(_CREDENTIAL_SHAPE.match(value))


def no_credentials_in_query(traffic: Traffic) -> RuleResult:
    result = RuleResult(what="request(s)", empty="the traffic has no request")
    for call in traffic.calls:
        result.inspected += 1
        names = sorted({k for k, v in call.params.items() if credential_param(k, v)})
        if names:
            result.breach(f"{call.label} sends {', '.join(names)} in the query string", call)
    return result


def query_secrets(calls: Iterable[Call]) -> set[str]:
    """Credential values found in query strings (masked in every report)."""
    return {v for c in calls for k, v in c.params.items() if credential_param(k, v)}


# -- the rules and the checklist items they judge ------------------------------------------
RULES: dict[str, Callable[[Traffic], RuleResult]] = {
    "lookup_before_redeem": lookup_before_redeem,
    "redeem_within_balance": redeem_within_balance,
    "hold_before_redeem": hold_before_redeem,
    "check_before_redeem": check_before_redeem,
    "bill_before_redeem": bill_before_redeem,
    "release_on_void": release_on_void,
    "unique_ids": unique_ids,
    "refund_of_real_order": refund_of_real_order,
    "timestamps": timestamps,
    "no_personal_data": no_personal_data,
    "retry_same_ids": retry_same_ids,
    "backoff": backoff,
    "no_credentials_in_query": no_credentials_in_query,
}


RULE_TITLES = {
    "lookup_before_redeem": "a balance read in the same checkout before each redemption",
    "redeem_within_balance": "never more points than the balance just read",
    "hold_before_redeem": "the order that redeems names its hold",
    "check_before_redeem": "isredeemable before points/redeem",
    "bill_before_redeem": "the bill before points/redeem",
    "release_on_void": "every hold used or released",
    "unique_ids": "ids never reused for other content",
    "refund_of_real_order": "refunds name an order sent before",
    "timestamps": "timestamps in the vendor's format",
    "no_personal_data": "no personal data in event payloads",
    "retry_same_ids": "a failed call is resent under the same ids",
    "backoff": "back off after a 429",
    "no_credentials_in_query": "no credentials in query strings",
}


@dataclass(frozen=True)
class AuditItem:
    """One rule judging one item of the vendor's checklist, stated for this vendor."""

    item_id: str
    rule: str
    text: str


_BACKOFF = "After a 429 the POS sends nothing more until Retry-After (1 s when absent) has passed."
_NO_QUERY_CREDENTIALS = (
    "Credentials (API keys, secrets, tokens, passwords) never travel in a query string, where "
    "servers and proxies log them."
)

AUDIT_ITEMS: dict[str, tuple[AuditItem, ...]] = {
    "gameball": (
        AuditItem(
            "GB-RED-01",
            "lookup_before_redeem",
            "Each hold follows a read of the customer's balance in the same checkout (since the "
            "customer's previous hold), not one read a day.",
        ),
        AuditItem(
            "GB-RED-01",
            "redeem_within_balance",
            "A hold never asks for more points than the balance the POS just read showed "
            "available.",
        ),
        AuditItem(
            "GB-RED-03",
            "hold_before_redeem",
            "An order that redeems names (redemption.pointsHoldReference) a hold created earlier "
            "for the same customer, neither released nor used by another order; no order of a "
            "customer with an open hold leaves its reference out.",
        ),
        AuditItem(
            "GB-RED-04",
            "release_on_void",
            "Every hold is used by an order or released (DELETE transactions/hold); none is "
            "left to expire.",
        ),
        AuditItem(
            "GB-ORD-02",
            "unique_ids",
            "An order id (a refund id, a transaction id) names one order only: every request "
            "that repeats it carries the same content.",
        ),
        AuditItem(
            "GB-REF-02",
            "refund_of_real_order",
            "A refund names (reverseTransactionId) an order Gameball accepted earlier.",
        ),
        AuditItem(
            "GB-ORD-03",
            "timestamps",
            "Dates in request bodies (orderDate, transactionTime, ...) are ISO 8601 timestamps "
            "in UTC.",
        ),
        AuditItem(
            "GB-EVT-01",
            "no_personal_data",
            "Event metadata carries no personal data (e-mail addresses, phone numbers, names).",
        ),
        AuditItem(
            "GB-ERR-01",
            "retry_same_ids",
            "A call that got no answer, a 5xx or an answer slower than the POS's timeout is "
            "sent again with the same ids, never as a new order.",
        ),
        AuditItem("GB-API-04", "backoff", _BACKOFF),
        AuditItem("GB-SEC-02", "no_credentials_in_query", _NO_QUERY_CREDENTIALS),
    ),
    "wll": (
        AuditItem(
            "WLL-RED-03",
            "lookup_before_redeem",
            "Each REDEEMED_POINTS deduction follows a fresh read of the member's wallet (since "
            "the member's previous deduction): WLL lets a deduction overdraw.",
        ),
        AuditItem(
            "WLL-RED-03",
            "redeem_within_balance",
            "A REDEEMED_POINTS deduction never exceeds the points the wallet just read held (less "
            "what was deducted since): the POS caps it, WLL will not.",
        ),
        AuditItem(
            "WLL-RED-01",
            "hold_before_redeem",
            "A sale (TRANSACTION) that redeems points follows a REDEEMED_POINTS deduction for "
            "the same transaction.",
        ),
        AuditItem(
            "WLL-RED-02",
            "release_on_void",
            "Every REDEEMED_POINTS deduction is used by its sale (TRANSACTION) or given back "
            "(POINTS_REFUND) when the sale is voided.",
        ),
        AuditItem(
            "WLL-EARN-03",
            "unique_ids",
            "An event id, and a sale's transactionId, are never reused for other content.",
        ),
        AuditItem(
            "WLL-REF-02",
            "refund_of_real_order",
            "A refund's events (a refund, or a POINTS_REFUND reversing a sale) name "
            "(transactionId) a sale reported successfully earlier.",
        ),
        AuditItem(
            "WLL-EARN-05",
            "timestamps",
            "Dates in event payloads (transactionDate, ...) are ISO 8601 timestamps in UTC.",
        ),
        AuditItem(
            "WLL-EARN-02",
            "no_personal_data",
            "Event payloads carry no personal data (e-mail addresses, phone numbers, names).",
        ),
        AuditItem(
            "WLL-EARN-06",
            "retry_same_ids",
            "An event that got no answer, a 5xx or an answer slower than the POS's timeout is "
            "sent again with the same event id and transactionId, never as a new sale.",
        ),
        AuditItem("WLL-RATE-01", "backoff", _BACKOFF),
        AuditItem("WLL-SEC-01", "no_credentials_in_query", _NO_QUERY_CREDENTIALS),
    ),
    "capillary": (
        AuditItem(
            "CAP-CUS-01",
            "lookup_before_redeem",
            "Each points check and redemption follows a customer/get of the customer in the "
            "same checkout (since the customer's previous redemption).",
        ),
        AuditItem(
            "CAP-PTS-01",
            "check_before_redeem",
            "Each points/redeem follows a successful points/isredeemable for the same customer.",
        ),
        AuditItem(
            "CAP-PTS-01",
            "redeem_within_balance",
            "A points check or redemption never asks for more points than the loyalty_points "
            "of the customer/get just made.",
        ),
        AuditItem(
            "CAP-PTS-02",
            "bill_before_redeem",
            "Each points/redeem names (transaction_number) a bill transaction/add recorded "
            "before it.",
        ),
        AuditItem(
            "CAP-BILL-02",
            "unique_ids",
            "A bill number (a return's own number, a redemption's external_reference_number) "
            "is never reused for other content.",
        ),
        AuditItem(
            "CAP-BILL-04",
            "refund_of_real_order",
            "A return (transaction/add type RETURN) names (number) a bill recorded successfully "
            "earlier.",
        ),
        AuditItem(
            "CAP-BILL-05",
            "timestamps",
            "Times in request bodies (billing_time, ...) are YYYY-MM-DD HH:MM:SS in v1.1 and "
            "ISO 8601 UTC in v2.",
        ),
        AuditItem(
            "CAP-RES-01",
            "retry_same_ids",
            "A call that got no answer, a 5xx or an answer slower than the till's timeout is sent "
            "again with the same bill number and references, never as a new bill.",
        ),
        AuditItem("CAP-RES-04", "backoff", _BACKOFF),
        AuditItem("CAP-SEC-01", "no_credentials_in_query", _NO_QUERY_CREDENTIALS),
    ),
}

from . import traffic_warnings  # noqa: E402, F401  (adds the audit's warnings to the tables)
