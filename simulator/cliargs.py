"""Argument types and helpers that turn bad command-line input into one line, not a
traceback: every `posim` command uses the same ones (ports, dialects, credentials, paths)."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import socket
import sys
from pathlib import Path
from typing import Any

from .protocol import DIALECTS


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions as written, and every option's default in its help (where it has one)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """A usage error is one line (what is wrong, and where the help is), exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def one_line(text: Any, limit: int = 240) -> str:
    """Whitespace collapsed and cut, so a server's HTML page cannot flood the console."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def fail(prog: str, problem: Any, status: int = 2) -> int:
    """Print `prog: problem` on one line to stderr; the caller returns the exit status."""
    print(f"{prog}: {one_line(problem)}", file=sys.stderr)
    return status


# -- argument types (argparse shows their ArgumentTypeError as one usage line) -----------
def at_least(low: int):
    """argparse type: a whole number >= low."""

    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, not {value}")
        return value

    return whole


def number(low: float = 0.0, *, above: bool = False):
    """argparse type: a finite number >= low (> low with `above`): timeouts, rates, delays."""

    def real(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
        if value < low or (above and value == low):
            raise argparse.ArgumentTypeError(
                f"must be {'>' if above else '>='} {low:g}, not {text}"
            )
        return value

    return real


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """argparse type: '90', '90s', '11m', '2h', '3d' or '1h30m' -> seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (say 90s, 11m, 2h or 1h30m)")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is out of range 1-65535")
    return value


def dialect(text: str) -> str:
    if text not in DIALECTS:
        raise argparse.ArgumentTypeError(
            f"unknown dialect {text!r}; choose from {', '.join(DIALECTS)}"
        )
    return text


def target_url(text: str) -> str:
    from .preflight import check_url

    try:
        return check_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_credentials(text: str | None) -> dict[str, Any] | None:
    """Credentials as a JSON object, k=v,k=v pairs or @file holding either; ValueError with
    one line otherwise. Values stay as given (a JSON object may be keyed by dialect)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"cannot read credentials file {text[1:]}: {exc.strerror}") from None
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"credentials are not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError("credentials must be a JSON object")
        return data
    pairs = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"credentials: {part.strip()!r} is not key=value (or pass JSON)")
        pairs[key.strip()] = value.strip()
    return pairs


def credentials(text: str) -> dict[str, Any]:
    """argparse type for --credentials: the same syntax on every command."""
    try:
        return parse_credentials(text) or {}
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def writable_file(text: str) -> str:
    """A file the command will write later: its folder must exist and be writable now."""
    folder = Path(text).expanduser().resolve().parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"{text}: folder {folder} is not writable")
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    if Path(text).exists() and not os.access(text, os.W_OK):
        raise argparse.ArgumentTypeError(f"{text} is not writable")
    return text


def writable_dir(text: str) -> str:
    """A folder the command will create or write into: its nearest existing parent must be a
    writable folder."""
    path = Path(text).expanduser().resolve()
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {existing} is not a folder")
    if not os.access(existing, os.W_OK):
        raise argparse.ArgumentTypeError(f"{text}: {existing} is not writable")
    return text


def file_or_stdout(text: str) -> str:
    """argparse type for --out: "-" (stdout), or a file whose missing folders can be made."""
    if text == "-":
        return text
    writable_dir(str(Path(text).parent))
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    if Path(text).exists() and not os.access(text, os.W_OK):
        raise argparse.ArgumentTypeError(f"{text} is not writable")
    return text


def write_out(out: str, text: str) -> bool:
    """Write `text` to stdout ("-") or to the file `out` (folders made); True for a file."""
    if out == "-":
        sys.stdout.write(text)
        return False
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text, encoding="utf-8")
    return True


def port_is_free(host: str, number: int) -> str | None:
    """None if `host:number` can be bound now; else why not (checked before any banner)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, number))
        except OSError as exc:
            return f"cannot listen on {host}:{number}: {exc.strerror or exc}"
    return None
