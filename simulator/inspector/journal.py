"""Journal rows: one per recorded exchange, masked, with its vendor call and ledger effect."""

from __future__ import annotations

import bisect
import json
import shlex
from typing import Any

from ..certify.redact import Redactor
from ..certify.traffic_calls import OPS, to_calls
from .marks import LedgerMarks, Mark


def operation_name(dialects, doc: dict[str, Any], mark: Mark | None) -> str:
    """The vendor's call as its docs name it, e.g. "POST transactions/hold": the route
    template that answered when known, else the path without the dialect's base."""
    path = mark.route if mark is not None and mark.route else doc["path"]
    prefixes = next((d.prefixes for d in dialects if d.name == doc.get("dialect")), ())
    return f"{doc['method']} {_strip(path, prefixes)}"


def _strip(path: str, prefixes: tuple[str, ...]) -> str:
    for prefix in sorted(prefixes, key=len, reverse=True):
        prefix = prefix.rstrip("/")
        if path.startswith(prefix + "/"):
            return path[len(prefix) + 1 :]
    return path.lstrip("/")  # a route template is already relative to the dialect's base


def redactor_for(tenant, documents: list[dict[str, Any]]) -> Redactor:
    """Learn the tenant's credentials and every secret/personal value its traffic carried."""
    redactor = Redactor()
    for creds in tenant.credentials.values():
        redactor.secret(list(creds.values()))
    for doc in documents:
        redactor.learn_headers(doc.get("request_headers"))
        redactor.learn_json(doc.get("request_body"))
        redactor.learn_json(doc.get("response_body"))
    return redactor


BY_SHAPE = Redactor()  # learns nothing: masks e-mails, phones and tokens by their shape


class Journal:
    """A tenant's exchanges as the inspector shows them, read from the traffic ring."""

    def __init__(self, tenant, dialects, marks: LedgerMarks | None) -> None:
        self.tenant = tenant
        self.dialects = dialects
        self.marks = marks
        self.entries = list(tenant.traffic)  # references only: cheap even for a full ring
        self.stamps: list[Mark | None] = [
            marks.get(tenant.tenant_id, e.request_id) if marks else None for e in self.entries
        ]
        self._docs: dict[int, dict[str, Any]] = {}
        self._redactor: Redactor | None = None
        self.skipped = 0  # new exchanges left out of the last rows() by its limit

    def doc(self, n: int) -> dict[str, Any]:
        """Exchange n as the traffic log reads it (decoded and secret-masked), built once."""
        doc = self._docs.get(n)
        if doc is None:
            doc = self._docs[n] = self.entries[n].to_dict()
        return doc

    @property
    def redactor(self) -> Redactor:
        """Learns from the exchanges shown, so its cost follows what the page displays."""
        if self._redactor is None:
            self._redactor = redactor_for(self.tenant, list(self._docs.values()))
        return self._redactor

    def rows(self, after: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """Rows of the exchanges stamped after `after`, oldest first; the newest `limit`."""
        wanted = [
            n
            for n, mark in enumerate(self.stamps)
            if not after or (mark is not None and mark.seq > after)
        ]
        if limit is not None and len(wanted) > limit:
            self.skipped, wanted = len(wanted) - limit, wanted[-limit:]
        for n in wanted:
            self.doc(n)
        return [self._row(n, self.doc(n), self.stamps[n]) for n in wanted]

    def _row(self, n: int, doc: dict[str, Any], mark: Mark | None) -> dict[str, Any]:
        call = self._call(doc)
        op = _first_op(call, doc.get("dialect"))
        effect = self.effect(n)
        named = set(op.member) if op is not None else set()
        if not named:  # a release or refund names no member: its postings do
            named = {a[7:] for p in effect for a in (p.debit, p.credit) if a.startswith("member:")}
        members = sorted(named)
        return {
            "seq": mark.seq if mark else None,
            "request_id": doc["request_id"],
            "at": doc["at"],
            "clock": mark.clock.isoformat() if mark else None,
            "dialect": doc.get("dialect"),
            "operation": operation_name(self.dialects, doc, mark),
            "kind": op.kind if op is not None else None,
            "member": [BY_SHAPE.text(m) for m in members],
            "member_raw": members,  # for filtering only; the page shows "member"
            "order": op.key if op is not None and op.family in ("order", "bill") else None,
            "status": doc["status"],
            "latency_ms": doc["duration_ms"],
            "fault": doc.get("fault"),
            "effect": [_posting_line(p) for p in effect],
        }

    def _call(self, doc: dict[str, Any]):
        dialect = doc.get("dialect")
        if not dialect:
            return None
        calls, _, _ = to_calls([(1, doc)], dialect)
        return calls[0] if calls else None

    def find(self, request_id: str) -> int | None:
        for n, entry in enumerate(self.entries):
            if entry.request_id == request_id:
                return n
        return None

    def detail(self, n: int, base_url: str) -> dict[str, Any]:
        doc = self.doc(n)
        masked = {
            "method": doc["method"],
            "path": self.redactor.text(doc["path"]),
            "query": self.redactor.text(doc["query"]),
            "request_headers": self.redactor.headers(doc["request_headers"]),
            "request_body": self.redactor.json(doc["request_body"]),
            "status": doc["status"],
            "response_headers": self.redactor.headers(doc["response_headers"]),
            "response_body": self.redactor.json(doc["response_body"]),
        }
        return {
            **self._row(n, doc, self.stamps[n]),
            "member_raw": None,
            "exchange": masked,
            "curl": curl(masked, base_url),
            "holds": self._holds(self.effect(n)),
        }

    def effect(self, n: int) -> list:
        """The postings committed between the previous stamped exchange and this one."""
        mark = self.stamps[n]
        if mark is None:
            return []
        before = 0
        for m in range(n - 1, -1, -1):
            prev = self.stamps[m]
            if prev is not None:
                before = prev.ledger_seq if prev.ledger_seq <= mark.ledger_seq else 0
                break
        postings = self.tenant.engine.state.ledger.postings

        def seq(p) -> int:
            return p.seq

        lo = bisect.bisect_right(postings, before, key=seq)  # O(log n): the log only grows
        hi = bisect.bisect_right(postings, mark.ledger_seq, lo=lo, key=seq)
        return postings[lo:hi]

    def _holds(self, postings) -> list[dict[str, Any]]:
        """The holds this exchange opened, captured, released or expired, as they are now."""
        holds = self.tenant.engine.state.holds
        by_pending = {h.pending_id: h for h in holds.values()}
        seen: dict[str, dict[str, Any]] = {}
        for p in postings:
            hold = by_pending.get(p.pending_id) if p.pending_id is not None else None
            hold = hold or holds.get(dict(p.refs).get("hold", ""))
            if hold is not None:
                line = seen.setdefault(hold.hold_id, _hold_line(hold))
                line["changes"].append(HOLD_CHANGES.get(p.kind, p.kind))
        return list(seen.values())


HOLD_CHANGES = {"hold": "opened", "capture": "captured", "release": "released"}
HOLD_CHANGES["expire_hold"] = "expired"


def _hold_line(hold) -> dict[str, Any]:
    return {
        "hold": hold.hold_id,
        "member": hold.member_id,
        "amount": hold.amount,
        "state": hold.state,
        "expires_at": hold.expires_at.isoformat(),
        "changes": [],
    }


def _first_op(call, dialect: str | None):
    if call is None or dialect not in OPS:
        return None
    ops = OPS[dialect](call)
    return ops[0] if ops else None


def _posting_line(p) -> dict[str, Any]:
    return {
        "seq": p.seq,
        "kind": p.kind,
        "phase": p.phase,
        "debit": p.debit,
        "credit": p.credit,
        "amount": p.amount,
        "refs": dict(p.refs),
    }


def curl(masked: dict[str, Any], base_url: str) -> str:
    """A curl command that sends the exchange again; masked values become shell variables."""
    url = base_url.rstrip("/") + masked["path"] + (f"?{masked['query']}" if masked["query"] else "")
    parts = ["curl", "-sS", "-X", masked["method"], shlex.quote(url)]
    for name, value in masked["request_headers"].items():
        if name in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
            continue
        shown = f'"${_var(name)}"' if "[secret]" in value else shlex.quote(f"{name}: {value}")
        if shown.startswith('"$'):
            shown = f'"{name}: ${{{_var(name)}}}"'
        parts += ["-H", shown]
    body = masked["request_body"]
    if body is not None:
        text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        parts += ["--data-raw", shlex.quote(text)]
    return " ".join(parts)


def _var(header: str) -> str:
    return "POSIM_" + "".join(c if c.isalnum() else "_" for c in header).upper()
