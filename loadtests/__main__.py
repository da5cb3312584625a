"""`python -m loadtests load ...` (the same as `posim load`), and `... worker` for remote workers.

A worker on another machine needs posim installed and the master's address:
    python -m loadtests worker --profile race --master-host 10.0.0.4 --master-port 5557
It receives the plan (target, credentials, members) from the master when the run starts.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import PROFILES
from .cli import add_load_parser


def _worker(args: argparse.Namespace) -> int:
    from .runner import _env, locustfile

    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile(args.profile)),
        "--worker",
        "--master-host",
        args.master_host,
        "--master-port",
        str(args.master_port),
    ]
    os.execve(sys.executable, cmd, _env())  # the worker replaces this process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    add_load_parser(sub)
    worker = sub.add_parser("worker", help="a Locust worker for a master elsewhere")
    worker.add_argument("--profile", choices=PROFILES, default="race")
    worker.add_argument("--master-host", required=True)
    worker.add_argument("--master-port", type=int, default=5557)
    worker.set_defaults(func=_worker)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
