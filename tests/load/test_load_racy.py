"""The oracle catches a backend that checks the balance, awaits, then deducts."""

from __future__ import annotations

import pytest

from loadtests.runner import LoadOptions, describe, run

pytestmark = pytest.mark.load

RACY_CREDENTIALS = {"apiKey": "racy-api-key", "secretKey": "racy-secret-key"}


def test_oracle_reports_the_double_spend_of_a_racy_backend(racy_server, tmp_path):
    options = LoadOptions(
        profile="race",
        dialect="gameball",
        users=20,
        duration=4,
        target=racy_server,
        credentials=RACY_CREDENTIALS,
        workdir=str(tmp_path),
    )
    options.knobs.members = 3
    outcome = run(options)
    print(describe(outcome))
    assert outcome.result is not None, outcome.log_tail
    oracle = outcome.result["oracle"]
    overspent = [v for v in oracle["violations"] if v["check"] == "overspend"]
    assert overspent, describe(outcome)
    assert "overspent" in overspent[0]["detail"]
    assert oracle["checks"]["audit"].startswith("skipped")  # not posim: no control plane
    assert outcome.exit_code == 3
    assert outcome.result["verdict"] == "fail"
    assert outcome.result["total"]["failures"] == 0  # every answer looked fine on its own
