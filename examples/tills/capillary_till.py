"""A Capillary InTouch v1.1 till, written from Capillary's POS integration guide and its v1.1
OpenAPI files.

    python examples/tills/capillary_till.py --url http://127.0.0.1:8080 \\
        --till TILL --password PASSWORD [--defect NAME]

One go-live day: Basic auth with the till code and the MD5 of its password, two customers
enrolled, bills recorded with transaction/add, points spent by customer/get (the balance),
points/isredeemable within it, transaction/add, then points/redeem naming the bill, and a
return against an earlier bill. Business failures are read from item_status (they come as
HTTP 200); 5xx, lost and timed-out calls are resent unchanged; 429s are waited out.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from datetime import UTC, datetime
from typing import Any

from tillkit import Api, TillError, parser, run

DEFECTS = {
    "no-balance-read": "look a customer up only at their first checkout of the day",
    "over-redeem": "check more points than the customer/get just showed",
    "no-redeem-check": "redeem points without points/isredeemable first",
    "redeem-before-bill": "redeem points before the bill is recorded",
    "new-id-on-retry": "resend a failed bill under a new bill number",
    "reuse-order-id": "record a later bill under the number of an earlier one",
    "refund-unknown-order": "return against a bill number never recorded",
    "ignore-retry-after": "resend a 429'd call at once",
}
POINT_VALUE = 0.01  # money per point (points_currency_ratio)
JSON = {"format": "json"}


def intouch_time() -> str:
    """v1.1 dates: YYYY-MM-DD HH:MM:SS."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def item_code(answer: Any) -> int | None:
    """The item_status code of a v1.1 answer's first item."""
    response = answer.json().get("response", {}) if answer.content else {}
    for key, container in response.items():
        if key == "status" or not isinstance(container, dict):
            continue
        for inner in container.values():
            first = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(first, dict) and "item_status" in first:
                return int(first["item_status"]["code"])
    return None


class CapillaryTill:
    def __init__(self, args: Any) -> None:
        self.defect = args.defect
        self.run = args.run
        hashed = hashlib.md5(args.password.encode()).hexdigest()
        token = base64.b64encode(f"{args.till}:{hashed}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        self.api = Api(
            args.url.rstrip("/") + "/v1.1",
            headers,
            timeout=args.timeout,
            ignore_retry_after=self.defect == "ignore-retry-after",
        )
        self.read_today: set[str] = set()
        self.sales = 0

    # -- calls --------------------------------------------------------------------------
    def enroll(self, mobile: str, email: str, first: str) -> None:
        customer = {"mobile": mobile, "email": email, "firstname": first, "lastname": "Shopper"}
        self.api.call("POST", "/customer/add", params=JSON, json={"root": {"customer": [customer]}})

    def points(self, mobile: str) -> int | None:
        if self.defect == "no-balance-read" and mobile in self.read_today:
            return None
        self.read_today.add(mobile)
        answer = self.api.call("GET", "/customer/get", params={**JSON, "mobile": mobile})
        if item_code(answer) != 1000:
            raise TillError(f"customer/get {mobile}: item {item_code(answer)}")
        return int(answer.json()["response"]["customers"]["customer"][0]["loyalty_points"])

    def redeemable(self, mobile: str, wanted: int, balance: int | None) -> int:
        points = wanted if balance is None else min(wanted, balance)
        if self.defect == "over-redeem" and balance is not None:
            points = balance + 100
        if self.defect == "no-redeem-check":
            return points
        query = {**JSON, "mobile": mobile, "points": str(points)}
        answer = self.api.call("GET", "/points/isredeemable", params=query)
        return points if item_code(answer) == 800 else 0  # not redeemable: sell without

    def bill(self, mobile: str, number: str, price: int, redeemed: int) -> bool:
        discount = round(redeemed * POINT_VALUE, 2)
        bill = {
            "type": "regular",
            "number": number,
            "amount": str(price - discount),
            "gross_amount": str(price),
            "discount": str(discount),
            "billing_time": intouch_time(),
            "customer": {"mobile": mobile},
            "line_items": {
                "line_item": [
                    {"serial": "1", "item_code": f"SKU-{price}", "qty": "1", "rate": str(price)}
                ]
            },
        }

        def renamed(sent: dict[str, Any]) -> dict[str, Any]:
            again = {**sent["root"]["transaction"][0]}
            again["number"] += "-again"
            return {"root": {"transaction": [again]}}

        resend = renamed if self.defect == "new-id-on-retry" else None
        body = {"root": {"transaction": [bill]}}
        answer = self.api.call("POST", "/transaction/add", params=JSON, json=body, resend=resend)
        return item_code(answer) in (600, 604)  # 604: already recorded by an earlier attempt

    def redeem(self, mobile: str, number: str, points: int) -> None:
        redeem = {
            "points_redeemed": str(points),
            "customer": {"mobile": mobile},
            "transaction_number": number,
            "external_reference_number": f"{number}-points",
            "redemption_time": intouch_time(),
        }
        query = {**JSON, "skip_validation": "true"}
        self.api.call("POST", "/points/redeem", params=query, json={"root": {"redeem": [redeem]}})

    def give_back(self, mobile: str, number: str, amount: int) -> None:
        sold = "NEVER-SENT-1" if self.defect == "refund-unknown-order" else number
        bill = {
            "type": "RETURN",
            "return_type": "AMOUNT",
            "number": sold,
            "parent_bill_number": f"{number}-R1",
            "amount": str(amount),
            "purchase_time": intouch_time(),
            "billing_time": intouch_time(),
            "customer": {"mobile": mobile},
        }
        self.api.call(
            "POST", "/transaction/add", params=JSON, json={"root": {"transaction": [bill]}}
        )

    # -- the day ------------------------------------------------------------------------
    def bill_number(self) -> str:
        self.sales += 1
        return f"{self.run}-S{self.sales}"

    def checkout(self, mobile: str, price: int, points: int = 0) -> str:
        number = self.bill_number()
        redeemed = self.redeemable(mobile, points, self.points(mobile)) if points else 0
        if redeemed and self.defect == "redeem-before-bill":
            self.redeem(mobile, number, redeemed)
            self.bill(mobile, number, price, redeemed)
            return number
        if self.bill(mobile, number, price, redeemed) and redeemed:
            self.redeem(mobile, number, redeemed)  # only once the bill is recorded
        return number

    def day(self) -> None:
        ann, bob = "919800000101", "919800000102"
        self.enroll(ann, f"{self.run}-ann@example.com", "Ann")
        self.enroll(bob, f"{self.run}-bob@example.com", "Bob")
        first = self.checkout(ann, 800)  # earns 800 points
        self.checkout(bob, 600)
        self.checkout(bob, 400)
        self.checkout(ann, 300, points=200)
        self.checkout(ann, 500, points=300)  # a second redemption by the same customer
        self.checkout(bob, 700)
        if self.defect == "reuse-order-id":
            self.bill(bob, first, 350, 0)  # another bill under an old number
        self.give_back(ann, first, 200)  # the shopper returns part of the first bill


def main(argv: list[str] | None = None) -> int:
    p = parser("Capillary InTouch", DEFECTS)
    p.add_argument("--till", required=True, help="the till's login code")
    p.add_argument("--password", required=True, help="the till's password (sent as its MD5)")
    args = p.parse_args(argv)
    till = CapillaryTill(args)
    try:
        return run(lambda _: till.day(), args)
    finally:
        till.api.close()


if __name__ == "__main__":
    sys.exit(main())
