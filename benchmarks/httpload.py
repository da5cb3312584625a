"""A small keep-alive HTTP/1.1 load generator (asyncio + uvloop), run in its own process.

Requests are built by the simulator's codecs, so the benchmark drives exactly what a POS
would send. Usage (prints one JSON line):
  python -m benchmarks.httpload URL FLOW --dialect D --credentials JSON --member M
         --connections 50 --seconds 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from simulator.protocol import codec_for, ops
from simulator.protocol.base import Done, LoyaltyError, Next, Request, Response


def _raw(req: Request, host: str) -> bytes:
    path = req.path + ("?" + urlencode(req.params) if req.params else "")
    body = json.dumps(req.json).encode() if req.json is not None else b""
    lines = [f"{req.method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    if body:
        lines.append("Content-Type: application/json")
    lines += [f"{k}: {v}" for k, v in req.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(reader, writer, data: bytes) -> Response:
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)  # the chunk and its CRLF
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Response(int(status_line.split()[1]), headers, body)


class Flow:
    def __init__(self, name: str, dialect: str, credentials: dict, member: str, host: str):
        self.name, self.host = name, host
        self.codec = codec_for(dialect, credentials) if dialect else None
        self.member = member
        self.n = 0

    async def run(self, reader, writer, latencies: list[float], errors: list[int]) -> None:
        async def send(req: Request) -> Response:
            start = time.perf_counter()
            resp = await _exchange(reader, writer, _raw(req, self.host))
            latencies.append((time.perf_counter() - start) * 1000)
            if resp.status >= 400:
                errors.append(resp.status)
            return resp

        if self.name == "ping":
            await send(Request("GET", "/_posim/ping"))
        elif self.name == "health":
            await send(Request("GET", "/_posim/health"))
        elif self.name == "balance":
            await self.execute(send, ops.GetBalance(self.member))
        elif self.name == "hold_release":
            self.n += 1
            op = ops.ReservePoints(self.member, 1, f"bench-{id(self)}-{self.n}")
            reservation = await self.execute(send, op)
            if reservation is not None:
                await self.execute(send, ops.ReleasePoints(self.member, reservation))

    async def execute(self, send, op):
        """Like LoyaltyGateway.execute: follow multi-step vendor flows (tokens, checks)."""
        if self.codec is None:
            raise ValueError(f"flow {self.name!r} needs a dialect")
        while True:
            request = self.codec.encode(op)
            if isinstance(request, Done):  # nothing to send on this vendor
                return request.value
            resp = await send(request)
            try:
                out = self.codec.decode(op, resp)
            except LoyaltyError:
                return None
            if not isinstance(out, Next):
                return out
            op = out.op


async def _worker(url: str, flow: Flow, deadline: float, latencies: list, errors: list) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        while time.perf_counter() < deadline:
            await flow.run(reader, writer, latencies, errors)
    finally:
        writer.close()


async def measure(
    url: str,
    flow_name: str,
    dialect: str,
    credentials: dict,
    member: str,
    connections: int,
    seconds: float,
) -> dict:
    host = urlsplit(url).netloc
    latencies: list[float] = []
    errors: list[int] = []
    warm = time.perf_counter() + min(1.0, seconds / 4)
    flows = [Flow(flow_name, dialect, credentials, member, host) for _ in range(connections)]
    warm_latencies: list[float] = []
    await asyncio.gather(*(_worker(url, f, warm, warm_latencies, []) for f in flows))
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(_worker(url, f, deadline, latencies, errors) for f in flows))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return {
        "flow": flow_name,
        "requests": len(latencies),
        "warm_requests": len(warm_latencies),  # sent before timing: server CPU covers them
        "errors": len(errors),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("flow", choices=["ping", "health", "balance", "hold_release"])
    parser.add_argument("--dialect", default="")
    parser.add_argument("--credentials", default="{}")
    parser.add_argument("--member", default="")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    run: Callable[..., Any] = asyncio.run
    try:
        import uvloop

        run = uvloop.run
    except ImportError:
        pass
    result = run(
        measure(
            args.url,
            args.flow,
            args.dialect,
            json.loads(args.credentials),
            args.member,
            args.connections,
            args.seconds,
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
