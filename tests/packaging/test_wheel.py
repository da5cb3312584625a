"""The wheel alone is enough: built from this tree, installed into a fresh virtualenv (with
its dependencies, from pip's cache where it can), `posim certify` finds its features and
checklists and certifies the embedded backend Ready, from a folder outside the source tree.

Bounded: every step has a timeout; it is the slowest test of the suite (about a minute)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging


def _run(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "POSIM_CREDENTIALS")}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(args)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    )
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with only the built wheel (and its dependencies) installed."""
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run([*pip, "wheel", str(ROOT), "--no-deps", "-w", str(work / "dist")], work, 300)
    wheels = list((work / "dist").glob("loyalty_posim-*.whl"))
    assert len(wheels) == 1
    venv.create(work / "venv", with_pip=True)
    python = work / "venv" / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", str(wheels[0])], work, 600)
    return work / "venv" / "bin"


def test_the_wheel_carries_the_data_the_commands_need(installed):
    code = (
        "from reference_backend.data import data_dir as d; "
        "print(d('features')); print(d('fixtures'))"
    )
    out = _run([str(installed / "python"), "-c", code], installed, 60).stdout.split()
    assert all("site-packages/posim_data/" in line for line in out), out
    features, fixtures = map(Path, out)
    assert sorted(p.name for p in features.glob("*.feature")) == sorted(
        p.name for p in (ROOT / "features").glob("*.feature")
    )
    shipped = {p.relative_to(fixtures) for p in fixtures.rglob("*") if p.is_file()}
    source = {
        p.relative_to(ROOT / "fixtures") for p in (ROOT / "fixtures").rglob("*") if p.is_file()
    }
    assert source <= shipped  # checklists, fault plans, vendor facts, samples


def test_an_installed_posim_certifies_gameball_ready(installed, tmp_path):
    version = _run([str(installed / "posim"), "--version"], tmp_path, 60).stdout
    assert version.startswith("posim 0.")
    result = _run(
        [str(installed / "posim"), "certify", "--dialect", "gameball", "--no-progress"],
        tmp_path,
        300,
    )
    assert "verdict: Ready" in result.stdout and "Not ready" not in result.stdout
    assert (tmp_path / "reports" / "certify-evidence.json").exists()
    page = (tmp_path / "reports" / "certify-report.html").read_text()  # templates shipped
    assert "Go-live certification" in page and "<style>" in page


def test_the_wheel_carries_the_inspector_page(installed, tmp_path):
    code = (
        "from importlib import resources; "
        "static = resources.files('simulator.inspector').joinpath('static'); "
        "print(static); print(' '.join(sorted(p.name for p in static.iterdir())))"
    )
    folder, names = _run([str(installed / "python"), "-c", code], tmp_path, 60).stdout.splitlines()
    assert "site-packages/simulator/inspector/static" in folder
    source = sorted(p.name for p in (ROOT / "simulator" / "inspector" / "static").iterdir())
    assert names.split() == source
