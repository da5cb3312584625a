"""`posim load` arguments (pure: no Locust, runs in every session)."""

from __future__ import annotations

import argparse

import pytest

from loadtests.cli import add_load_parser, options_from
from simulator.cliargs import duration


def _parse(*argv: str):
    parser = argparse.ArgumentParser(prog="posim")
    sub = parser.add_subparsers(dest="command", required=True)
    add_load_parser(sub)
    return parser.parse_args(["load", *argv])


def test_the_documented_command_line_parses():
    args = _parse(
        "--profile", "race", "--dialect", "gameball", "--users", "200", "--spawn-rate", "50",
        "--duration", "30s", "--target", "http://127.0.0.1:8080/", "--workers", "4",
        "--html", "report.html", "--csv", "run",
    )  # fmt: skip
    options = options_from(args)
    assert (options.profile, options.dialect, options.users) == ("race", "gameball", 200)
    assert (options.spawn_rate, options.duration, options.workers) == (50.0, 30.0, 4)
    assert options.target == "http://127.0.0.1:8080"
    assert (options.html, options.csv) == ("report.html", "run")
    assert options.master_bind_host == "127.0.0.1"
    assert args.func.__name__ == "run_load"


def test_defaults_start_a_local_server_and_spawn_everyone_at_once():
    options = options_from(_parse())
    assert options.target is None and options.workers == 0
    assert options.spawn_rate == options.users == 20
    assert options.max_fail_ratio == 0.0


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("2m", 120), ("1h30m", 5400), ("45", 45), ("1.5s", 1.5)]
)
def test_durations(text, seconds):
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "10x", "5s3"])
def test_bad_durations(text):
    with pytest.raises(argparse.ArgumentTypeError):
        duration(text)


def test_unknown_profile_is_refused():
    with pytest.raises(SystemExit):
        _parse("--profile", "chaos")


def test_knobs_reach_the_plan():
    options = options_from(_parse("--hold-fraction", "0.5,0.9", "--members", "2", "--seed", "3"))
    assert options.knobs.hold_fraction == (0.5, 0.9)
    assert (options.knobs.members, options.knobs.seed) == (2, 3)
