"""A White Label Loyalty till, written from WLL's POS integration guide and its Rewards API
OpenAPI file.

    python examples/tills/wll_till.py --url http://127.0.0.1:8080 \\
        --api-key KEY --client-id ID --client-secret SECRET [--defect NAME]

One go-live day as a back office: an admin token (client credentials), two members
registered, sales reported as TRANSACTION events, points spent as a REDEEMED_POINTS event
capped at the wallet just read (WLL lets a balance go negative), a void given back with
POINTS_REFUND, a refund reversing a sale's redeemed points with POINTS_REFUND, no personal
data in payloads. Failed, 5xx or timed-out calls are resent unchanged; 429s are waited out.
"""

from __future__ import annotations

import sys
from typing import Any

from tillkit import Api, TillError, now_iso, parser, run

DEFECTS = {
    "no-balance-read": "read a member's wallet only at their first checkout of the day",
    "over-redeem": "deduct more points than the wallet just read holds",
    "keep-hold-on-void": "void a checkout without giving its deducted points back",
    "new-id-on-retry": "resend a failed sale under a new event id and transactionId",
    "reuse-order-id": "report a later sale under the transactionId of an earlier one",
    "refund-unknown-order": "give points back for a transactionId never reported",
    "ignore-retry-after": "resend a 429'd call at once",
    "pii-in-event": "put the member's e-mail address in the sale's payload",
}
DEFAULT_POINT_VALUE = 0.01  # money per point when the tenant has no pointsCurrencyValue


class WllTill:
    def __init__(self, args: Any) -> None:
        self.defect = args.defect
        self.run = args.run
        root = args.url.rstrip("/")
        self.api = Api(
            root + "/v1",
            {"X-Api-Key": args.api_key, "Accept": "application/json"},
            timeout=args.timeout,
            ignore_retry_after=self.defect == "ignore-retry-after",
        )
        token = self.api.call(
            "POST",
            root + "/oauth/token",
            json={
                "client_id": args.client_id,
                "client_secret": args.client_secret,
                "audience": "wlloyalty.net",
                "grant_type": "client_credentials",
            },
        )
        if token.status_code != 200:
            raise TillError(f"admin token: HTTP {token.status_code}")
        self.api.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        # WLL's spec: one settings record per name, {"name", "value"} with a string value
        setting = self.api.call("GET", "/settings/pointsCurrencyValue")
        data = setting.json().get("data") if setting.status_code == 200 else None
        value = data.get("value") if isinstance(data, dict) else None
        self.point_value = float(value or DEFAULT_POINT_VALUE)
        self.read_today: set[str] = set()
        self.sales = 0

    # -- calls --------------------------------------------------------------------------
    def register(self, member: str, email: str, first: str) -> None:
        body = {
            "email": email,
            "givenName": first,
            "familyName": "Shopper",
            "authIdentifier": member,
            "externalIdentifier": member,
        }
        self.api.call("POST", "/users", json=body)

    def wallet(self, member: str) -> int | None:
        if self.defect == "no-balance-read" and member in self.read_today:
            return None
        self.read_today.add(member)
        answer = self.api.call("GET", f"/users/{member}/wallet")
        if answer.status_code != 200:
            raise TillError(f"wallet of {member}: HTTP {answer.status_code}")
        return int(answer.json()["data"].get("points") or 0)

    def event(self, event_id: str, kind: str, member: str, payload: dict[str, Any], resend=None):
        body = {"id": event_id, "type": kind, "subject": {"authIdentifier": member}}
        return self.api.call("POST", "/events", json={**body, "payload": payload}, resend=resend)

    def deduct(self, member: str, sale_id: str, wanted: int, balance: int | None) -> int:
        points = wanted if balance is None else min(wanted, balance)
        if self.defect == "over-redeem" and balance is not None:
            points = balance + 100
        if points <= 0:
            return 0
        payload = {"points": points, "transactionId": sale_id}
        self.event(f"{sale_id}:points", "REDEEMED_POINTS", member, payload)
        return points

    def give_back(self, member: str, sale_id: str, points: int, why: str) -> None:
        payload = {"points": points, "transactionId": sale_id, "reason": why}
        self.event(f"{sale_id}:{why}", "POINTS_REFUND", member, payload)

    def sale(self, member: str, sale_id: str, price: int, redeemed: int) -> None:
        discount = round(redeemed * self.point_value, 2)
        payload: dict[str, Any] = {
            "transactionId": sale_id,
            "amount": price - discount,
            "total": price,
            "discount": discount,
            "pointsRedeemed": redeemed,
            "branchId": "store-1",
            "cashierId": "cashier-7",
            "basket": [{"sku": f"SKU-{price}", "quantity": 1, "price": price}],
            "transactionDate": now_iso(),
        }
        if self.defect == "pii-in-event":
            payload["customerEmail"] = f"{member}@example.com"

        def renamed(sent: dict[str, Any]) -> dict[str, Any]:
            again = sent["id"] + "-again"
            return {**sent, "id": again, "payload": {**sent["payload"], "transactionId": again}}

        resend = renamed if self.defect == "new-id-on-retry" else None
        self.event(sale_id, "TRANSACTION", member, payload, resend=resend)

    # -- the day ------------------------------------------------------------------------
    def sale_id(self) -> str:
        self.sales += 1
        return f"{self.run}-S{self.sales}"

    def checkout(self, member: str, price: int, points: int = 0, void: bool = False) -> str:
        sale_id = self.sale_id()
        redeemed = self.deduct(member, sale_id, points, self.wallet(member)) if points else 0
        if void:
            if redeemed and self.defect != "keep-hold-on-void":
                self.give_back(member, sale_id, redeemed, "void")
            return sale_id
        self.sale(member, sale_id, price, redeemed)
        return sale_id

    def day(self) -> None:
        ann, bob = f"{self.run}-ann", f"{self.run}-bob"
        self.register(ann, f"{ann}@example.com", "Ann")
        self.register(bob, f"{bob}@example.com", "Bob")
        first = self.checkout(ann, 800)  # earns 800 points
        self.checkout(bob, 600)
        self.checkout(bob, 400)
        redeeming = self.checkout(ann, 300, points=200)
        self.checkout(ann, 250, points=100, void=True)  # the shopper walks away
        self.checkout(ann, 500, points=300)  # a second redemption by the same member
        self.checkout(bob, 700)
        if self.defect == "reuse-order-id":
            self.sale(bob, first, 350, 0)  # another sale under an old transactionId
        refunded = "NEVER-SENT-1" if self.defect == "refund-unknown-order" else redeeming
        self.give_back(ann, refunded, 200, "refund")  # the shopper returns the goods


def main(argv: list[str] | None = None) -> int:
    p = parser("White Label Loyalty", DEFECTS)
    p.add_argument("--api-key", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", required=True)
    args = p.parse_args(argv)

    def day(_: Any) -> None:
        till = WllTill(args)
        try:
            till.day()
        finally:
            till.api.close()

    return run(day, args)


if __name__ == "__main__":
    sys.exit(main())
