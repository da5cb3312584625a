"""`posim certify`: run the go-live checklist, print the table and the verdict, write reports.

Exit status: 0 Ready (also Ready with risks, unless `--fail-on risks`), 1 Not ready,
3 Ready with risks under `--fail-on risks`, 2 a usage error. `--fail-on never` always exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ..cliargs import HelpFormatter, number
from .pos_cli import add_pos_arguments
from .readiness import FAIL_ON, FAILED, LABELS, MANUAL, NO_EVIDENCE, PASSED, SKIPPED, exit_status
from .root_causes import root_causes

STYLES = {
    PASSED: "green",
    FAILED: "bold red",
    SKIPPED: "yellow",
    NO_EVIDENCE: "yellow",
    MANUAL: "dim",
    "ready": "bold green",
    "ready_with_risks": "bold yellow",
    "not_ready": "bold red",
}

DESCRIPTION = """Run the vendor-neutral scenarios for each dialect, judge the vendor's go-live
checklist and print a readiness verdict: Ready (every critical and important item passed with
evidence), Ready with risks (every critical item passed), or Not ready (a critical item failed,
was skipped or has no evidence). Without --target it certifies the embedded reference backend.
With --pos COMMAND (or --pos-session, for a till driven by hand) it certifies your own POS:
posim serves it on 127.0.0.1 under the vendor's fault plan and audits what it sent.
Exit status: 0 go, 1 Not ready, 3 Ready with risks under --fail-on risks, 2 usage error."""


def add_certify_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `certify` on an argparse subparsers object; `args.func(args)` runs it."""
    p = subparsers.add_parser(
        "certify",
        help="go-live certification: checklist, readiness verdict and reports",
        description=DESCRIPTION,
        formatter_class=HelpFormatter,
    )
    p.add_argument("--dialect", default="all", help="gameball, wll, capillary, a list or all")
    p.add_argument("--target", help="base URL to certify (default: embedded reference backend)")
    p.add_argument(
        "--credentials",
        help="the target's credentials: JSON, k=v,k=v or @file, optionally keyed by dialect "
        "(default: $POSIM_CREDENTIALS)",
    )
    p.add_argument("--out", default="reports", help="where the reports go (default: reports/)")
    p.add_argument("--seed", type=int, default=0, help="seed of the embedded backend")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="not-ready",
        help="which verdict gives a non-zero exit status (default: not-ready)",
    )
    p.add_argument("-k", dest="keyword", help="only scenarios matching this pytest -k expression")
    p.add_argument(
        "--timeout", type=number(0, above=True), default=10.0, help="HTTP timeout in seconds"
    )
    p.add_argument("--features", type=Path, help="folder of .feature files (default: features/)")
    p.add_argument("--checklists", type=Path, help="folder of <vendor>.yaml checklists")
    p.add_argument(
        "--runner",
        choices=("direct", "pytest"),
        help="how the scenarios run: posim's direct runner, or a pytest-bdd session (default: "
        "direct, or pytest for a --features folder with its own Python steps or fixtures)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar (CI logs)")
    add_pos_arguments(p)
    p.set_defaults(func=run_certify)
    return p


AUDIT_DESCRIPTION = """Judge a POS's recorded traffic (JSON lines from `posim serve --record`)
against the vendor checklist rules it can see: balance read before a hold, a hold before the
order that redeems it, holds released on void, order ids unique, refunds of real orders, UTC
timestamps, no personal data in event payloads, retries with the same ids, back-off after a
429, no credentials in query strings. Same verdict and reports as certify (audit-*.xml/json/
html). Exit status: 0 go, 1 Not ready, 3 Ready with risks under --fail-on risks, 2 usage error."""


def add_audit_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `audit` on an argparse subparsers object; `args.func(args)` runs it."""
    from .traffic_audit import DIALECTS

    p = subparsers.add_parser(
        "audit",
        help="judge a POS's recorded traffic against the go-live checklist",
        description=AUDIT_DESCRIPTION,
        formatter_class=HelpFormatter,
    )
    p.add_argument("traffic", type=Path, help="the recorded traffic (JSON lines)")
    p.add_argument("--dialect", required=True, choices=DIALECTS, help="the vendor API it speaks")
    p.add_argument("--out", default="reports", help="where the reports go (default: reports/)")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="not-ready",
        help="which verdict gives a non-zero exit status (default: not-ready)",
    )
    p.add_argument("--checklists", type=Path, help="folder of <vendor>.yaml checklists")
    p.add_argument(
        "--retry-window",
        type=number(0, above=True),
        default=None,
        help="seconds after a lost request in which a re-send counts as its retry (default 120)",
    )
    p.set_defaults(func=run_audit)
    return p


def _progress(console: Console, enabled: bool):
    if not enabled:
        return None, None
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[dialect]:<10}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def update(dialect: str, done: int, total: int, run: Any) -> None:
        if dialect not in tasks:
            tasks[dialect] = bar.add_task("", total=total or None, dialect=dialect)
        text = ""
        if run is not None:
            style = STYLES.get(run.status, "dim")
            name = run.name if len(run.name) <= 40 else run.name[:39] + "…"
            text = f"[{style}]{run.status}[/] {name}"
        bar.update(tasks[dialect], completed=done, total=total or None, description=text)

    return bar, update


def print_summary(console: Console, document: dict[str, Any]) -> None:
    """The checklist table and the verdict of each dialect (from the masked document)."""
    for d in document["dialects"]:
        title = d["checklist"]["title"] if d["checklist"] else "no checklist"
        table = Table(title=f"{d['dialect']}: {title}", title_justify="left", expand=True)
        table.add_column("item", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("status", no_wrap=True)  # "manual review" = the manual lane
        table.add_column("what must hold", ratio=1)
        for item in d["items"]:
            style = STYLES.get(item["status"], "")
            text = item["text"]
            if item["status"] not in (PASSED, MANUAL):
                text += f"\n[{style}]{item['detail']}[/]"
            table.add_row(
                item["id"],
                item["severity"],
                f"[{style}]{item['status']}[/]",
                text,
                style="dim" if item["status"] == MANUAL else None,
            )
        if d["items"]:
            console.print(table)
        v = d["verdict"]
        console.print(f"{d['dialect']}: [{STYLES[v['level']]}]{v['label']}[/]")
        for problem in v["problems"]:
            console.print(f"  [red]problem:[/] {problem}")
        for cause in root_causes(d):  # one reason behind many failures is said once
            items = f"; items {', '.join(cause.items)}" if cause.items else ""
            console.print(
                f"  [red]root cause[/] ({cause.scenarios} scenarios{items}): {cause.reason}",
                highlight=False,
            )
        for key, word in (("blockers", "blocker"), ("risks", "risk")):
            if v[key]:
                console.print(f"  {word}s: {', '.join(v[key])}")
        if v["manual"]:
            console.print(f"  manual items to review: {len(v['manual'])}")
        console.print()


def run_certify(args: argparse.Namespace) -> int:
    from ..cliargs import fail, writable_dir
    from ..preflight import PreflightError, check_target
    from .bundle import evidence_document, write_reports
    from .runner import certify, credentials_by_dialect, select_dialects

    console = Console(file=sys.stdout)
    if args.pos is not None or args.pos_session:
        from .pos_cli import run_pos

        return run_pos(args, console)
    raw = args.credentials
    if raw is None and args.target:
        raw = os.environ.get("POSIM_CREDENTIALS") or None
    try:
        dialects = select_dialects(args.dialect)
        if raw and not args.target:
            raise ValueError("--credentials needs --target")
        credentials = credentials_by_dialect(raw, dialects)
        writable_dir(args.out)
        if args.target:  # pre-flight: one line and no scenario when the target cannot work
            args.target = check_target(args.target, dialects, credentials, args.timeout)
    except (ValueError, OSError, PreflightError, argparse.ArgumentTypeError) as exc:
        return fail("posim certify", exc)
    target = "the embedded reference backend" if not args.target else args.target
    console.print(f"posim certify: {', '.join(dialects)} against {target}, seed {args.seed}")
    bar, update = _progress(console, not args.no_progress)
    try:
        if bar is not None:
            bar.start()
        result = certify(
            dialects,
            target=args.target,
            credentials=credentials,
            seed=args.seed,
            features_dir=args.features,
            checklists_dir=args.checklists,
            keyword=args.keyword,
            timeout=args.timeout,
            progress=update,
            runner=args.runner,
        )
    finally:
        if bar is not None:
            bar.stop()
    document = evidence_document(result)
    console.print()
    print_summary(console, document)
    paths = write_reports(result, args.out)
    console.print("reports:")
    for kind, path in paths.items():
        console.print(f"  {kind:<5} {path}", soft_wrap=True, highlight=False)
    level = result.level
    console.print(f"verdict: [{STYLES[level]}]{LABELS[level]}[/]", soft_wrap=True)
    return exit_status(level, args.fail_on)


def run_audit(args: argparse.Namespace) -> int:
    from ..cliargs import writable_dir
    from .bundle import evidence_document, write_reports
    from .pos_cli import print_fault_hits
    from .pos_session import fault_hits
    from .traffic_audit import audit, check_recording
    from .traffic_rules import RETRY_WINDOW_S

    console = Console(file=sys.stdout)
    window = RETRY_WINDOW_S if args.retry_window is None else args.retry_window
    try:
        writable_dir(args.out)  # before the traffic is judged, not after
        check_recording(args.traffic, args.dialect)
        result = audit(
            args.traffic, args.dialect, checklists_dir=args.checklists, retry_window_s=window
        )
    except (OSError, ValueError, argparse.ArgumentTypeError) as exc:
        console.print(f"[red]posim audit: {exc}[/]", soft_wrap=True, highlight=False)
        return 2
    console.print(f"posim audit: {args.dialect} traffic in {args.traffic}", highlight=False)
    console.print()
    print_summary(console, evidence_document(result))
    result.faults = fault_hits(args.traffic, None) or None  # a recording made under faults
    if result.faults:
        print_fault_hits(console, result.faults)
    paths = write_reports(result, args.out)
    console.print("reports:")
    for kind, path in paths.items():
        console.print(f"  {kind:<5} {path}", soft_wrap=True, highlight=False)
    level = result.level
    console.print(f"verdict: [{STYLES[level]}]{LABELS[level]}[/]", soft_wrap=True)
    return exit_status(level, args.fail_on)
