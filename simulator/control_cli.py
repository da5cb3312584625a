"""`posim clock`, `posim faults` and `posim fixtures`: drive a running posim from a shell."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import httpx

DEFAULT_URL = "http://127.0.0.1:8080"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """'90', '90s', '11m', '2h', '3d' or '1h30m' -> seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 90s, 11m, 2h, 3d)")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _call(args, method: str, path: str, body=None) -> dict:
    url = f"{args.url.rstrip('/')}/_posim/tenants/{args.tenant}{path}"
    try:
        resp = httpx.request(method, url, json=body, timeout=10)
    except httpx.HTTPError as exc:
        raise SystemExit(f"posim: cannot reach {args.url}: {exc}") from exc
    if resp.status_code >= 400:
        raise SystemExit(f"posim: {method} {path} failed ({resp.status_code}): {resp.text}")
    return resp.json()


def _print(data) -> int:
    print(json.dumps(data, indent=2, default=str))
    return 0


def _clock(args) -> int:
    if args.action == "advance":
        return _print(_call(args, "POST", "/clock/advance", {"seconds": args.duration}))
    return _print(_call(args, "GET", "/clock"))


def _faults(args) -> int:
    if args.action == "list":
        return _print(_call(args, "GET", "/faults"))
    if args.action == "clear":
        return _print(_call(args, "DELETE", "/faults"))
    rule = {k: getattr(args, k) for k in FAULT_FIELDS if getattr(args, k) is not None}
    return _print(_call(args, "POST", "/faults", rule))


def _fixtures(args) -> int:
    from .fakes import dataset

    data = dataset(args.members, args.seed, products=args.products, stores_n=args.stores)
    text = json.dumps(data, indent=2) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        print(
            f"wrote {args.members} members, {args.products} products and "
            f"{args.stores} stores (seed {args.seed}) to {args.out}"
        )
    return 0


FAULT_FIELDS = (
    "kind",
    "dialect",
    "route",
    "method",
    "member",
    "probability",
    "seed",
    "count",
    "latency_ms",
    "jitter_ms",
    "status",
    "retry_after_s",
    "hang_s",
    "body",
    "after",
    "every",
    "once_per",
    "fault_id",
)


def _target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", default="demo", help="tenant id (default: demo)")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"posim server (default {DEFAULT_URL})")


def add_parsers(sub) -> None:
    clock = sub.add_parser("clock", help="read or advance a tenant's clock on a running posim")
    clock_sub = clock.add_subparsers(dest="action", required=True)
    show = clock_sub.add_parser("show", help="print the tenant's clock")
    _target(show)
    advance = clock_sub.add_parser("advance", help="move the clock forward, e.g. 11m")
    advance.add_argument("duration", type=parse_duration)
    _target(advance)
    clock.set_defaults(func=_clock)

    faults = sub.add_parser("faults", help="inject, list or clear faults on a running posim")
    faults_sub = faults.add_subparsers(dest="action", required=True)
    add = faults_sub.add_parser("add", help="add a fault rule (first matching rule fires)")
    add.add_argument("kind", choices=["latency", "error", "rate_limit", "drop", "lose_response"])
    add.add_argument("--dialect")
    add.add_argument("--route", help="regular expression searched in the path")
    add.add_argument("--method")
    add.add_argument("--member", help="only calls naming this member id")
    add.add_argument("--probability", type=float)
    add.add_argument("--seed", type=int)
    add.add_argument("--count", type=int, help="fire at most N times (fail the first N calls)")
    add.add_argument("--latency-ms", dest="latency_ms", type=int)
    add.add_argument("--jitter-ms", dest="jitter_ms", type=int)
    add.add_argument("--status", type=int, help="5xx status for kind error")
    add.add_argument("--retry-after", dest="retry_after_s", type=float)
    add.add_argument("--hang", dest="hang_s", type=float, help="seconds a drop hangs over HTTP")
    add.add_argument("--body", help="regular expression searched in the request body")
    add.add_argument("--after", type=int, help="let the first N matching calls through")
    add.add_argument("--every", type=int, help="then fire on every Nth matching call")
    add.add_argument(
        "--once-per",
        dest="once_per",
        choices=["order", "member"],
        help="fire at most once per distinct order id / member (never on one another rule hit)",
    )
    add.add_argument("--id", dest="fault_id", help="a name for the rule, shown in the traffic")
    for parser in (add, faults_sub.add_parser("list"), faults_sub.add_parser("clear")):
        _target(parser)
    faults.set_defaults(func=_faults)

    fixtures = sub.add_parser("fixtures", help="deterministic test data")
    fixtures_sub = fixtures.add_subparsers(dest="action", required=True)
    generate = fixtures_sub.add_parser("generate", help="members, catalog and stores from a seed")
    generate.add_argument("--members", type=int, default=100)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--products", type=int, default=50)
    generate.add_argument("--stores", type=int, default=3)
    generate.add_argument("--out", default="-", help="file to write (default: stdout)")
    fixtures.set_defaults(func=_fixtures)
