"""Run the till corpus (examples/tills) through `posim certify --pos` and print what it finds:
the detection table of docs/certify.md.

    python scripts/till_detection.py                 # every till, every condition
    python scripts/till_detection.py --dialect wll   # one vendor
    python scripts/till_detection.py --condition correct --condition over-redeem

For each till and condition (the correct till, then one `--defect` at a time) posim starts a
fresh backend on 127.0.0.1 with the vendor's fault plan (fixtures/checklists/<vendor>.faults
.yaml: a 5xx on one sale, a lost answer after commit on another, an answer slower than the
till's timeout on a third, a 429 burst), runs the till, audits its traffic and gives the
verdict. A defect that no rule catches, or a finding on a correct till, exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.certify.readiness import LABELS  # noqa: E402
from simulator.certify.traffic_rules import RULE_TITLES  # noqa: E402
from simulator.cli import main as posim  # noqa: E402

TILLS = ROOT / "examples" / "tills"
CLIENT_TIMEOUT_S = 0.5
CORRECT = "correct"

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

# each till's credential flags, filled by posim's placeholders
CREDENTIALS = {
    "gameball": "--api-key {apiKey} --secret-key {secretKey}",
    "wll": "--api-key {apiKey} --client-id {clientId} --client-secret {clientSecret}",
    "capillary": "--till {till} --password {password}",
}
_RULE_OF_TITLE = {title: rule for rule, title in RULE_TITLES.items()}


def defects_of(dialect: str) -> list[str]:
    """The `--defect` names a till accepts, read from its own DEFECTS table."""
    source = (TILLS / f"{dialect}_till.py").read_text(encoding="utf-8")
    start = source.index("DEFECTS = {")
    block = source[start : source.index("}\n", start)]
    return [line.split('"')[1] for line in block.splitlines()[1:] if line.strip().startswith('"')]


def corpus() -> list[tuple[str, str]]:
    """(dialect, condition) of every till run the table holds."""
    return [(d, c) for d in CREDENTIALS for c in [CORRECT, *defects_of(d)]]


@dataclass
class Outcome:
    dialect: str
    condition: str
    level: str
    exit_code: int
    findings: list[str] = field(default_factory=list)  # "ITEM-ID rule" of each breached rule
    open_items: list[str] = field(default_factory=list)  # items that did not pass, and why
    problems: list[str] = field(default_factory=list)

    @property
    def rules(self) -> set[str]:
        return {f.split(" ", 1)[1] for f in self.findings}


def pos_command(dialect: str, condition: str) -> str:
    till = f"{shlex.quote(sys.executable)} {shlex.quote(str(TILLS / f'{dialect}_till.py'))}"
    command = f"{till} --url {{url}} --timeout {{client_timeout}} {CREDENTIALS[dialect]}"
    return command if condition == CORRECT else f"{command} --defect {condition}"


def certify(dialect: str, condition: str, out: Path) -> Outcome:
    """`posim certify --pos` on one till; its reports are kept in `out`."""
    argv = ["certify", "--dialect", dialect, "--client-timeout", str(CLIENT_TIMEOUT_S)]
    argv += ["--out", str(out), "--pos", pos_command(dialect, condition)]
    with contextlib.redirect_stdout(io.StringIO()):
        exit_code = posim(argv)
    evidence = json.loads((out / "certify-evidence.json").read_text(encoding="utf-8"))
    judged = evidence["dialects"][0]
    findings = [
        f"{item['id']} {_RULE_OF_TITLE[check['check']]}"
        for item in judged["items"]
        for check in item.get("checks", [])
        if check["ok"] is False
    ]
    open_items = [
        f"{item['id']} ({item['status']})"
        for item in judged["items"]
        if item["severity"] in ("critical", "important") and item["status"] != "passed"
    ]
    problems = list(judged["verdict"].get("problems", []))
    return Outcome(
        dialect, condition, judged["verdict"]["level"], exit_code, findings, open_items, problems
    )


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| till | condition | verdict | exit | findings (checklist item, rule) |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        expected = EXPECTED.get(o.condition)
        shown = [f"**{f}**" if f.endswith(f" {expected}") else f for f in o.findings]
        condition = CORRECT if o.condition == CORRECT else f"`--defect {o.condition}`"
        lines.append(
            f"| {o.dialect} | {condition} | {LABELS[o.level]} | {o.exit_code} | "
            f"{', '.join(shown) or 'none'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dialect", choices=sorted(CREDENTIALS), action="append")
    p.add_argument("--condition", action="append", help=f"only these ('{CORRECT}' or a defect)")
    args = p.parse_args(argv)
    outcomes = []
    with TemporaryDirectory() as tmp:
        for n, (dialect, condition) in enumerate(corpus()):
            if (args.dialect and dialect not in args.dialect) or (
                args.condition and condition not in args.condition
            ):
                continue
            outcomes.append(certify(dialect, condition, Path(tmp) / str(n)))
    print(table(outcomes))
    missed = [
        o for o in outcomes if o.condition != CORRECT and EXPECTED[o.condition] not in o.rules
    ]
    alarms = [o for o in outcomes if o.condition == CORRECT and (o.findings or o.exit_code)]
    for o in missed + alarms:
        print(f"{o.dialect} {o.condition}: {o.level}; open items: {', '.join(o.open_items)}")
    return 1 if missed or alarms else 0


if __name__ == "__main__":
    sys.exit(main())
