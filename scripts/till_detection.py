"""Run the till corpus (examples/tills) under each vendor's fault plan and print what the
audit finds: the detection table of docs/certify.md.

    python scripts/till_detection.py                 # every till, every defect
    python scripts/till_detection.py --dialect wll   # one vendor

For each till and condition (the correct till, then one `--defect` at a time) it starts a
fresh tenant on a local `posim serve`, adds the fault plan (a 5xx on one sale, a lost answer
after commit on another, an answer slower than the till's timeout on a third, a 429 burst),
runs the till, reads the tenant's traffic and judges it with `posim audit`'s rules.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.certify.readiness import LABELS, PASSED, exit_status  # noqa: E402
from simulator.certify.traffic_audit import audit  # noqa: E402
from simulator.certify.traffic_rules import RULE_TITLES  # noqa: E402
from simulator.server import ServerProcess  # noqa: E402

TILLS = ROOT / "examples" / "tills"
CLIENT_TIMEOUT_S = 0.5
TILL_BOUND_S = 60.0  # a till that runs longer is stopped
SETTLE_S = 5.0  # how long calls a fault held back may take to be recorded

# the defect each variant carries -> the audit rule that must catch it
EXPECTED = {
    "no-balance-read": "lookup_before_redeem",
    "over-redeem": "redeem_within_balance",
    "no-hold-ref": "hold_before_redeem",
    "keep-hold-on-void": "release_on_void",
    "new-id-on-retry": "retry_same_ids",
    "reuse-order-id": "unique_ids",
    "refund-unknown-order": "refund_of_real_order",
    "ignore-retry-after": "backoff",
    "pii-in-event": "no_personal_data",
    "redeem-before-bill": "bill_before_redeem",
    "no-redeem-check": "check_before_redeem",
}

# which credentials of the tenant each till takes, as (flag, credential name)
CREDENTIALS = {
    "gameball": (("--api-key", "apiKey"), ("--secret-key", "secretKey")),
    "wll": (
        ("--api-key", "apiKey"),
        ("--client-id", "clientId"),
        ("--client-secret", "clientSecret"),
    ),
    "capillary": (("--till", "till"), ("--password", "password")),
}

# how each vendor's sale call looks, and how it names its sale (the tills number their sales
# S1, S2, ...: each fault targets one sale, so faults land on different sales)
SALES = {
    "gameball": {"method": "POST", "route": "/orders$"},
    "wll": {"method": "POST", "route": "/v1/events$", "body": r'"type":\s*"TRANSACTION"'},
    "capillary": {"method": "POST", "route": "/transaction/add$", "body": r'"type":\s*"regular"'},
}
SALE_ID = {"gameball": "orderId", "wll": "transactionId", "capillary": "number"}


def fault_plan(dialect: str) -> list[dict[str, Any]]:
    """A 5xx on sale S1, a lost answer after commit on S2, an answer slower than the till's
    timeout on S3, then a 429 burst a few calls later."""
    slow_ms = int(CLIENT_TIMEOUT_S * 1000) + 500

    def on_sale(n: int) -> dict[str, Any]:
        named = rf'"{SALE_ID[dialect]}":\s*"[^"]*-S{n}"'
        sale = dict(SALES[dialect])
        sale["body"] = f"(?s)^(?=.*{sale['body']})(?=.*{named})" if "body" in sale else named
        return {**sale, "count": 1}

    return [
        {**on_sale(1), "kind": "error", "status": 503, "fault_id": "sale-5xx"},
        {**on_sale(2), "kind": "lose_response", "hang_s": slow_ms / 1000, "fault_id": "sale-lost"},
        {**on_sale(3), "kind": "latency", "latency_ms": slow_ms, "fault_id": "sale-slow"},
        {"kind": "rate_limit", "after": 12, "count": 2, "retry_after_s": 1, "fault_id": "burst"},
    ]


def defects_of(dialect: str) -> list[str]:
    """The `--defect` names a till accepts, read from its own module."""
    source = (TILLS / f"{dialect}_till.py").read_text(encoding="utf-8")
    start = source.index("DEFECTS = {")
    block = source[start : source.index("}\n", start)]
    return [line.split('"')[1] for line in block.splitlines()[1:] if line.strip().startswith('"')]


@dataclass
class Outcome:
    dialect: str
    defect: str | None
    level: str
    exit_code: int
    till_exit: int
    failed: list[str] = field(default_factory=list)  # "ITEM-ID rule" of each failed rule
    open_items: list[str] = field(default_factory=list)  # critical/important items not passed
    problems: list[str] = field(default_factory=list)

    @property
    def failed_rules(self) -> set[str]:
        return {f.split(" ", 1)[1] for f in self.failed}


def _traffic(control: httpx.Client, tenant: str) -> list[dict[str, Any]]:
    """The tenant's exchanges, once every call a fault held back has been recorded."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        entries = control.get(f"/_posim/tenants/{tenant}/traffic", params={"limit": 10000})
        entries = entries.raise_for_status().json()["traffic"]
        faults = control.get(f"/_posim/tenants/{tenant}/faults").raise_for_status().json()
        fired = sum(rule["fired"] for rule in faults["faults"])
        if sum(1 for e in entries if e.get("fault")) >= fired or time.monotonic() > deadline:
            return entries
        time.sleep(0.05)


def run_till(url: str, dialect: str, defect: str | None, folder: Path) -> Outcome:
    """One till, one condition, a fresh tenant; the traffic is kept in `folder`."""
    with httpx.Client(base_url=url, timeout=10) as control:
        created = control.post("/_posim/tenants", json={}).raise_for_status().json()
        tenant, creds = created["tenant"], created["credentials"][dialect]
        for rule in fault_plan(dialect):
            control.post(f"/_posim/tenants/{tenant}/faults", json=rule).raise_for_status()
        command = [sys.executable, str(TILLS / f"{dialect}_till.py"), "--url", url]
        command += ["--run", tenant, "--timeout", str(CLIENT_TIMEOUT_S)]
        for flag, name in CREDENTIALS[dialect]:
            command += [flag, creds[name]]
        if defect:
            command += ["--defect", defect]
        done = subprocess.run(command, capture_output=True, timeout=TILL_BOUND_S, check=False)
        entries = _traffic(control, tenant)
        control.delete(f"/_posim/tenants/{tenant}")
    path = folder / f"{dialect}-{defect or 'correct'}.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    result = audit(path, dialect)
    judged = result.dialects[0]
    failed = []
    for item in judged.results:
        for run in item.runs:
            if run.status == "failed":  # a run is named "<item id> <rule title>"
                rule = next(r for r, title in RULE_TITLES.items() if run.ref.endswith(title))
                failed.append(f"{item.item.id} {rule}")
    open_items = [
        f"{r.item.id} ({r.status})"
        for r in judged.results
        if r.item.severity in ("critical", "important") and r.status != PASSED
    ]
    return Outcome(
        dialect,
        defect,
        result.level,
        exit_status(result.level),
        done.returncode,
        failed,
        open_items,
        list(judged.verdict.problems),
    )


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| till | condition | verdict | exit | findings (checklist item, rule) |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        expected = EXPECTED.get(o.defect or "")
        shown = [f"**{f}**" if f.endswith(f" {expected}") else f for f in o.failed]
        condition = f"`--defect {o.defect}`" if o.defect else "correct"
        lines.append(
            f"| {o.dialect} | {condition} | {LABELS[o.level]} | {o.exit_code} | "
            f"{', '.join(shown) or 'none'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dialect", choices=sorted(CREDENTIALS), action="append")
    p.add_argument("--defect", action="append", help="only these conditions ('correct' too)")
    args = p.parse_args(argv)
    outcomes = []
    with ServerProcess() as server, TemporaryDirectory() as tmp:
        for dialect in args.dialect or sorted(CREDENTIALS):
            for defect in [None, *defects_of(dialect)]:
                if args.defect and (defect or "correct") not in args.defect:
                    continue
                outcomes.append(run_till(server.url, dialect, defect, Path(tmp)))
    print(table(outcomes))
    missed = [o for o in outcomes if o.defect and EXPECTED[o.defect] not in o.failed_rules]
    false_alarms = [o for o in outcomes if not o.defect and (o.failed or o.exit_code)]
    return 1 if missed or false_alarms else 0


if __name__ == "__main__":
    sys.exit(main())
