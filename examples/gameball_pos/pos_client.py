"""A small POS-side Gameball client, written only from Gameball's public API documentation.

It is what an integrator would write: httpx against the real host, the APIKey and
SecretKey headers, a hold before redeeming, a release when the cashier voids, and a retry
after a timeout that re-sends the very same order id (so the order is never awarded twice).
Gameball rejects a re-sent orderId with 9004, so a retried order whose first attempt landed
is read back from GET orders/{id}/transactions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

BASE_URL = "https://api.gameball.co/api/v4.0/integrations"


class GameballError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body.get('code')}: {body.get('message')}")
        self.status = status
        self.code = body.get("code")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class GameballPOS:
    def __init__(
        self,
        api_key: str,
        secret_key: str,
        *,
        base_url: str = BASE_URL,
        timeout: float = 5.0,
        retries: int = 2,
    ) -> None:
        headers = {"APIKey": api_key, "SecretKey": secret_key}
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout)
        self.retries = retries

    def _send(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        for attempt in range(self.retries + 1):
            try:
                resp = self.http.request(method, path, json=body)
            except httpx.TimeoutException:
                if attempt == self.retries:
                    raise
                continue  # same body, same ids: never awarded twice
            payload = resp.json() if resp.content else {}
            if resp.status_code >= 400:
                raise GameballError(resp.status_code, payload)
            return payload
        raise AssertionError("unreachable")

    def register(self, customer_id: str, mobile: str | None = None) -> dict[str, Any]:
        body = {"customerId": customer_id, "mobile": mobile}
        return self._send("POST", "/customers", {k: v for k, v in body.items() if v})

    def balance(self, customer_id: str) -> int:
        return self._send("GET", f"/customers/{customer_id}/balance")["availablePointsBalance"]

    def hold(self, customer_id: str, points: int) -> str:
        body = {"customerId": customer_id, "pointsToHold": points, "transactionTime": _now()}
        return self._send("POST", "/transactions/hold", body)["holdReference"]

    def release(self, hold_reference: str) -> None:
        self._send("DELETE", f"/transactions/hold/{hold_reference}")

    def complete_order(
        self, customer_id: str, order_id: str, total_paid: float, hold_reference: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customerId": customer_id,
            "orderId": order_id,
            "orderDate": _now(),
            "totalPaid": total_paid,
            "totalPrice": total_paid,
            "channel": "pos",
        }
        if hold_reference:
            body["redemption"] = {"pointsHoldReference": hold_reference}
        try:
            return self._send("POST", "/orders", body)
        except GameballError as exc:
            if exc.code != 9004:
                raise
            return self._recorded_order(customer_id, order_id, total_paid, exc)

    def _recorded_order(
        self, customer_id: str, order_id: str, total_paid: float, duplicate: GameballError
    ) -> dict[str, Any]:
        """The order an earlier attempt recorded, if it is this sale (a lost answer)."""
        rows = self._send("GET", f"/orders/{order_id}/transactions")["transactions"]
        reward = next((r for r in rows if r["transactionType"] == "PaymentReward"), None)
        if reward is None or reward["amount"] != total_paid:
            raise duplicate  # the id belongs to another sale
        redeemed = sum(r["equivalentPoints"] for r in rows if r["transactionType"] == "Redemption")
        return {
            "customerId": customer_id,
            "orderId": order_id,
            "rewardedPoints": reward["equivalentPoints"],
            "redeemedPoints": redeemed,
        }

    def refund(
        self, customer_id: str, order_id: str, refund_id: str, amount: float | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customerId": customer_id,
            "refundTransactionId": refund_id,
            "reverseTransactionId": order_id,
            "transactionTime": _now(),
        }
        if amount is not None:
            body["refundAmount"] = amount
        return self._send("POST", "/transactions/refund", body)
