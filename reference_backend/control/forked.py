"""A snapshot encoded by a forked copy of the server: the fork is the copy (taken while the
tenant's lock is held, so it is consistent), and the encoding runs in another process, so
it neither holds the tenant's lock nor competes with the event loop for the interpreter
lock (a worker thread of this process would). The parent only relays the bytes."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from .stream_json import CHUNK, iter_json

log = logging.getLogger("posim.server")
AVAILABLE = hasattr(os, "fork")


def _fork(lock, document: Callable[[], Any]) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    with lock:
        pid = os.fork()
        if pid == 0:  # the child: encode, write, and leave without running any cleanup
            code = 1
            try:
                os.close(read_fd)
                with os.fdopen(write_fd, "wb") as out:
                    for chunk in iter_json(document()):
                        out.write(chunk)
                code = 0
            finally:
                os._exit(code)
    os.close(write_fd)
    return pid, read_fd


async def stream(lock, document: Callable[[], Any]) -> AsyncIterator[bytes]:
    """The JSON of `document()` as evaluated in a child forked under `lock`."""
    pid, fd = await run_in_threadpool(_fork, lock, document)
    try:
        while chunk := await run_in_threadpool(os.read, fd, CHUNK):
            yield chunk
    finally:
        os.close(fd)
        _, status = await run_in_threadpool(os.waitpid, pid, 0)
        if status:
            log.error("snapshot child %s failed (status %s)", pid, status)
