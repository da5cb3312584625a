"""Stopping a child process: the one way every part does it (servers, POS commands, Locust).

Let it finish for a moment if asked, then SIGTERM, wait with a bound, SIGKILL, and reap, so no
child outlives its caller and none is left a zombie. With `group`, the signals go to the
child's whole process group (a child started with `start_new_session=True`), which also
reaches the strays of a command whose own process has already ended.
"""

from __future__ import annotations

import os
import signal
import subprocess

KILL_WAIT_S = 5.0  # after SIGKILL: only a process stuck in the kernel takes longer


def stop_process(
    proc: subprocess.Popen,
    *,
    grace_s: float = 10.0,
    let_exit_s: float = 0.0,
    group: bool = False,
) -> None:
    """Wait up to `let_exit_s` for `proc` to end by itself, then SIGTERM it (its group when
    `group`), wait up to `grace_s`, then SIGKILL and reap it."""
    ended = proc.poll() is not None or (let_exit_s > 0 and _exited(proc, let_exit_s))
    if ended and not group:  # a group is signalled anyway: strays may outlive the leader
        return
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, KILL_WAIT_S)):
        if not _signal(proc, sig, group) or _exited(proc, wait_s):
            return


def _signal(proc: subprocess.Popen, sig: int, group: bool) -> bool:
    """Send `sig`; False when nobody is left to receive it."""
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except ProcessLookupError:
        return False
    return True


def _exited(proc: subprocess.Popen, timeout_s: float) -> bool:
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return False
    return True
