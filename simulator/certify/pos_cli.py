"""The console side of `posim certify --pos COMMAND` and `--pos-session` (see pos_session)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from .readiness import LABELS, exit_status

# kept in step with the dialects' credentials by a test (building --help must stay cheap)
PLACEHOLDERS = (
    "{url} {base_url} {dialect} {tenant} {client_timeout}, and the dialect's credentials, "
    "also prefixed with its name ({wllApiKey}): gameball {apiKey} {secretKey}; wll {apiKey} "
    "{jwtSecret} {jwtIssuer} {clientId} {clientSecret} {eventTypeSecret}; capillary {till} "
    "{till2} {password}"
)
POS_DIALECTS = ("gameball", "wll", "capillary")
MAX_POS_TIMEOUT_S = 24 * 3600.0
MAX_CLIENT_TIMEOUT_S = 60.0


def add_pos_arguments(p: argparse.ArgumentParser) -> None:
    till = p.add_mutually_exclusive_group()
    till.add_argument(
        "--pos",
        metavar="COMMAND",
        help="certify your own POS: run COMMAND (sh -c) against a fresh posim backend on "
        "127.0.0.1 under the dialect's fault plan, then audit its traffic. Placeholders: "
        + PLACEHOLDERS.replace("%", "%%")
        + "; {{ and }} are literal braces",
    )
    till.add_argument(
        "--pos-session",
        action="store_true",
        help="the same for a till driven by hand: print the URL and credentials, wait for "
        "Enter or Ctrl-C, then audit",
    )
    p.add_argument(
        "--pos-timeout",
        type=float,
        metavar="S",
        help="stop COMMAND (its whole process group) after S seconds (default 120); with "
        "--pos-session, end the session after S seconds (default: no bound)",
    )
    p.add_argument(
        "--client-timeout",
        type=float,
        default=2.0,
        metavar="S",
        help="the till's own HTTP timeout ({client_timeout}); the plan's slow answers outlast "
        "it by 1 s (default 2)",
    )
    p.add_argument("--fault-plan", type=Path, help="default: <checklists>/<dialect>.faults.yaml")
    p.add_argument("--no-faults", action="store_true", help="run the till without a fault plan")


def _usage(args: argparse.Namespace) -> str | None:
    """What is wrong with the options of a POS session, in one line (None: nothing)."""
    if args.dialect not in POS_DIALECTS:
        return f"--pos certifies one dialect: --dialect {', '.join(POS_DIALECTS)}"
    if args.target or args.credentials:
        return "--pos and --pos-session run their own backend: drop --target/--credentials"
    if args.pos is not None and not args.pos.strip():
        return "--pos COMMAND is empty"
    bound = args.pos_timeout
    if bound is not None and not 0 < bound <= MAX_POS_TIMEOUT_S:
        return f"--pos-timeout must be between 0 and {MAX_POS_TIMEOUT_S:g} seconds"
    if not 0 < args.client_timeout <= MAX_CLIENT_TIMEOUT_S:
        return f"--client-timeout must be between 0 and {MAX_CLIENT_TIMEOUT_S:g} seconds"
    if args.no_faults and args.fault_plan:
        return "--fault-plan and --no-faults exclude each other"
    return None


def _plan(args: argparse.Namespace):
    from .checklists import ChecklistError, load_checklist
    from .fault_plan import fault_plan_path, load_fault_plan

    if args.no_faults:
        return None
    try:
        checklist = load_checklist(args.dialect, args.checklists)
    except ChecklistError:
        checklist = None  # the audit reports a missing checklist as a problem of its own
    path = args.fault_plan or fault_plan_path(args.dialect, args.checklists)
    return load_fault_plan(args.dialect, path, checklist)


def print_fault_hits(console: Console, hits: list[dict[str, Any]]) -> None:
    console.print("faults (which fault hit which request):")
    for h in hits:
        proves = f", proves {', '.join(h['proves'])}" if h["proves"] else ""
        hit = "never fired: no request matched it"
        if h.get("request_id"):
            hit = f"{h['request']} -> {h['status']}, request {h['request_id']} (line {h['line']})"
            hit += f", on {h['on']}" if h.get("on") else ""
        line = f"  {h['fault']} ({h.get('kind') or 'planned'}{proves}): {hit}"
        console.print(line, soft_wrap=True, highlight=False, markup=False)


def run_pos(args: argparse.Namespace, console: Console) -> int:
    from .bundle import evidence_document, write_reports
    from .cli import STYLES, print_summary
    from .pos_command import check_command
    from .pos_session import SessionSetup, run_session

    def fail(message: str) -> int:
        console.print(f"[red]posim certify: {message}[/]", soft_wrap=True, highlight=False)
        return 2

    problem = _usage(args)
    if problem:
        return fail(problem)
    try:
        plan = _plan(args)
        if args.pos is not None:
            check_command(args.pos, args.dialect)
    except ValueError as exc:  # a FaultPlanError too
        return fail(str(exc))
    setup = SessionSetup(
        dialect=args.dialect,
        out=Path(args.out),
        plan=plan,
        client_timeout_s=args.client_timeout,
        seed=args.seed,
        checklists_dir=args.checklists,
        command=args.pos,
        pos_timeout_s=args.pos_timeout if args.pos_session else (args.pos_timeout or 120.0),
        say=lambda text: console.print(text, soft_wrap=True, highlight=False, markup=False),
    )
    try:
        result, failure, hits = run_session(setup)
    except (ValueError, RuntimeError, OSError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted before the audit")
        return 130
    if failure:
        console.print(f"[red]posim certify: {failure}[/]", soft_wrap=True, highlight=False)
    else:
        console.print()
        print_summary(console, evidence_document(result))
    if hits:
        print_fault_hits(console, hits)
    paths = write_reports(result, args.out)
    console.print("reports:")
    for kind, path in {**paths, "traffic": setup.recording}.items():
        console.print(f"  {kind:<7} {path}", soft_wrap=True, highlight=False)
    level = result.level
    console.print(f"verdict: [{STYLES[level]}]{LABELS[level]}[/]", soft_wrap=True)
    return exit_status(level, args.fail_on)
