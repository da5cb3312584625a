"""Recorded traffic as `posim audit` reads it: calls, and what each call did in neutral terms.

Each JSON line of `posim serve --record` (request_id, at, tenant, dialect, method, path,
query, headers, bodies, status, duration_ms, fault) becomes a `Call`; each call of one vendor
is then read as zero or more `Op`s: a member read, a hold, an order, a refund, a redemption...
with the client's own ids, what it names (a hold reference, an order) and how it ended.
The rules in `traffic_rules` only ever look at these two shapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..protocol.base_paths import BASE_PATHS, CAPILLARY, GAMEBALL, WLL

LOST_FAULTS = ("lose_response", "drop")
OK, LOST, DUPLICATE, THROTTLED, REFUSED = "ok", "lost", "duplicate", "throttled", "refused"

# which vendor a path belongs to, for lines recorded without a dialect (a fault that fired
# before the dialect's router, a recorder in front of a real vendor)
_PATHS = {name: paths.under() for name, paths in BASE_PATHS.items()}
_TIMESTAMP_KEY = re.compile(r"(?:date|time|timestamp|datetime)$|(?<=[a-z0-9])At$|_at$", re.I)
_NOT_TIMESTAMP = re.compile(r"birth|^dob$|lifetime", re.I)


def is_timestamp_key(key: str) -> bool:
    """orderDate, transactionTime, billing_time, createdAt... (not birth dates)."""
    return bool(_TIMESTAMP_KEY.search(key)) and not _NOT_TIMESTAMP.search(key)


@dataclass
class Call:
    """One recorded exchange of the audited dialect."""

    index: int  # position among the audited calls, in start order
    line: int  # line number in the traffic file
    request_id: str
    start: float  # epoch seconds: `started_at`, else the end less the duration
    end: float
    tenant: str | None
    pos: str  # who sent it: the tenant, else the credential it carried
    dialect: str
    method: str
    path: str
    params: dict[str, str]
    request_headers: dict[str, str]
    body: Any
    status: int
    response_headers: dict[str, str]
    response: Any
    fault_kind: str | None
    duration_ms: float

    @property
    def lost(self) -> bool:
        """The POS got no answer: a lost response, a dropped connection (599), nothing sent."""
        return self.fault_kind in LOST_FAULTS or self.status in (0, 599)

    @property
    def write(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.response_headers.items() if k.lower() == wanted), None)

    @property
    def label(self) -> str:
        """How evidence names it: the request id, the file line and the call."""
        return f"{self.request_id} (line {self.line}, {self.method} {self.path})"


@dataclass
class Op:
    """What one call (or one item of a Capillary batch) did, in neutral terms.

    kind: read (a member lookup or balance), hold, release, hold_check, check (Capillary's
    isredeemable), order (a sale), refund, redeem (points spent), restore (points given back)
    or event. `key` is the client's own id for what it creates; `txn` the sale it belongs to
    (an order's own id, the order a refund names, the bill a redemption names); `hold` a hold
    reference it creates, uses or releases.
    """

    kind: str
    call: Call
    member: frozenset[str] = frozenset()  # the member identifiers the request names
    seen: frozenset[str] = frozenset()  # a read: every identifier the answer confirmed
    key: str | None = None
    family: str = ""  # the id namespace of `key` (order, refund, event, bill, ...)
    ids: tuple[str | None, ...] = ()  # every client id it carries, key first
    core: str = ""  # canonical content without ids and timestamps (member included)
    outcome: str = OK
    txn: str | None = None
    hold: str | None = None
    points: float | None = None
    redeems: bool = False  # an order that spends points
    wallet: bool = False  # a read that returns the balance
    balance: float | None = None  # a read: the points it showed as spendable
    state: str = ""  # a hold_check: the hold's state
    event_type: str = ""
    unique: tuple[tuple[str, str], ...] = ()  # (family, id) pairs that must name one content

    @property
    def index(self) -> int:
        return self.call.index

    @property
    def pos(self) -> str:
        return self.call.pos

    @property
    def label(self) -> str:
        return self.call.label


@dataclass
class Traffic:
    """The audited dialect's calls and ops, plus what could not be read."""

    dialect: str
    calls: list[Call]
    ops: list[Op]
    problems: list[str] = field(default_factory=list)
    other_lines: int = 0  # lines of other dialects or of the control plane


# -- reading the file ----------------------------------------------------------------------
def _epoch(value: Any) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _pos(entry: dict[str, Any], headers: dict[str, str]) -> str:
    if entry.get("tenant"):
        return str(entry["tenant"])
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("apikey", "x-api-key", "authorization"):
        if lowered.get(name):
            return f"{name}:{lowered[name]}"
    return "-"


def dialect_of(entry: dict[str, Any]) -> str | None:
    """The vendor of a recorded line: its `dialect`, else the path's owner (None: neither)."""
    path = str(entry.get("path") or "")
    if path.startswith("/_posim"):
        return None
    if entry.get("dialect"):
        return str(entry["dialect"])
    return next((name for name, pattern in _PATHS.items() if pattern.match(path)), None)


def read_lines(path: str | Path) -> tuple[list[tuple[int, dict[str, Any]]], list[int]]:
    """(line number, entry) for each JSON object line, and the numbers of unreadable lines."""
    entries, bad = [], []
    with open(path, encoding="utf-8") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError:
                bad.append(number)
                continue
            if isinstance(entry, dict) and entry.get("method") and entry.get("path"):
                entries.append((number, entry))
            else:
                bad.append(number)
    return entries, bad


def to_calls(
    lines: Iterable[tuple[int, dict[str, Any]]], dialect: str
) -> tuple[list[Call], int, list[int]]:
    """The calls of one dialect in start order, how many lines were someone else's, and the
    numbers of the dialect's lines whose fields could not be read."""
    calls: list[Call] = []
    others = 0
    bad: list[int] = []
    for number, entry in lines:
        if dialect_of(entry) != dialect:
            others += 1
            continue
        try:
            call = _call(len(calls), number, entry, dialect, calls[-1].end if calls else 0.0)
        except (TypeError, ValueError):
            bad.append(number)
            continue
        calls.append(call)
    # the recorder writes an exchange when it ends; the POS sent them in start order (a lost
    # answer that ends after its own retry still came first)
    calls.sort(key=lambda c: (c.start, c.line))
    for n, call in enumerate(calls):
        call.index = n
    return calls, others, bad


def _call(index: int, number: int, entry: dict[str, Any], dialect: str, previous: float) -> Call:
    end = _epoch(entry.get("at"))
    end = previous if end is None else end
    duration = float(entry.get("duration_ms") or 0.0)
    start = _epoch(entry.get("started_at"))
    headers = _headers(entry.get("request_headers"))
    fault = entry["fault"] if isinstance(entry.get("fault"), dict) else {}
    return Call(
        index=index,
        line=number,
        request_id=str(entry.get("request_id") or f"line-{number}"),
        start=end - duration / 1000 if start is None else start,
        end=end,
        tenant=entry.get("tenant"),
        pos=_pos(entry, headers),
        dialect=dialect,
        method=str(entry["method"]).upper(),
        path=str(entry["path"]),
        params=dict(parse_qsl(str(entry.get("query") or ""), keep_blank_values=True)),
        request_headers=headers,
        body=entry.get("request_body"),
        status=int(entry.get("status") or 0),
        response_headers=_headers(entry.get("response_headers")),
        response=entry.get("response_body"),
        fault_kind=fault.get("kind"),
        duration_ms=duration,
    )


# -- helpers shared by the vendors ---------------------------------------------------------
def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _strip(value: Any, drop: frozenset[str]) -> Any:
    """The value without the keys in `drop` and without timestamps, at any depth."""
    if isinstance(value, dict):
        return {
            k: _strip(v, drop)
            for k, v in value.items()
            if k not in drop and not is_timestamp_key(str(k))
        }
    if isinstance(value, list):
        return [_strip(v, drop) for v in value]
    return value


def canonical(value: Any, drop: Iterable[str] = ()) -> str:
    return json.dumps(_strip(value, frozenset(drop)), sort_keys=True, default=str)


def _base_outcome(call: Call) -> str | None:
    if call.lost:
        return LOST
    if call.status == 429:
        return THROTTLED
    return None


# -- Gameball ------------------------------------------------------------------------------
_GB = GAMEBALL.rest()
_GB_CUSTOMER = re.compile(r"/customers/([^/]+)(/balance|/details)?")
_GB_HOLD = re.compile(r"/transactions/hold/([^/]+)")
_GB_DUPLICATE = (9004,)


def _gb_outcome(call: Call) -> str:
    base = _base_outcome(call)
    if base:
        return base
    if 200 <= call.status < 300:
        return OK
    code = _dict(call.response).get("code")
    if call.status == 409 or code in _GB_DUPLICATE:
        return DUPLICATE
    return REFUSED


def gameball_ops(call: Call) -> list[Op]:
    match = _GB.match(call.path)
    if not match:
        return []
    route, body, answer = match.group(1), _dict(call.body), _dict(call.response)
    outcome = _gb_outcome(call)
    member = frozenset(filter(None, [_str(body.get("customerId"))]))
    if call.method == "GET":
        if found := _GB_CUSTOMER.fullmatch(route):
            asked = frozenset([unquote(found.group(1))])
            seen = asked | frozenset(filter(None, [_str(answer.get("customerId"))]))
            wallet = found.group(2) == "/balance"
            balance = _number(answer.get("availablePointsBalance")) if wallet else None
            return [Op("read", call, asked, seen, outcome=outcome, wallet=wallet, balance=balance)]
        if found := _GB_HOLD.fullmatch(route):
            state = str(answer.get("state") or "").lower()
            return [Op("hold_check", call, hold=unquote(found.group(1)), state=state)]
        return []
    if call.method == "DELETE" and (found := _GB_HOLD.fullmatch(route)):
        return [Op("release", call, outcome=outcome, hold=unquote(found.group(1)))]
    if call.method != "POST":
        return []
    if route == "/transactions/hold":
        hold = _str(answer.get("holdReference")) if outcome == OK else None
        points = _number(body.get("pointsToHold"))
        return [Op("hold", call, member, outcome=outcome, hold=hold, points=points)]
    if route == "/orders":
        key = _str(body.get("orderId"))
        hold = _str(_dict(body.get("redemption")).get("pointsHoldReference"))
        return [
            Op(
                "order",
                call,
                member,
                key=key,
                family="order",
                ids=(key,),
                core=canonical(body, ("orderId",)),
                outcome=outcome,
                txn=key,
                hold=hold,
                redeems=hold is not None,
                unique=(("order", key),) if key else (),
            )
        ]
    if route == "/transactions/refund":
        key = _str(body.get("refundTransactionId"))
        return [
            Op(
                "refund",
                call,
                member,
                key=key,
                family="refund",
                ids=(key,),
                core=canonical(body, ("refundTransactionId",)),
                outcome=outcome,
                txn=_str(body.get("reverseTransactionId")),
                unique=(("refund", key),) if key else (),
            )
        ]
    if route in ("/transactions/redeem", "/transactions/cashback"):
        key = _str(body.get("transactionId"))
        hold = _str(body.get("holdReference"))
        kind = "redeem" if route.endswith("redeem") else "order"
        return [
            Op(
                kind,
                call,
                member,
                key=key,
                family="transaction",
                ids=(key,),
                core=canonical(body, ("transactionId",)),
                outcome=outcome,
                txn=key,
                hold=hold,
                points=_number(body.get("points")),
                unique=(("transaction", key),) if key else (),
            )
        ]
    return []


def gameball_event_payloads(call: Call) -> list[tuple[str, Any]]:
    """(where, metadata) of each event a POST events call reports."""
    match = _GB.match(call.path)
    if call.method != "POST" or not match or match.group(1) != "/events":
        return []
    body = _dict(call.body)
    out = [(f"events.{name}", meta) for name, meta in _dict(body.get("events")).items()]
    if "metadata" in body:  # the POS guide's {eventName, metadata} form
        out.append(("metadata", body["metadata"]))
    return out


# -- White Label Loyalty -------------------------------------------------------------------
# WLL's spec paths end in "/"
_WLL_USER = re.compile(rf"^{re.escape(WLL.client)}/users/([^/]+)(/wallet)?/?$")
_WLL_EVENTS = f"{WLL.client}/events"
SALE_TYPES = ("TRANSACTION", "ORDER", "PURCHASE", "SALE")
REFUND_TYPES = ("REFUND", "RETURN", "TRANSACTION_REFUND", "TRANSACTION_RETURN")
REDEEM_TYPE, RESTORE_TYPE = "REDEEMED_POINTS", "POINTS_REFUND"
# a tenant's own event types that give points back (POINTS_REVERSED, VOIDED_REDEMPTION...)
_REVERSAL = re.compile(r"REFUND|REVERS|RETURN|VOID|CANCEL|RESTOR")
_REDEEMED_KEYS = ("pointsRedeemed", "redeemedPoints", "points_redeemed", "pointsUsed")
_WLL_IDS = frozenset({"id", "transactionId", "refundId"})


def _wll_outcome(call: Call) -> str:
    base = _base_outcome(call)
    if base:
        return base
    if 200 <= call.status < 300:
        return OK
    return DUPLICATE if call.status == 409 else REFUSED


def _wll_data(value: Any) -> dict[str, Any]:
    value = _dict(value)
    return _dict(value.get("data")) if "data" in value and "status" in value else value


def wll_ops(call: Call) -> list[Op]:
    outcome = _wll_outcome(call)
    if call.method == "GET" and (found := _WLL_USER.match(call.path)):
        asked = frozenset([unquote(found.group(1))])
        data = _wll_data(call.response)
        names = ("id", "accountNumber", "authIdentifier", "externalIdentifier")
        seen = asked | frozenset(filter(None, (_str(data.get(k)) for k in names)))
        wallet = bool(found.group(2))
        balance = _number(data.get("points")) if wallet else None
        return [Op("read", call, asked, seen, outcome=outcome, wallet=wallet, balance=balance)]
    if call.method != "POST" or call.path.rstrip("/") != _WLL_EVENTS:
        return []
    body = _dict(call.body)
    payload = _dict(body.get("payload"))
    event_type = str(body.get("type") or "").upper()
    subject = body.get("subject")  # the spec's user id, or an object of identifiers
    named = [subject] if isinstance(subject, str) else _dict(subject).values()
    member = frozenset(filter(None, (_str(v) for v in named)))
    event_id = _str(body.get("id"))
    txn = _str(payload.get("transactionId"))
    refund_id = _str(payload.get("refundId"))
    common: dict[str, Any] = {
        "member": member,
        "key": event_id,
        "family": "event",
        "ids": (event_id, txn, refund_id),
        "core": canonical(
            {"type": event_type, "subject": body.get("subject"), "p": payload}, _WLL_IDS
        ),
        "outcome": outcome,
        "event_type": event_type,
        "points": _number(payload.get("points")),
    }
    unique = [("event", event_id)] if event_id else []
    if refund_id or event_type in REFUND_TYPES:
        return [Op("refund", call, txn=txn, unique=tuple(unique), **common)]
    if event_type in SALE_TYPES:
        sale = txn or event_id
        redeemed = next((_number(payload.get(k)) for k in _REDEEMED_KEYS if k in payload), None)
        if sale:
            unique.append(("transaction", sale))
        common["points"] = redeemed
        return [Op("order", call, txn=sale, redeems=bool(redeemed), unique=tuple(unique), **common)]
    kind = {REDEEM_TYPE: "redeem", RESTORE_TYPE: "restore"}.get(event_type, "event")
    if kind == "event" and _REVERSAL.search(event_type) and common["points"] is not None:
        kind = "restore"
    return [Op(kind, call, txn=txn, unique=tuple(unique), **common)]


def wll_event_payloads(call: Call) -> list[tuple[str, Any]]:
    if call.method != "POST" or call.path.rstrip("/") != _WLL_EVENTS:
        return []
    body = _dict(call.body)
    return [(f"{body.get('type') or 'event'} payload", body.get("payload"))]


# -- Capillary InTouch ---------------------------------------------------------------------
CAP_IDENTIFIERS = ("mobile", "email", "external_id", "card_number", "card_external_id", "id")
RETURN_TYPES = ("RETURN", "NOT_INTERESTED_RETURN")
_CAP_OK_CODES = (200, 600, 700, 800, 1000, 1630)
_CAP_DUPLICATE_CODES = (604, 744)
_CAP_THROTTLED_CODE = 517


def _cap_ident(kind: str, value: Any) -> str | None:
    text = _str(value)
    if text and kind == "mobile":
        text = re.sub(r"\D", "", text) or None
    return text


def _cap_member(source: Any) -> frozenset[str]:
    source = _dict(source)
    return frozenset(filter(None, (_cap_ident(k, source.get(k)) for k in CAP_IDENTIFIERS)))


def _cap_items(response: Any) -> list[dict[str, Any]]:
    """The items of a v1.1 answer that carry an item_status, in request order."""
    envelope = _dict(_dict(response).get("response"))
    for key, container in envelope.items():
        if key == "status" or not isinstance(container, dict):
            continue
        for inner in container.values():
            items = inner if isinstance(inner, list) else [inner]
            found = [i for i in items if isinstance(i, dict) and "item_status" in i]
            if found:
                return found
    return []


def _code(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _cap_outcome(call: Call, item: dict[str, Any] | None) -> str:
    base = _base_outcome(call)
    if base:
        return base
    status = _dict(_dict(_dict(call.response).get("response")).get("status"))
    if _code(status.get("code")) == _CAP_THROTTLED_CODE:
        return THROTTLED
    if not 200 <= call.status < 300:
        return REFUSED
    if item is None:
        return OK if str(status.get("success")).lower() == "true" else REFUSED
    item_status = _dict(item.get("item_status"))
    code = _code(item_status.get("code"))
    if code == _CAP_THROTTLED_CODE:
        return THROTTLED
    if code in _CAP_DUPLICATE_CODES:
        return DUPLICATE
    if str(item_status.get("success")).lower() == "true" or code in _CAP_OK_CODES:
        return OK
    return REFUSED


def cap_throttled(call: Call) -> bool:
    """HTTP 429, or InTouch's own "rate limit exceeded" (517) in a 200 answer."""
    if call.status == 429:
        return True
    status = _dict(_dict(_dict(call.response).get("response")).get("status"))
    if _code(status.get("code")) == _CAP_THROTTLED_CODE:
        return True
    return any(
        _code(_dict(i.get("item_status")).get("code")) == _CAP_THROTTLED_CODE
        for i in _cap_items(call.response)
    )


def _batch(body: Any, entity: str) -> list[dict[str, Any]]:
    value = _dict(_dict(body).get("root")).get(entity)
    items = value if isinstance(value, list) else [value]
    return [i for i in items if isinstance(i, dict)]


def capillary_ops(call: Call) -> list[Op]:
    path, items = call.path, _cap_items(call.response)

    def item(n: int) -> dict[str, Any] | None:
        return items[n] if n < len(items) else None

    if call.method == "GET" and path == f"{CAPILLARY.client}/customer/get":
        asked = _cap_member(call.params)
        seen = set(asked)
        for record in items:
            seen |= _cap_member(record)
            seen |= frozenset(filter(None, [_str(record.get("user_id"))]))
        outcome = _cap_outcome(call, item(0))
        balance = _number((item(0) or {}).get("loyalty_points")) if len(items) == 1 else None
        return [
            Op("read", call, asked, frozenset(seen), outcome=outcome, wallet=True, balance=balance)
        ]
    if call.method == "GET" and path == f"{CAPILLARY.client}/points/isredeemable":
        answer = item(0) or {}
        outcome = _cap_outcome(call, answer or None)
        if outcome == OK and str(answer.get("is_redeemable")).lower() != "true":
            outcome = REFUSED
        points = _number(call.params.get("points"))
        return [Op("check", call, _cap_member(call.params), outcome=outcome, points=points)]
    if call.method != "POST":
        return []
    ops: list[Op] = []
    if path == f"{CAPILLARY.client}/transaction/add":
        for n, bill in enumerate(_batch(call.body, "transaction")):
            member = _cap_member(bill.get("customer"))
            outcome = _cap_outcome(call, item(n))
            number = _str(bill.get("number"))
            if str(bill.get("type") or "").upper() in RETURN_TYPES:
                key = _str(bill.get("parent_bill_number"))
                core = canonical(bill, ("parent_bill_number",))
                unique = (("return", key),) if key else ()
                kind, family, txn = "refund", "return", number
            else:
                key, core, kind, family, txn = (
                    number,
                    canonical(bill, ("number",)),
                    "order",
                    "bill",
                    number,
                )
                unique = (("bill", key),) if key else ()
            ops.append(
                Op(
                    kind,
                    call,
                    member,
                    key=key,
                    family=family,
                    ids=(key, number),
                    core=core,
                    outcome=outcome,
                    txn=txn,
                    unique=unique,
                )
            )
    elif path == f"{CAPILLARY.client}/points/redeem":
        for n, redeem in enumerate(_batch(call.body, "redeem")):
            key = _str(redeem.get("external_reference_number"))
            bill_number = _str(redeem.get("transaction_number"))
            drop = ("external_reference_number", "transaction_number", "validation_code")
            ops.append(
                Op(
                    "redeem",
                    call,
                    _cap_member(redeem.get("customer")),
                    key=key,
                    family="redemption",
                    ids=(key, bill_number),
                    core=canonical(redeem, drop),
                    outcome=_cap_outcome(call, item(n)),
                    txn=bill_number,
                    points=_number(redeem.get("points_redeemed")),
                    unique=(("redemption", key),) if key else (),
                )
            )
    return ops


def capillary_event_payloads(call: Call) -> list[tuple[str, Any]]:
    return []  # InTouch v1.1 has no custom events


OPS = {"gameball": gameball_ops, "wll": wll_ops, "capillary": capillary_ops}
EVENT_PAYLOADS = {
    "gameball": gameball_event_payloads,
    "wll": wll_event_payloads,
    "capillary": capillary_event_payloads,
}


def throttled(call: Call) -> bool:
    return cap_throttled(call) if call.dialect == "capillary" else call.status == 429


def to_ops(calls: Iterable[Call], dialect: str) -> list[Op]:
    reader = OPS[dialect]
    return [op for call in calls for op in reader(call)]


def load_traffic(path: str | Path, dialect: str) -> Traffic:
    """Read a traffic file for one dialect; unreadable lines are problems, never a crash."""
    lines, bad = read_lines(path)
    calls, others, unreadable = to_calls(lines, dialect)
    bad = sorted(bad + unreadable)
    problems = []
    if bad:
        shown = ", ".join(str(n) for n in bad[:10]) + (", ..." if len(bad) > 10 else "")
        problems.append(f"{len(bad)} line(s) of the traffic are not recorded exchanges: {shown}")
    return Traffic(dialect, calls, to_ops(calls, dialect), problems, others)


def walk(value: Any, where: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, key, leaf) for every leaf of a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{where}.{k}" if where else str(k)
            if isinstance(v, dict | list):
                yield from walk(v, here)
            else:
                yield here, str(k), v
    elif isinstance(value, list):
        for n, v in enumerate(value):
            here = f"{where}[{n}]"
            if isinstance(v, dict | list):
                yield from walk(v, here)
            else:
                yield here, where.rsplit(".", 1)[-1], v
