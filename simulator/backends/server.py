"""Run `posim serve` as a child process on 127.0.0.1 for tests, load runs and benchmarks.

The server is stopped by its PID when the context exits, so nothing outlives the caller.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from .processes import stop_process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    def __init__(
        self,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = extra_args
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        cmd = [
            sys.executable,
            "-m",
            "simulator.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            *self.extra_args,
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # a session of its own: Ctrl-C on the caller's terminal must not take the server
        # away before the caller has read the final state; the caller stops it by PID
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"posim serve exited early: {err[-2000:]}")
            try:
                # the ping answers before any guard: a server with an admin token is ready too
                if httpx.get(f"{self.url}/_posim/ping", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"posim serve did not answer on {self.url}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def add_serve_arguments(serve) -> None:
    """`posim serve` flags for binding, the control plane's guard and the edge's limits."""
    from ..cliargs import at_least, port, writable_file

    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    serve.add_argument("--port", type=port, default=8080, help="TCP port (1-65535)")
    serve.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed for tenant credentials (default 0 on loopback, random beyond it)",
    )
    serve.add_argument(
        "--record",
        type=writable_file,
        help="append every exchange (secrets and personal data masked) to this file",
    )
    serve.add_argument("--log-level", default="info", choices=LOG_LEVELS, help="server log")
    serve.add_argument(
        "--admin-token",
        help="token every /_posim call must carry (X-Posim-Admin-Token or Bearer); "
        "generated and printed when bound beyond loopback",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        help="another Host name the control plane answers to (repeatable)",
    )
    serve.add_argument("--max-tenants", type=at_least(1), default=1000, help="tenants at most")
    serve.add_argument(
        "--body-limit", type=at_least(1024), default=1024 * 1024, help="bytes (413 above)"
    )
    serve.add_argument(
        "--reports", default="reports", help="folder of earlier reports the inspector lists"
    )
    serve.add_argument("--open", action="store_true", help="open the inspector in a browser")


def serve_settings(args):
    """(Settings, lines to print at start) for `posim serve` args.

    On loopback nothing changes for the README's demo: fixed seed 0, no token. Beyond it the
    control plane needs a token (generated unless given) and credentials are random unless
    --seed is given.
    """
    import secrets

    from reference_backend.control.guard import is_loopback
    from reference_backend.settings import Settings

    loopback = is_loopback(args.host)
    seed = args.seed if args.seed is not None else (0 if loopback else secrets.randbits(63))
    token = args.admin_token or (None if loopback else secrets.token_urlsafe(24))
    notices = []
    if not loopback:
        notices.append(
            f"WARNING: bound to {args.host}, beyond loopback: every /_posim call needs "
            "the admin token (header X-Posim-Admin-Token)"
        )
        if not args.admin_token:
            notices.append(f"  admin token: {token}")
    settings = Settings(
        seed=seed,
        record_path=args.record,
        bind_host=args.host,
        allowed_hosts=tuple(args.allowed_host),
        admin_token=token,
        max_tenants=args.max_tenants,
        body_limit=args.body_limit,
    )
    return settings, notices
