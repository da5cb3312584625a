"""A Gameball v4.0 till, written from Gameball's POS installation guide and OpenAPI file.

    python examples/tills/gameball_till.py --url http://127.0.0.1:8080 \\
        --api-key KEY --secret-key SECRET [--defect NAME]

One go-live day: register two shoppers, earn on sales, pay with points (balance read, hold
within the available balance, order naming the hold), void a checkout (release the hold),
refund a sale, report a store visit. Failed, 5xx or timed-out calls are resent unchanged;
429s are waited out for Retry-After.
"""

from __future__ import annotations

import sys
from typing import Any

from tillkit import Api, TillError, now_iso, parser, run

API_ROOT = "/api/v4.0/integrations"
DEFECTS = {
    "no-balance-read": "read a shopper's balance only at their first checkout of the day",
    "over-redeem": "hold more points than the balance the till just read",
    "no-hold-ref": "discount points on the order without naming the hold",
    "keep-hold-on-void": "void a checkout without releasing its hold",
    "new-id-on-retry": "resend a failed order under a new orderId",
    "reuse-order-id": "give a later sale the orderId of an earlier one",
    "refund-unknown-order": "refund an orderId that was never sent",
    "ignore-retry-after": "resend a 429'd call at once",
    "pii-in-event": "put the shopper's e-mail address in event metadata",
}


class GameballTill:
    def __init__(self, args: Any) -> None:
        self.defect = args.defect
        self.run = args.run
        headers = {"APIKey": args.api_key, "SecretKey": args.secret_key}
        self.api = Api(
            args.url.rstrip("/") + API_ROOT,
            headers,
            timeout=args.timeout,
            ignore_retry_after=self.defect == "ignore-retry-after",
        )
        self.read_today: set[str] = set()
        self.sales = 0

    # -- calls --------------------------------------------------------------------------
    def register(self, customer_id: str, email: str, mobile: str, first: str) -> None:
        body = {
            "customerId": customer_id,
            "email": email,
            "mobile": mobile,
            "customerAttributes": {"firstName": first, "email": email, "mobile": mobile},
        }
        self.api.call("POST", "/customers", json=body)

    def available(self, customer_id: str) -> int | None:
        """The spendable balance; None when this till skips the read (a defect)."""
        if self.defect == "no-balance-read" and customer_id in self.read_today:
            return None
        self.read_today.add(customer_id)
        answer = self.api.call("GET", f"/customers/{customer_id}/balance")
        if answer.status_code != 200:
            raise TillError(f"balance of {customer_id}: HTTP {answer.status_code}")
        return int(answer.json().get("availablePointsBalance") or 0)

    def hold(self, customer_id: str, wanted: int, available: int | None) -> str | None:
        points = wanted if available is None else min(wanted, available)
        if self.defect == "over-redeem" and available is not None:
            points = available + 100
        if points <= 0:
            return None
        body = {"customerId": customer_id, "transactionTime": now_iso(), "pointsToHold": points}
        answer = self.api.call("POST", "/transactions/hold", json=body)
        if answer.status_code != 200:
            return None  # e.g. 9008: staff sees it, the sale goes on without points
        return str(answer.json()["holdReference"])

    def release(self, reference: str) -> None:
        self.api.call("DELETE", f"/transactions/hold/{reference}")

    def order(self, customer_id: str, order_id: str, price: int, hold: tuple[str, int] | None):
        discount = hold[1] // 100 if hold else 0  # 100 points buy 1 unit of money
        body: dict[str, Any] = {
            "customerId": customer_id,
            "orderId": order_id,
            "orderDate": now_iso(),
            "totalPrice": price,
            "totalDiscount": discount,
            "totalPaid": price - discount,
            "channel": "pos",
            "lineItems": [{"productId": f"SKU-{price}", "quantity": 1, "price": price}],
            "merchant": {"uniqueId": "store-1", "branch": {"uniqueId": "lane-2"}},
        }
        if hold and self.defect != "no-hold-ref":
            body["redemption"] = {"pointsHoldReference": hold[0]}

        def renamed(sent: dict[str, Any]) -> dict[str, Any]:
            return {**sent, "orderId": sent["orderId"] + "-again"}

        resend = renamed if self.defect == "new-id-on-retry" else None
        self.api.call("POST", "/orders", json=body, resend=resend)

    def refund(self, customer_id: str, order_id: str, amount: int) -> None:
        reverse = "NEVER-SENT-1" if self.defect == "refund-unknown-order" else order_id
        body = {
            "customerId": customer_id,
            "refundTransactionId": f"{order_id}-refund-1",
            "reverseTransactionId": reverse,
            "transactionTime": now_iso(),
            "refundAmount": amount,
        }
        self.api.call("POST", "/transactions/refund", json=body)

    def visit(self, customer_id: str, email: str) -> None:
        meta: dict[str, Any] = {"store": "store-1", "lane": 2}
        if self.defect == "pii-in-event":
            meta["contact"] = email
        self.api.call(
            "POST", "/events", json={"customerId": customer_id, "events": {"visit": meta}}
        )

    # -- the day ------------------------------------------------------------------------
    def sale_id(self) -> str:
        self.sales += 1
        return f"{self.run}-S{self.sales}"

    def checkout(self, customer_id: str, price: int, points: int = 0, void: bool = False) -> str:
        order_id = self.sale_id()
        hold = None
        if points:
            reference = self.hold(customer_id, points, self.available(customer_id))
            hold = (reference, points) if reference else None
        if void:
            if hold and self.defect != "keep-hold-on-void":
                self.release(hold[0])
            return order_id
        self.order(customer_id, order_id, price, hold)
        return order_id

    def day(self) -> None:
        ann, bob = f"{self.run}-ann", f"{self.run}-bob"
        self.register(ann, f"{ann}@example.com", "+966500000101", "Ann")
        self.register(bob, f"{bob}@example.com", "+966500000102", "Bob")
        first = self.checkout(ann, 800)  # earns 800 points
        self.checkout(bob, 600)
        self.checkout(bob, 400)
        self.checkout(ann, 300, points=200)  # pays 2 with points
        self.checkout(ann, 250, points=100, void=True)  # the shopper walks away
        self.checkout(ann, 500, points=300)  # a second redemption by the same shopper
        second = self.checkout(bob, 700)
        if self.defect == "reuse-order-id":
            self.order(bob, first, 350, None)  # another sale under an old id
        self.refund(ann, first, 200)
        self.refund(bob, second, 700)
        self.visit(ann, f"{ann}@example.com")


def main(argv: list[str] | None = None) -> int:
    p = parser("Gameball", DEFECTS)
    p.add_argument("--api-key", required=True)
    p.add_argument("--secret-key", required=True)
    args = p.parse_args(argv)
    till = GameballTill(args)
    try:
        return run(lambda _: till.day(), args)
    finally:
        till.api.close()


if __name__ == "__main__":
    sys.exit(main())
