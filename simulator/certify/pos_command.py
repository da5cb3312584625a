"""The integrator's POS command: placeholders filled in, run bounded in its own process group.

`{url}`, `{base_url}`, `{dialect}`, `{tenant}`, `{client_timeout}` and every credential of the
dialect, under its own name (`{apiKey}`) and prefixed with the dialect (`{wllApiKey}`).
`{{` and `}}` are literal braces.
"""

from __future__ import annotations

import random
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..backends.processes import stop_process
from ..protocol.base_paths import BASE_PATHS

# the API root a till is configured with, per dialect (what `{base_url}` is)
API_ROOTS = {name: paths.client for name, paths in BASE_PATHS.items()}
KILL_GRACE_S = 2.0  # between SIGTERM and SIGKILL of the command's process group
NOT_STARTED = (126, 127)  # the shell could not run the command


def placeholders(
    url: str, dialect: str, tenant: str, credentials: dict[str, str], client_timeout: float
) -> dict[str, str]:
    values = {
        "url": url,
        "base_url": url + API_ROOTS[dialect],
        "dialect": dialect,
        "tenant": tenant,
        "client_timeout": f"{client_timeout:g}",
    }
    for key, value in credentials.items():
        values[key] = value
        values[dialect + key[:1].upper() + key[1:]] = value
    return values


def credential_names() -> dict[str, list[str]]:
    """Each dialect's credential names, as its tenants get them."""
    from reference_backend.app import load_dialects

    rng = random.Random(0)
    return {d.name: list(d.new_credentials("names", rng)) for d in load_dialects()}


def placeholder_help() -> str:
    """The placeholders of every dialect, for --help."""
    return "; ".join(
        f"{dialect} " + " ".join("{" + k + "}" for k in keys)
        for dialect, keys in credential_names().items()
    )


def check_command(command: str, dialect: str) -> None:
    """Refuse a COMMAND with an unknown placeholder before anything starts (ValueError)."""
    stand_ins = dict.fromkeys(credential_names()[dialect], "")
    fill(command, placeholders("http://127.0.0.1:0", dialect, "-", stand_ins, 0))


def fill(command: str, values: dict[str, str]) -> str:
    """COMMAND with its placeholders filled; ValueError naming an unknown placeholder."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(command) if name is not None]
    except ValueError as exc:
        raise ValueError(f"--pos COMMAND: {exc} (write {{{{ and }}}} for literal braces)") from exc
    unknown = sorted({f for f in fields if f not in values})
    if unknown:
        known = ", ".join("{" + k + "}" for k in values)
        raise ValueError(f"--pos COMMAND: unknown placeholder {{{unknown[0]}}}; known: {known}")
    return command.format_map(values)


@dataclass
class CommandRun:
    status: int | None  # exit status; None when it was stopped
    stopped: str | None = None  # why it was stopped: "timeout" or "interrupted"
    output_tail: str = ""  # its last line of output, for the one-line error

    @property
    def did_not_start(self) -> bool:
        return self.status in NOT_STARTED

    def failure(self, bound_s: float | None) -> str | None:
        """What went wrong with the command itself, in one line (None: it ended well)."""
        tail = f": {self.output_tail}" if self.output_tail else ""
        if self.stopped == "timeout":
            return f"the POS command did not finish within {bound_s:g} s and was stopped"
        if self.stopped == "interrupted":
            return "the POS command was interrupted"
        if self.did_not_start:
            return f"the POS command could not start (exit status {self.status}){tail}"
        if self.status:
            return f"the POS command exited with status {self.status}{tail}"
        return None


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip()[:200] if lines else ""


def run_command(command: str, timeout_s: float, log_path: Path) -> CommandRun:
    """Run COMMAND with `sh -c`, output to `log_path`, stopped after `timeout_s` (or Ctrl-C)."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", command],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stopped = None
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            stopped = "timeout"
        except KeyboardInterrupt:
            stopped = "interrupted"
        # the command and every child it started (its own session / process group),
        # also the strays of a command that ended
        stop_process(proc, grace_s=KILL_GRACE_S, group=True)
    status = None if stopped else proc.returncode
    return CommandRun(status, stopped, _last_line(log_path))
