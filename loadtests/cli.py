"""`posim load`: run a Locust profile, then the ledger oracle, and print the verdict.

    posim load --profile race --dialect gameball --users 200 --spawn-rate 50 --duration 30s
               [--target URL [--credentials JSON]] [--workers N] [--html report.html --csv prefix]

`add_load_parser(subparsers)` registers the command on the `posim` parser.
"""

from __future__ import annotations

import argparse
import json

from simulator import cliargs, preflight
from simulator.protocol import DIALECTS, LoyaltyError

from . import PROFILES
from .plan import Knobs
from .progress import MODES, ProgressPrinter


def _fraction_pair(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    try:
        pair = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError("say LOW,HIGH, e.g. 0.3,0.8") from None
    if not 0 < pair[0] <= pair[1] <= 1:
        raise argparse.ArgumentTypeError("need 0 < LOW <= HIGH <= 1")
    return pair


def _credentials_for(dialect: str, given: dict | None) -> dict[str, str] | None:
    """One set of credentials, or the dialect's own set when keyed by dialect (as certify)."""
    if not given:
        return None
    if isinstance(given.get(dialect), dict):
        given = given[dialect]
    return {str(k): str(v) for k, v in given.items()}


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    run = parser.add_argument_group("run")
    run.add_argument("--profile", choices=PROFILES, default="race", help="what the lanes do")
    run.add_argument("--dialect", choices=DIALECTS, default="gameball", help="the vendor API")
    run.add_argument("--users", type=cliargs.at_least(1), default=20, help="simulated lanes")
    run.add_argument(
        "--spawn-rate",
        type=cliargs.number(0, above=True),
        default=None,
        help="users/s (default: all)",
    )
    run.add_argument("--duration", type=cliargs.duration, default=10.0, help="e.g. 30s, 2m")
    run.add_argument(
        "--target",
        type=cliargs.target_url,
        help="base URL; default: start posim serve on 127.0.0.1",
    )
    run.add_argument(
        "--credentials",
        type=cliargs.credentials,
        help="a target's credentials: JSON, k=v,k=v or @file (a posim target needs none)",
    )
    run.add_argument(
        "--html",
        type=cliargs.writable_file,
        help="Locust's HTML report ({u}, {r}, {t} are expanded)",
    )
    run.add_argument("--csv", type=cliargs.writable_file, help="prefix for Locust's CSV files")
    run.add_argument(
        "--json",
        dest="json_out",
        type=cliargs.writable_file,
        help="write the result (incl. oracle) as JSON",
    )
    run.add_argument("--verbose", action="store_true", help="show Locust's own log")
    run.add_argument(
        "--progress",
        choices=MODES,
        default="auto",
        help="live: one refreshed line (a terminal); lines: a plain line every few seconds",
    )
    run.add_argument("--keep-tenant", action="store_true", help="keep the posim tenant after")

    dist = parser.add_argument_group("distributed")
    whole = cliargs.at_least(0)
    dist.add_argument("--workers", type=whole, default=0, help="local Locust workers (0: one)")
    dist.add_argument("--remote-workers", type=whole, default=0, help="N more from elsewhere")
    dist.add_argument("--master-bind-host", default="127.0.0.1", help="where workers connect")
    dist.add_argument("--master-port", type=cliargs.port, help="default: a free port")

    gates = parser.add_argument_group("thresholds (exit code 2)")
    gates.add_argument(
        "--max-fail-ratio",
        type=cliargs.number(0),
        default=0.0,
        help="highest share of failed requests that passes",
    )
    gates.add_argument("--max-p95-ms", type=cliargs.number(0), default=0.0, help="0: no limit")
    gates.add_argument("--max-p99-ms", type=cliargs.number(0), default=0.0, help="0: no limit")

    knobs = parser.add_argument_group("profile knobs")
    defaults = Knobs()
    knobs.add_argument(
        "--members", type=int, default=0, help="members (0: the profile's own number)"
    )
    knobs.add_argument(
        "--seed-points",
        type=int,
        default=0,
        help="points each member starts with (0: the profile's)",
    )
    knobs.add_argument(
        "--complete-ratio",
        type=float,
        default=defaults.complete_ratio,
        help="share of holds a lane completes as a sale (the rest are released)",
    )
    knobs.add_argument(
        "--hold-fraction",
        type=_fraction_pair,
        default=defaults.hold_fraction,
        help="race: LOW,HIGH share of the read balance a lane holds",
    )
    knobs.add_argument("--vouchers", type=int, default=defaults.vouchers, help="vouchers seeded")
    knobs.add_argument(
        "--rate-scale",
        type=cliargs.number(0, above=True),
        default=defaults.rate_scale,
        help="posim's limit scale",
    )
    knobs.add_argument("--seed", type=int, default=defaults.seed, help="seed of every draw")


def options_from(args: argparse.Namespace):
    from .runner import LoadOptions

    knobs = Knobs(
        members=args.members,
        seed_points=args.seed_points,
        complete_ratio=args.complete_ratio,
        hold_fraction=args.hold_fraction,
        vouchers=args.vouchers,
        rate_scale=args.rate_scale,
        seed=args.seed,
    )
    credentials = _credentials_for(args.dialect, args.credentials)
    return LoadOptions(
        profile=args.profile,
        dialect=args.dialect,
        users=args.users,
        spawn_rate=args.spawn_rate or float(args.users),
        duration=args.duration,
        target=args.target,
        credentials=credentials,
        workers=args.workers,
        remote_workers=args.remote_workers,
        master_bind_host=args.master_bind_host,
        master_port=args.master_port,
        html=args.html,
        csv=args.csv,
        max_fail_ratio=args.max_fail_ratio,
        max_p95_ms=args.max_p95_ms,
        max_p99_ms=args.max_p99_ms,
        knobs=knobs,
        keep_tenant=args.keep_tenant,
        stream_output=args.verbose,
    )


def run_load(args: argparse.Namespace) -> int:
    from .runner import describe, run

    options = options_from(args)
    if options.target:  # pre-flight: one line and no load when the target cannot work
        creds = {options.dialect: options.credentials} if options.credentials else None
        try:
            preflight.check_target(options.target, [options.dialect], creds)
        except preflight.PreflightError as exc:
            return cliargs.fail("posim load", exc)
    printer = None if args.progress == "off" else ProgressPrinter(args.progress)
    options.progress = printer
    try:
        outcome = run(options)
    except KeyboardInterrupt:  # before the load began: nothing to summarise
        return cliargs.fail("posim load", "interrupted before the load started", status=130)
    except (RuntimeError, ValueError, ImportError, OSError, LoyaltyError) as exc:
        return cliargs.fail("posim load", exc, status=1)
    finally:
        if printer is not None:
            printer.close()
    print(describe(outcome, options))
    if args.json_out and outcome.result is not None:
        with open(args.json_out, "w") as fh:
            json.dump(outcome.result, fh, indent=1, default=str)
    return outcome.exit_code


DESCRIPTION = """Hammer a loyalty API from many POS lanes at once with a Locust profile, then
audit the ledger for double spends, lost holds and rate-limit behaviour, and print a verdict.

  race          lanes race to hold and redeem the same members' points
  checkout_mix  whole checkouts: identify, hold, sale, refund, vouchers
  rate_limit    bursts past the vendor's documented limits; checks 429s and back-off

Without --target it starts `posim serve` on 127.0.0.1 for the run and stops it after.
Exit status: 0 pass, 1 Locust failed, 2 a threshold breached or a usage error, 3 oracle
violations, 4 the run did not finish in time, 130 interrupted (Ctrl-C).

example: posim load --profile race --dialect gameball --users 200 --duration 30s"""


def add_load_parser(subparsers) -> argparse.ArgumentParser:
    """Register `load` on the `posim` command's subparsers."""
    parser = subparsers.add_parser(
        "load",
        help="Locust load/race profiles with a ledger oracle",
        description=DESCRIPTION,
        formatter_class=cliargs.HelpFormatter,
    )
    add_load_arguments(parser)
    parser.set_defaults(func=run_load)
    return parser
