"""The in-process transport without a thread hop: each request runs the ASGI app to
completion on an event loop owned by the calling thread."""

from __future__ import annotations

from ..transports import ASGITransport, InProcessClient


class SameThreadClient(InProcessClient):
    def _start(self) -> None:  # no loop thread: requests run where they are made
        pass

    def _run(self, coro):
        return self._loop.run_until_complete(coro)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


class SameThreadTransport(ASGITransport):
    def __init__(self, app, base_url: str = "http://posim.local") -> None:
        self.client = SameThreadClient(app, base_url)
