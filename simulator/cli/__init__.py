"""posim: certify a POS integration with a loyalty vendor's API (Gameball, White Label
Loyalty, Capillary) against a reference backend or a live target, load-test it, and drive a
running posim from the shell."""

from __future__ import annotations

import argparse
import logging

from rich.console import Console
from rich.table import Table

from ..cliargs import (
    HelpFormatter,
    Parser,
    at_least,
    dialect,
    fail,
    file_or_stdout,
    port_is_free,
    write_out,
)

console = Console()


def _demo(args: argparse.Namespace) -> int:
    """Run a seeded workload through the engine and print the ledger summary."""
    from reference_backend.engine import Engine, ProgramConfig
    from reference_backend.engine.workload import apply, generate, ledger_summary

    config = ProgramConfig(lot_expiry_days=90, return_window_days=args.return_window)
    engine = Engine(config, check_invariants=args.check_every_step)
    result = apply(engine, generate(args.seed, members=args.members, steps=args.steps))
    summary = ledger_summary(engine)
    violations = engine.audit()
    table = Table(title=f"posim demo: seed {args.seed}, {args.steps} operations")
    table.add_column("ledger")
    table.add_column("points", justify="right")
    for name, value in summary.items():
        table.add_row(name, f"{value:,}")
    console.print(table)
    applied = ", ".join(f"{k} {v}" for k, v in sorted(result.applied.items()))
    rejected = ", ".join(f"{k} {v}" for k, v in sorted(result.rejected.items())) or "none"
    console.print(f"applied: {applied}")
    console.print(f"rejected (business rules): {rejected}")
    if violations:
        for v in violations:
            console.print(f"[red]violation {v.invariant} {v.subject}: {v.detail}")
        return 1
    console.print("[green]invariants I1-I14 OK[/green]")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from reference_backend.app import create_app
    from simulator.backends.server import serve_settings

    from ..inspector import mount

    busy = port_is_free(args.host, args.port)  # before the banner prints any credentials
    if busy:
        return fail("posim serve", busy, status=1)
    settings, notices = serve_settings(args)
    app = create_app(settings)
    served = mount(app, args.reports)
    demo = app.state.registry.get(settings.demo_tenant_id)
    url = f"http://{args.host}:{args.port}"
    token = settings.admin_token  # the page keeps it for its calls and drops it from the URL
    inspector = f"{url}/_posim/ui/" + (f"?token={token}" if token else "")
    print(f"posim reference backend on {url}  (docs: /docs, inspector: {inspector})")
    for line in notices:
        print(line)
    for name, creds in demo.credentials.items():  # plain print: keys must not wrap
        shown = "  ".join(f"{k}={v}" for k, v in creds.items())
        print(f"  demo tenant, {name}: {shown}")
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    if args.open:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, (inspector,)).start()
    uvicorn.run(
        served,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        loop="uvloop",
        http="httptools",
        access_log=False,
    )
    return 0


def _openapi(args: argparse.Namespace) -> int:
    """Print (or write) one dialect's OpenAPI document: for Prism, Schemathesis or codegen."""
    import json

    from reference_backend.app import load_dialects
    from reference_backend.docs import dialect_openapi

    found = {d.name: d for d in load_dialects()}
    if args.dialect not in found:
        return fail("posim openapi", f"the {args.dialect} dialect is not available", status=1)
    text = json.dumps(dialect_openapi(found[args.dialect]), indent=2) + "\n"
    if write_out(args.out, text):
        print(f"wrote the {args.dialect} OpenAPI document to {args.out}")
    return 0


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("loyalty-posim")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="posim", description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="seeded workload through the engine, with a ledger summary",
        description="Run a seeded workload through the loyalty engine and print the ledger.",
        formatter_class=HelpFormatter,
    )
    demo.add_argument("--seed", type=int, default=1, help="workload seed")
    demo.add_argument("--members", type=at_least(1), default=50, help="members in the workload")
    demo.add_argument("--steps", type=at_least(1), default=2000, help="operations to apply")
    demo.add_argument("--return-window", type=at_least(0), default=0, help="days points pend")
    demo.add_argument("--check-every-step", action="store_true", help="audit after each command")
    demo.set_defaults(func=_demo)

    serve = sub.add_parser(
        "serve",
        help="run the reference backend over HTTP",
        description="Serve the reference backend (every vendor API, /docs, /_posim and the "
        "inspector at /_posim/ui/) over HTTP.",
        formatter_class=HelpFormatter,
    )
    from simulator.backends.server import add_serve_arguments

    add_serve_arguments(serve)
    serve.set_defaults(func=_serve)

    openapi = sub.add_parser(
        "openapi",
        help="export one vendor dialect's OpenAPI document",
        description="Write the OpenAPI document posim serves at /docs/<dialect>/openapi.json:\n"
        "the vendor's operations, request and response schemas and security scheme.",
        formatter_class=HelpFormatter,
    )
    openapi.add_argument("--dialect", type=dialect, required=True, help="the vendor API")
    openapi.add_argument("--out", type=file_or_stdout, default="-", help="file (- : stdout)")
    openapi.set_defaults(func=_openapi)

    from loadtests.cli import add_load_parser

    from ..certify.cli import add_audit_parser, add_certify_parser
    from .control import add_parsers

    add_certify_parser(sub)
    add_audit_parser(sub)
    add_load_parser(sub)
    add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
