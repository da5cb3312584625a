"""A deliberately racy Gameball double: it checks the balance, awaits, then deducts.

Only the calls the race profile makes: customers (upsert, profile, details, balance), holds (create,
release) and orders (earn, capture a hold). A hold reads the available points, yields to the
event loop for 5 ms (a database round trip, say), then deducts whatever it was asked for,
so two lanes that both saw enough points both get a hold: the double spend the oracle must
report. Run with: uvicorn --app-dir tests/load racy_backend:app --host 127.0.0.1
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

API_KEY, SECRET_KEY = "racy-api-key", "racy-secret-key"
BASE = "/api/v4.0/integrations"

app = FastAPI()
balances: dict[str, int] = {}  # customer -> points (available)
holds: dict[str, dict[str, Any]] = {}  # reference -> customer, points, state
orders: dict[str, dict[str, Any]] = {}
_refs = itertools.count(1)


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _unauthorized(request: Request) -> JSONResponse | None:
    if request.headers.get("apikey") != API_KEY:
        return _error(401, 1000, "APIKey is not valid")
    return None


@app.post(f"{BASE}/customers")
async def upsert_customer(request: Request):
    if denied := _unauthorized(request):
        return denied
    body = await request.json()
    customer = str(body["customerId"])
    balances.setdefault(customer, 0)
    return {"customerId": customer, "gameballId": len(balances)}


@app.get(f"{BASE}/customers/{{customer}}")
@app.get(f"{BASE}/customers/{{customer}}/details")
async def customer(customer: str, request: Request):
    if denied := _unauthorized(request):
        return denied
    if customer not in balances:
        return _error(404, 7000, "Customer not found")
    return {"customerId": customer, "customerAttributes": {}, "referralCode": None}


@app.get(f"{BASE}/customers/{{customer}}/balance")
async def balance(customer: str, request: Request):
    if denied := _unauthorized(request):
        return denied
    if customer not in balances:
        return _error(404, 7000, "Customer not found")
    points = balances[customer]
    return {
        "customerId": customer,
        "availablePointsBalance": points,
        "totalPointsBalance": points,
        "pendingPoints": 0,
    }


@app.post(f"{BASE}/transactions/hold")
async def hold(request: Request):
    if denied := _unauthorized(request):
        return denied
    body = await request.json()
    customer, points = str(body["customerId"]), int(body["pointsToHold"])
    if balances.get(customer, 0) < points:  # check ...
        return _error(400, 9008, "Insufficient points")
    await asyncio.sleep(0.005)  # ... the race window ...
    balances[customer] -= points  # ... then deduct, trusting the stale check
    reference = f"racy-hold-{next(_refs)}"
    holds[reference] = {"customer": customer, "points": points, "state": "active"}
    return {
        "customerId": customer,
        "holdReference": reference,
        "holdEquivalentPoints": points,
        "holdAmount": points / 100,
    }


@app.delete(f"{BASE}/transactions/hold/{{reference}}")
async def release(reference: str, request: Request):
    if denied := _unauthorized(request):
        return denied
    found = holds.get(reference)
    if found is None or found["state"] == "used":
        return _error(400, 9006, "Hold reference not usable")
    if found["state"] == "active":
        found["state"] = "released"
        balances[found["customer"]] += found["points"]
    return {"success": True}


@app.post(f"{BASE}/orders")
async def order(request: Request):
    if denied := _unauthorized(request):
        return denied
    body = await request.json()
    customer, order_id = str(body["customerId"]), str(body["orderId"])
    if order_id in orders:
        return orders[order_id]
    redeemed = 0
    reference = (body.get("redemption") or {}).get("pointsHoldReference")
    if reference:
        found = holds.get(reference)
        if found is None or found["state"] != "active" or found["customer"] != customer:
            return _error(400, 9006, "Hold reference not usable")
        found["state"] = "used"
        redeemed = found["points"]
    earned = int(float(body.get("totalPaid") or 0))  # one point per 1.00 paid
    balances[customer] = balances.get(customer, 0) + earned
    orders[order_id] = {"rewardedPoints": earned, "redeemedPoints": redeemed}
    return orders[order_id]
