"""The argument types every command shares (pure: no subprocess)."""

from __future__ import annotations

import argparse
import socket

import pytest

from simulator.cliargs import (
    duration,
    file_or_stdout,
    number,
    parse_credentials,
    port,
    port_is_free,
    writable_dir,
    writable_file,
    write_out,
)
from simulator.preflight import PreflightError, check_url


def test_credentials_are_json_pairs_or_a_file_of_either(tmp_path):
    assert parse_credentials("apiKey=a, secretKey=b=c") == {"apiKey": "a", "secretKey": "b=c"}
    assert parse_credentials('{"gameball": {"apiKey": "a"}}') == {"gameball": {"apiKey": "a"}}
    stored = tmp_path / "keys"
    stored.write_text("apiKey=a\n")
    assert parse_credentials(f"@{stored}") == {"apiKey": "a"}
    assert parse_credentials("  ") is None


@pytest.mark.parametrize(
    "text, words",
    [
        ("apiKey", "is not key=value"),
        ("=x", "is not key=value"),
        ('{"a": 1', "not valid JSON"),
        ("[1]", "is not key=value"),
        ("@/missing/keys", "cannot read credentials file"),
    ],
)
def test_bad_credentials_say_why_in_one_line(text, words):
    with pytest.raises(ValueError) as caught:
        parse_credentials(text)
    assert words in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("text", ["0", "65536", "99999", "-1", "http"])
def test_ports_outside_1_to_65535_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        port(text)
    assert port("65535") == 65535 and port("1") == 1


@pytest.mark.parametrize(
    "url, words",
    [
        ("127.0.0.1:8080", "needs http://"),
        ("ftp://host", "needs http://"),
        ("http://", "names no host"),
        ("http://host:99999", "invalid port"),
    ],
)
def test_urls_that_cannot_name_a_server(url, words):
    with pytest.raises(PreflightError, match=words):
        check_url(url)
    assert check_url(" http://127.0.0.1:8080/ ") == "http://127.0.0.1:8080"


def test_paths_are_checked_before_anything_is_written(tmp_path):
    assert writable_file(str(tmp_path / "out.json")) == str(tmp_path / "out.json")
    assert writable_dir(str(tmp_path / "new" / "deeper")) == str(tmp_path / "new" / "deeper")
    with pytest.raises(argparse.ArgumentTypeError, match="does not exist"):
        writable_file(str(tmp_path / "missing" / "out.json"))
    with pytest.raises(argparse.ArgumentTypeError, match="is a folder"):
        writable_file(str(tmp_path))
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(argparse.ArgumentTypeError, match="is not a folder"):
        writable_dir(str(blocker / "reports"))


def test_a_busy_port_is_seen_before_listening():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        assert "cannot listen on 127.0.0.1" in port_is_free("127.0.0.1", busy)
    assert port_is_free("127.0.0.1", busy) is None


def test_duration_reads_every_unit_posim_commands_take():
    cases = {"90": 90, "90s": 90, "11m": 660, "2h": 7200, "3d": 259200, "1h30m": 5400, "1.5s": 1.5}
    for text, seconds in cases.items():
        assert duration(text) == seconds
    for bad in ("", "soon", "5x", "1h 30m", "-5s", "s"):
        with pytest.raises(argparse.ArgumentTypeError, match="not a duration"):
            duration(bad)


def test_number_refuses_what_a_timeout_or_rate_cannot_be():
    positive, non_negative = number(0, above=True), number(0)
    assert positive("2.5") == 2.5 and non_negative("0") == 0.0
    for bad, message in (("0", "must be > 0"), ("-1", "must be > 0"), ("nan", "finite")):
        with pytest.raises(argparse.ArgumentTypeError, match=message):
            positive(bad)
    for bad in ("-0.5", "inf", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            non_negative(bad)


def test_file_or_stdout_makes_missing_folders_but_refuses_a_folder(tmp_path, capsys):
    assert file_or_stdout("-") == "-"
    deep = tmp_path / "new" / "deeper" / "out.json"
    assert file_or_stdout(str(deep)) == str(deep)
    with pytest.raises(argparse.ArgumentTypeError, match="is a folder"):
        file_or_stdout(str(tmp_path))
    assert write_out(str(deep), "{}\n") is True and deep.read_text() == "{}\n"
    assert write_out("-", "to the console\n") is False
    assert capsys.readouterr().out == "to the console\n"
