"""Load and race lab: Locust profiles for the hold/redeem hot path, with a ledger oracle.

Profiles (one locustfile each, in `loadtests/locustfiles/`):

- `race`: lanes across stores race for the points of a small hot set of members.
- `rate_limit`: drives a dialect above its documented rate limits; checks the 429s.
- `checkout_mix`: a realistic day (identify, earn, redeem, voucher, refund).

Requests are built by the simulator's codecs; every run ends with the oracle (`oracle.py`).
`runner.run()` is the entry point, `posim load` its command line.
"""

PROFILES = ("race", "rate_limit", "checkout_mix")
