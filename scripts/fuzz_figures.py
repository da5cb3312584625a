"""Figures for `make fuzz`: hostile input against a live `posim serve` on 127.0.0.1.

1. Bad inputs per dialect: seeded mutations of real write bodies (a leaf replaced by a lone
   surrogate, NaN, 1e400, a 10k-deep array, ...), unreadable bodies, oversized bodies and
   hostile credentials; printed as "tried N, 5xx M" per dialect (M must be 0).
2. Memory: the server's RSS before and after 100 rejected 50 MB bodies (must stay within
   10%: a refused body is never kept, by the reader or the traffic log).

Bounded in count and time, seeded, loopback only; the server is stopped when done.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.backends.server import ServerProcess  # noqa: E402

TOKENS = [
    rb'"A\ud800"',
    rb'"\udfff"',
    rb'{"\ud83d": 1}',
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1e400",
    b"1e30",
    b"1" + b"0" * 40,
    b"9" * 5000,
    b'"1e30"',
    b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b'"' + b"x" * 100_000 + b'"',
]
WHOLE = [b'{"a": "\xff\xfe"}', b"[]", b'"x"', b'{"a": ', b"\x00" * 64, b"{" * 50_000]
MOBILE = "919800000001"


def _writes(user_id: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    sale = {"type": "regular", "number": "B1", "amount": 100, "customer": {"mobile": MOBILE}}
    return {
        "gameball": [
            ("/api/v4.0/integrations/customers", {"customerId": "c1", "email": "c1@example.com"}),
            (
                "/api/v4.0/integrations/orders",
                {
                    "customerId": "c1",
                    "orderId": "o1",
                    "orderDate": "2026-01-01T00:00:00Z",
                    "totalPaid": 10,
                },
            ),
            (
                "/api/v4.0/integrations/transactions/hold",
                {"customerId": "c1", "transactionTime": "2026-01-01T00:00:00Z", "pointsToHold": 5},
            ),
        ],
        "wll": [
            (
                "/v1/users",
                {"email": "bob@example.com", "givenName": "Bob", "authIdentifier": "auth0|bob"},
            ),
            (
                "/v1/events",
                {"type": "TRANSACTION", "subject": {"id": user_id}, "payload": {"amount": 30}},
            ),
        ],
        "capillary": [
            ("/v1.1/customer/add?format=json", {"root": {"customer": [{"mobile": MOBILE}]}}),
            ("/v1.1/transaction/add?format=json", {"root": {"transaction": [sale]}}),
        ],
    }


def _headers(url: str) -> tuple[dict[str, dict[str, str]], str]:
    creds = httpx.get(f"{url}/_posim/tenants/demo").json()["credentials"]
    gb, wl, cap = creds["gameball"], creds["wll"], creds["capillary"]
    form = {
        "client_id": wl["clientId"],
        "client_secret": wl["clientSecret"],
        "grant_type": "client_credentials",
    }
    token = httpx.post(f"{url}/oauth/token", json=form).json()["access_token"]
    basic = f"{cap['till']}:{hashlib.md5(cap['password'].encode()).hexdigest()}"
    headers = {
        "gameball": {"APIKey": gb["apiKey"], "SecretKey": gb["secretKey"]},
        "wll": {"X-Api-Key": wl["apiKey"], "Authorization": f"Bearer {token}"},
        "capillary": {"Authorization": "Basic " + base64.b64encode(basic.encode()).decode()},
    }
    user = {"email": "ann@example.com", "givenName": "Ann", "authIdentifier": "auth0|ann"}
    made = httpx.post(f"{url}/v1/users", json=user, headers=headers["wll"]).json()["data"]["id"]
    return headers, made


def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _mutate(body: dict[str, Any], rng: random.Random) -> bytes:
    body = json.loads(json.dumps(body))
    *parents, last = rng.choice(_leaves(body))
    target = body
    for key in parents:
        target = target[key]
    target[last] = "__HOSTILE__"
    return json.dumps(body).encode().replace(b'"__HOSTILE__"', rng.choice(TOKENS))


def bad_inputs(url: str, headers, user_id: str, seed: int, per_dialect: int):
    """{dialect: (bad inputs tried, answers that were 5xx)}."""
    rng = random.Random(seed)
    figures = {}
    with httpx.Client(base_url=url, timeout=30) as client:
        for dialect, writes in _writes(user_id).items():
            tried = errors = 0
            sent = {**headers[dialect], "Content-Type": "application/json"}
            bodies = [_mutate(rng.choice(writes)[1], rng) for _ in range(per_dialect)]
            cases = [(rng.choice(writes)[0], b) for b in bodies]
            cases += [(path, raw) for path, _ in writes for raw in WHOLE]
            cases += [(path, b" " * (1024 * 1024 + 1)) for path, _ in writes]  # over 1 MB
            for path, content in cases:
                tried += 1
                errors += client.post(path, content=content, headers=sent).status_code >= 500
            figures[dialect] = (tried, errors)
    return figures


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def rss_after_big_bodies(url: str, headers, pid: int, count: int = 100, size_mb: int = 50):
    big = b"x" * (size_mb * 1024 * 1024)
    statuses = set()
    with httpx.Client(base_url=url, timeout=60) as client:
        client.get("/_posim/tenants/demo/traffic")  # warm the paths measured
        before = _rss_kb(pid)
        for n in range(count):
            path = "/api/v4.0/integrations/customers" if n % 2 else "/v1/users"
            dialect = "gameball" if n % 2 else "wll"
            try:
                statuses.add(client.post(path, content=big, headers=headers[dialect]).status_code)
            except httpx.HTTPError as exc:  # the server may close once it has answered 413
                statuses.add(type(exc).__name__)
        after = _rss_kb(pid)
    return before, after, statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--per-dialect", type=int, default=300)
    parser.add_argument("--big-bodies", type=int, default=100)
    args = parser.parse_args(argv)
    ok = True
    with ServerProcess() as server:
        headers, user_id = _headers(server.url)
        figures = bad_inputs(server.url, headers, user_id, args.seed, args.per_dialect)
        for dialect, (tried, errors) in figures.items():
            print(f"bad inputs  {dialect:<10} tried {tried:>5}  5xx {errors}")
            ok &= errors == 0
        pid = server.proc.pid
        before, after, statuses = rss_after_big_bodies(server.url, headers, pid, args.big_bodies)
        growth = (after - before) / before * 100
        print(
            f"memory      {args.big_bodies} rejected 50 MB bodies: RSS {before / 1024:.0f} MB -> "
            f"{after / 1024:.0f} MB ({growth:+.1f}%), answers {sorted(map(str, statuses))}"
        )
        ok &= growth <= 10
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
