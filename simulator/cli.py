"""The `posim` command."""

from __future__ import annotations

import argparse
import logging
import sys

from rich.console import Console
from rich.table import Table

console = Console()


def _demo(args: argparse.Namespace) -> int:
    """Run a seeded workload through the engine and print the ledger summary."""
    from reference_backend.engine import Engine, ProgramConfig
    from reference_backend.workload import apply, generate, ledger_summary

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
    from reference_backend.settings import Settings

    from .inspector import mount

    settings = Settings(seed=args.seed, record_path=args.record)
    app = create_app(settings)
    served = mount(app, args.reports)
    demo = app.state.registry.get(settings.demo_tenant_id)
    url = f"http://{args.host}:{args.port}"
    print(f"posim reference backend on {url}  (docs: /docs, inspector: {url}/_posim/ui/)")
    for dialect, creds in demo.credentials.items():  # plain print: keys must not wrap
        shown = "  ".join(f"{k}={v}" for k, v in creds.items())
        print(f"  demo tenant, {dialect}: {shown}")
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    if args.open:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, (f"{url}/_posim/ui/",)).start()
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="seeded workload through the engine, with a ledger summary")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--members", type=int, default=50)
    demo.add_argument("--steps", type=int, default=2000)
    demo.add_argument("--return-window", type=int, default=0, help="days earned points pend")
    demo.add_argument("--check-every-step", action="store_true", help="audit after each command")
    demo.set_defaults(func=_demo)

    serve = sub.add_parser("serve", help="run the reference backend over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument("--record", help="append every exchange (secrets masked) to this file")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--reports", default="reports", help="folder of earlier reports the inspector lists"
    )
    serve.add_argument("--open", action="store_true", help="open the inspector in a browser")
    serve.set_defaults(func=_serve)

    from loadtests.cli import add_load_parser

    from .certify.cli import add_audit_parser, add_certify_parser
    from .control_cli import add_parsers

    add_certify_parser(sub)
    add_audit_parser(sub)
    add_load_parser(sub)
    add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
