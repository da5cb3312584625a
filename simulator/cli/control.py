"""`posim clock`, `posim faults` and `posim fixtures`: drive a running posim from a shell."""

from __future__ import annotations

import argparse
import json

import httpx

from ..cliargs import (
    HelpFormatter,
    at_least,
    dialect,
    duration,
    file_or_stdout,
    number,
    one_line,
    target_url,
    write_out,
)
from ..transports import ADMIN_TOKEN_ENV, admin_headers

DEFAULT_URL = "http://127.0.0.1:8080"


def _call(args, method: str, path: str, body=None) -> dict:
    """One control-plane call; anything but a JSON answer ends the command with one line."""
    url = f"{args.url}/_posim/tenants/{args.tenant}{path}"
    call = f"{method} /_posim/tenants/{args.tenant}{path}"
    try:
        headers = admin_headers(args.admin_token)
        resp = httpx.request(method, url, json=body, headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        raise SystemExit(f"posim: cannot reach {args.url}: {one_line(exc)}") from None
    if resp.status_code >= 400:
        raise SystemExit(f"posim: {call}: HTTP {resp.status_code}: {one_line(resp.text)}")
    try:
        data = resp.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):  # every control call answers an object
        raise SystemExit(
            f"posim: {call}: HTTP {resp.status_code}, not posim's JSON answer; "
            f"body {resp.content[:80]!r}"
        )
    return data


def _print(data) -> int:
    print(json.dumps(data, indent=2, default=str))
    return 0


def _clock(args) -> int:
    if args.action == "advance":
        return _print(_call(args, "POST", "/clock/advance", {"seconds": args.duration}))
    return _print(_call(args, "GET", "/clock"))


def _faults(args) -> int:
    if args.action == "list":
        listed = _call(args, "GET", "/faults")
        return _print({**listed, "faults": [_as_fired(r) for r in listed.get("faults", [])]})
    if args.action == "clear":
        return _print(_call(args, "DELETE", "/faults"))
    rule = {k: getattr(args, k) for k in FAULT_FIELDS if getattr(args, k) is not None}
    if "status" in rule and args.kind != "error":
        raise SystemExit(f"posim faults add: --status applies to kind error, not {args.kind}")
    return _print(_as_fired(_call(args, "POST", "/faults", rule)))


def _as_fired(rule: dict) -> dict:
    """A rule as it fires: a rate_limit fault answers 429, whatever status the rule stores."""
    return {**rule, "status": 429} if rule.get("kind") == "rate_limit" else rule


def _fixtures(args) -> int:
    from ..fakes import dataset

    data = dataset(args.members, args.seed, products=args.products, stores_n=args.stores)
    text = json.dumps(data, indent=2) + "\n"
    if write_out(args.out, text):
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


def _status_5xx(text: str) -> int:
    value = at_least(0)(text)
    if not 500 <= value <= 599:
        raise argparse.ArgumentTypeError(f"an error fault answers a 5xx status, not {value}")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"a probability is in (0, 1], not {value}")
    return value


def _target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", default="demo", help="tenant id")
    parser.add_argument("--url", type=target_url, default=DEFAULT_URL, help="posim server")
    parser.add_argument(
        "--admin-token", help=f"the server's admin token (default: ${ADMIN_TOKEN_ENV})"
    )


def _sub(parent, name: str, text: str) -> argparse.ArgumentParser:
    return parent.add_parser(name, help=text, description=text, formatter_class=HelpFormatter)


def add_parsers(sub) -> None:
    clock = _sub(sub, "clock", "read or advance a tenant's clock on a running posim")
    clock_sub = clock.add_subparsers(dest="action", required=True)
    show = _sub(clock_sub, "show", "print the tenant's clock")
    _target(show)
    advance = _sub(clock_sub, "advance", "move the clock forward, e.g. 11m")
    advance.add_argument("duration", type=duration, help="90s, 11m, 2h, 3d or 1h30m")
    _target(advance)
    clock.set_defaults(func=_clock)

    faults = _sub(sub, "faults", "inject, list or clear faults on a running posim")
    faults_sub = faults.add_subparsers(dest="action", required=True)
    add = _sub(faults_sub, "add", "add a fault rule (first matching rule fires)")
    add.add_argument("kind", choices=["latency", "error", "rate_limit", "drop", "lose_response"])
    add.add_argument("--dialect", type=dialect, help="only this vendor API (default: any)")
    add.add_argument("--route", help="regular expression searched in the path")
    add.add_argument("--method", type=str.upper, help="only this HTTP method")
    add.add_argument("--member", help="only calls naming this member id")
    add.add_argument("--probability", type=_probability, help="chance a match fires (1)")
    add.add_argument("--seed", type=int, help="seed of the probability draws")
    add.add_argument("--count", type=at_least(1), help="fire at most N times (the first N calls)")
    add.add_argument("--latency-ms", dest="latency_ms", type=at_least(0), help="added delay")
    add.add_argument("--jitter-ms", dest="jitter_ms", type=at_least(0), help="random extra delay")
    add.add_argument("--status", type=_status_5xx, help="5xx status for kind error (503)")
    add.add_argument("--retry-after", dest="retry_after_s", type=number(0), help="Retry-After (s)")
    add.add_argument("--hang", dest="hang_s", type=number(0), help="seconds a drop hangs over HTTP")
    add.add_argument("--body", help="regular expression searched in the request body")
    add.add_argument("--after", type=at_least(0), help="let the first N matching calls through")
    add.add_argument("--every", type=at_least(1), help="then fire on every Nth matching call")
    add.add_argument(
        "--once-per",
        dest="once_per",
        choices=["order", "member"],
        help="fire at most once per distinct order id / member (never on one another rule hit)",
    )
    add.add_argument("--id", dest="fault_id", help="a name for the rule, shown in the traffic")
    listing = _sub(faults_sub, "list", "print the tenant's fault rules")
    clearing = _sub(faults_sub, "clear", "remove every fault rule of the tenant")
    for parser in (add, listing, clearing):
        _target(parser)
    faults.set_defaults(func=_faults)

    fixtures = _sub(sub, "fixtures", "deterministic test data")
    fixtures_sub = fixtures.add_subparsers(dest="action", required=True)
    generate = _sub(fixtures_sub, "generate", "members, catalog and stores from a seed")
    generate.add_argument("--members", type=at_least(0), default=100, help="members to make")
    generate.add_argument("--seed", type=int, default=0, help="data seed")
    generate.add_argument("--products", type=at_least(0), default=50, help="catalog size")
    generate.add_argument("--stores", type=at_least(1), default=3, help="stores")
    generate.add_argument(
        "--out", type=file_or_stdout, default="-", help="file to write (- : stdout)"
    )
    fixtures.set_defaults(func=_fixtures)
