"""The one process-stop helper: SIGTERM, a bounded wait, SIGKILL, reaped; groups too."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from simulator.backends.processes import stop_process

IGNORE_TERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "


def _python(code: str, **kw) -> subprocess.Popen:
    # the child says it is ready (its handlers set) before the helper signals it
    proc = subprocess.Popen(
        [sys.executable, "-c", code + "print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
        **kw,
    )
    assert proc.stdout.readline() == b"ready\n"
    return proc


def test_sigterm_stops_a_child_that_listens():
    proc = _python("import time; ")
    stop_process(proc, grace_s=30)
    assert proc.returncode == -signal.SIGTERM


def test_a_child_that_ignores_sigterm_is_killed_and_reaped():
    proc = _python(IGNORE_TERM)
    stop_process(proc, grace_s=0.2)
    assert proc.returncode == -signal.SIGKILL


def test_a_child_that_ends_by_itself_is_left_to_end():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    stop_process(proc, let_exit_s=30)
    assert proc.returncode == 0
    stop_process(proc)  # stopping an ended child again is harmless
    assert proc.returncode == 0


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for whoever adopted it to reap it counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_a_group_stop_reaches_the_strays_of_an_ended_leader():
    # the shell leaves a grandchild behind and exits; only the group signal reaches it
    proc = subprocess.Popen(
        ["/bin/sh", "-c", "sleep 60 & echo $!"],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    stray = int(proc.stdout.readline())
    proc.wait(timeout=30)
    assert _alive(stray)
    stop_process(proc, grace_s=30, group=True)
    for _ in range(600):  # signals land asynchronously: poll, bounded
        if not _alive(stray):
            break
        time.sleep(0.05)
    assert not _alive(stray)
