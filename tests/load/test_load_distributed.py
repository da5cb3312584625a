"""Distributed mode: a master on 127.0.0.1, two local workers, records sent to the master."""

from __future__ import annotations

import os

import pytest

from loadtests.runner import LoadOptions, describe, run

pytestmark = pytest.mark.load


def test_race_with_two_workers_delivers_every_record_to_the_master(posim_server, tmp_path):
    options = LoadOptions(
        profile="race",
        dialect="gameball",
        users=20,
        duration=5,
        target=posim_server.url,
        workers=2,
        html=str(tmp_path / "report.html"),
        csv=str(tmp_path / "run"),
        workdir=str(tmp_path),
    )
    outcome = run(options)
    print(describe(outcome))
    result = outcome.result
    assert result is not None, outcome.log_tail
    assert result["workers"] == 2  # both workers sent their final records
    oracle = result["oracle"]
    assert oracle["violations"] == []
    assert oracle["counts"]["members_exact"] == 4  # the race profile's hot set
    assert oracle["counts"]["reserve"] > 0
    assert outcome.exit_code == 0
    assert (tmp_path / "report.html").stat().st_size > 10_000
    assert (tmp_path / "run_stats.csv").exists()
    assert len(outcome.pids) == 3
    for pid in outcome.pids:  # master and workers are gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
