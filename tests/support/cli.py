"""Run the real `posim` command in a subprocess, and servers that answer badly on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GARBAGE = b"<html><body>It works!</body></html>\n"


def posim(*args: str, timeout: float = 120, cwd: Path | None = None, **env: str):
    """`posim ARGS` as a user runs it: its own process, no terminal, bounded in time."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **env}
    environment.pop("POSIM_CREDENTIALS", None)
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def error_line(result) -> str:
    """The one line the command printed on stderr (asserting there was exactly one)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return lines[0]


class _Garbage(BaseHTTPRequestHandler):
    """200 and a body that is not JSON, for every request."""

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(GARBAGE)))
        self.end_headers()
        self.wfile.write(GARBAGE)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args) -> None:  # quiet test output
        pass


@contextmanager
def garbage_server():
    """A server on 127.0.0.1 answering 200 + HTML to everything; stopped on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
