"""`posim certify --pos COMMAND` and `--pos-session`, run as a user runs them: the real CLI in
a subprocess, against its own backend on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
POSIM = [sys.executable, "-m", "simulator.cli"]
BOUND_S = 90  # no session in these tests may run longer


def posim(*args: str, timeout: float = BOUND_S) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [*POSIM, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env
    )


def certify_pos(out: Path, command: str, *extra: str) -> subprocess.CompletedProcess:
    return posim("certify", "--dialect", "gameball", "--pos", command, "--out", str(out), *extra)


def one_line_error(done: subprocess.CompletedProcess, *words: str) -> str:
    """The single output line that carries every word; never a traceback."""
    assert "Traceback" not in done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if all(w in line for w in words)]
    assert len(lines) == 1, done.stdout
    return lines[0]


# -- a correct till under the fault plan -----------------------------------------------------
TILLS = {  # the project's correct till per vendor (examples/tills), as an integrator runs it
    "gameball": "gameball_till.py --api-key {apiKey} --secret-key {secretKey}",
    "wll": "wll_till.py --api-key {apiKey} --client-id {clientId} --client-secret {clientSecret}",
    "capillary": "capillary_till.py --till {till} --password {password}",
}
SALE_ID = {"gameball": "orderId", "wll": "transactionId", "capillary": "number"}


def _sale_id(body: object, key: str) -> str | None:
    """The sale id anywhere in a request body (Capillary nests it in its bill)."""
    if isinstance(body, dict):
        if key in body:
            return str(body[key])
        body = list(body.values())
    if isinstance(body, list):
        return next((found for v in body if (found := _sale_id(v, key))), None)
    return None


@pytest.mark.parametrize("dialect", sorted(TILLS))
def test_a_correct_till_is_ready_under_the_fault_plan(tmp_path, dialect):
    till = f"{sys.executable} examples/tills/{TILLS[dialect]}"
    till += " --url {url} --timeout {client_timeout}"
    done = posim(
        "certify", "--dialect", dialect, "--pos", till, "--client-timeout", "0.5",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("verdict: Ready")
    hits = json.loads((tmp_path / f"{dialect}-pos-faults.json").read_text())
    assert {h["fault"] for h in hits} == {"sale-5xx", "sale-lost", "sale-slow", "burst-429"}
    assert all(h["request_id"] for h in hits), hits
    recording = tmp_path / f"{dialect}-pos-traffic.jsonl"
    by_id = {e["request_id"]: e for e in map(json.loads, recording.read_text().splitlines())}
    sale_faults = [h for h in hits if h["fault"].startswith("sale-")]
    sales = {
        _sale_id(by_id[h["request_id"]]["request_body"], SALE_ID[dialect]) for h in sale_faults
    }
    assert len(sales) == 3  # each fault on a different sale
    assert {h["on"] for h in sale_faults} == sales
    for h in hits:
        assert f"{h['fault']} ({h['kind']}" in done.stdout and h["request_id"] in done.stdout
    evidence = json.loads((tmp_path / "certify-evidence.json").read_text())
    assert [h["fault"] for h in evidence["faults"]] == [h["fault"] for h in hits]
    assert "Request it hit" in (tmp_path / "certify-report.html").read_text()
    # the recording is kept: posim audit judges it again, to the same verdict
    again = posim("audit", str(recording), "--dialect", dialect, "--out", str(tmp_path / "a"))
    assert again.returncode == 0 and again.stdout.rstrip().endswith("verdict: Ready")
    assert all(h["request_id"] in again.stdout for h in hits)  # it lists the fault hits too
    audit_evidence = json.loads((tmp_path / "a" / "audit-evidence.json").read_text())
    assert {h["request_id"] for h in audit_evidence["faults"]} == {h["request_id"] for h in hits}


# -- a command that goes wrong ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "extra", "words"),
    [
        ("no-such-till-xyz --url {url}", (), ("could not start", "(no traffic)")),
        ("echo broken >&2; exit 3", (), ("exited with status 3: broken", "(no traffic)")),
        ("sleep 60", ("--pos-timeout", "1"), ("did not finish within 1 s", "(no traffic)")),
        ("true {apiKey}", (), ("sent no gameball request to http://127.0.0.1:", "(no traffic)")),
    ],
)
def test_a_command_that_sends_nothing_is_not_ready_with_one_line(tmp_path, command, extra, words):
    done = certify_pos(tmp_path, command, *extra)
    assert done.returncode == 1
    one_line_error(done, "posim certify:", *words)
    assert done.stdout.rstrip().endswith("verdict: Not ready")
    junit = (tmp_path / "certify-junit.xml").read_text()
    assert "no traffic" in junit


def test_a_command_that_fails_after_sending_traffic_is_not_ready(tmp_path):
    call = "import httpx, sys; httpx.get(sys.argv[1] + '/customers/m1/balance', "
    call += "headers=dict(APIKey=sys.argv[2])); sys.exit(3)"
    done = certify_pos(tmp_path, f'{sys.executable} -c "{call}" {{base_url}} {{apiKey}}')
    assert done.returncode == 1
    line = one_line_error(done, "posim certify:", "exited with status 3")
    assert "no traffic" not in line
    recording = (tmp_path / "gameball-pos-traffic.jsonl").read_text()
    assert "/customers/m1/balance" in recording
    evidence = json.loads((tmp_path / "certify-evidence.json").read_text())
    assert "the POS command exited with status 3" in evidence["dialects"][0]["verdict"]["problems"]


def test_a_till_of_another_vendor_is_told_which_dialect_it_spoke(tmp_path):
    call = "import httpx, sys; httpx.get(sys.argv[1] + '/api/v4.0/integrations/customers/m1')"
    done = posim(
        "certify", "--dialect", "wll", "--no-faults", "--out", str(tmp_path),
        "--pos", f'{sys.executable} -c "{call}" {{url}}',
    )  # fmt: skip
    assert done.returncode == 1
    one_line_error(done, "sent no wll request", "only gameball (pass --dialect gameball)")


def test_a_hung_command_is_stopped_with_every_child(tmp_path):
    pidfile = tmp_path / "child.pid"
    done = certify_pos(tmp_path, f"sleep 300 & echo $! > {pidfile}; wait", "--pos-timeout", "1")
    assert done.returncode == 1
    one_line_error(done, "did not finish within 1 s")
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--dialect", "gameball", "--pos", "till {nope}"), ("unknown placeholder {nope}",)),
        (("--dialect", "all", "--pos", "true"), ("certifies one dialect",)),
        (("--dialect", "wll", "--pos", "  "), ("COMMAND is empty",)),
        (("--dialect", "wll", "--pos", "true", "--pos-timeout", "0"), ("--pos-timeout",)),
        (("--dialect", "wll", "--pos", "true", "--fault-plan", "/nope.yaml"), ("no fault plan",)),
    ],
)
def test_bad_options_are_a_one_line_usage_error(tmp_path, args, words):
    done = posim("certify", *args, "--out", str(tmp_path))
    assert done.returncode == 2
    one_line_error(done, "posim certify:", *words)


# -- posim audit refuses what it cannot judge -------------------------------------------------
def _exchange(dialect_path: str) -> str:
    entry = {"request_id": "r1", "at": "2026-03-01T09:00:00+00:00", "method": "GET"}
    return json.dumps({**entry, "path": dialect_path, "status": 200})


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", ("is empty",)),
        ("\n\n", ("is empty",)),
        (
            _exchange("/v1/users/m1") + "\n" + _exchange("/v1/users/m2")[:40],
            ("cut short", "line 2"),
        ),
        (_exchange("/v1/users/m1") + "\n", ("holds no gameball exchange", "--dialect wll")),
    ],
)
def test_audit_refuses_a_recording_it_cannot_judge_in_one_line(tmp_path, content, words):
    path = tmp_path / "traffic.jsonl"
    path.write_text(content)
    done = posim("audit", str(path), "--dialect", "gameball", "--out", str(tmp_path))
    assert done.returncode == 2
    one_line_error(done, "posim audit:", *words)
    assert not (tmp_path / "audit-junit.xml").exists()


# -- a till driven by hand --------------------------------------------------------------------
def _start_session(
    out: Path, *extra: str, dialect: str = "gameball"
) -> tuple[subprocess.Popen, dict[str, str]]:
    args = ["certify", "--dialect", dialect, "--pos-session", "--out", str(out), *extra]
    proc = subprocess.Popen(
        [*POSIM, *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    values: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.match(r"\s+\{(\w+)\} = (\S+)", line)
        if found:
            values[found.group(1)] = found.group(2)
        if "Press Enter" in line:
            return proc, values
    raise AssertionError(f"the session never asked for Enter (exit {proc.wait()})")


def _drive(values: dict[str, str]) -> None:
    """What a cashier's till sends: a shopper registered, then their balance read."""
    headers = {"APIKey": values["apiKey"], "SecretKey": values["secretKey"]}
    with httpx.Client(base_url=values["base_url"], headers=headers, timeout=10) as till:
        registered = till.post("/customers", json={"customerId": "shopper-1"})
        assert registered.status_code < 500
        till.get("/customers/shopper-1/balance")


def _finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=BOUND_S)
    assert "Traceback" not in out
    return out


def test_a_session_ends_on_enter_and_audits_what_the_till_sent(tmp_path):
    proc, values = _start_session(tmp_path, "--no-faults")
    assert values["url"].startswith("http://127.0.0.1:") and values["apiKey"]
    _drive(values)
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.flush()
    out = _finish(proc)
    assert "verdict: " in out and "(no traffic)" not in out
    lines = (tmp_path / "gameball-pos-traffic.jsonl").read_text().splitlines()
    paths = [json.loads(line)["path"] for line in lines]
    assert paths.count("/api/v4.0/integrations/customers/shopper-1/balance") == 1


def test_a_session_ends_on_ctrl_c(tmp_path):
    proc, values = _start_session(tmp_path)
    _drive(values)
    proc.send_signal(signal.SIGINT)
    out = _finish(proc)
    assert "verdict: " in out and "(no traffic)" not in out
    assert "never fired" in out  # the plan's sale faults: this till made no sale
    assert (tmp_path / "certify-evidence.json").exists()


SESSION_VALUES = {
    "gameball": ("/api/v4.0/integrations", "apiKey", "gameballSecretKey"),
    "wll": ("/v1", "wllApiKey", "clientSecret"),
    "capillary": ("/v1.1", "till", "capillaryPassword"),
}


@pytest.mark.parametrize("dialect", sorted(SESSION_VALUES))
def test_a_session_nobody_drives_is_not_ready_for_want_of_traffic(tmp_path, dialect):
    proc, values = _start_session(tmp_path, dialect=dialect)
    root, *credentials = SESSION_VALUES[dialect]
    assert values["base_url"] == values["url"] + root
    assert all(values[name] for name in credentials)
    proc.send_signal(signal.SIGINT)
    out = _finish(proc)
    assert proc.returncode == 1
    assert f"the till sent no {dialect} request to http://127.0.0.1:" in out
    assert "(no traffic)" in out


def test_a_session_ends_by_its_bound_when_one_is_given(tmp_path):
    proc, values = _start_session(tmp_path, "--no-faults", "--pos-timeout", "2")
    _drive(values)
    out = _finish(proc)  # nobody presses Enter: the bound ends the session
    assert "verdict: " in out and "(no traffic)" not in out
