"""``gatekeeper demo``: the README's first command.

It must run with no account and no network, exit 0, write the HTML report it names, and
show what ``check`` prints for a blocked and an allowed app. It is run the way a newcomer
runs it (``python -m gatekeeper demo`` from a fresh directory, with no Heroku settings at
all), and in this process to look at what it prints and writes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from demo_apps import DEMO_APPS as ALL_DEMO_APPS

from gatekeeper.cli import run
from gatekeeper.store.urls import user_data_dir

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEMO_APPS = set(ALL_DEMO_APPS)


def test_demo_from_a_fresh_directory(tmp_path: Path) -> None:
    """As a newcomer runs it: a new directory, no token, no policy, an unusable API host
    (the demo must not reach for it), and not a terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU", "GATEKEEPER"))}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "home" / "data"),
        HEROKU_HOST="https://api.invalid",
        PYTHONPATH=str(ROOT),
    )
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "gatekeeper", "demo"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in done.stderr
    html = work / "gatekeeper-demo" / "report.html"
    assert html.is_file()
    assert str(html.resolve()) in out
    assert "$ gatekeeper check --app experiment-us" in out
    assert "BLOCK experiment-us" in out and "region-not-allowed" in out
    assert "$ gatekeeper check --app econ-game" in out and "ALLOW econ-game" in out
    assert re.findall(r"\(exit code (\d)\)", out) == ["1", "0"]
    assert "\x1b[" not in out  # no colour when stdout is not a terminal
    # Nothing outside the demo's own directory: the user's history store is not created.
    data_dir = user_data_dir(env=env, platform="linux", home=tmp_path / "home")
    assert data_dir == tmp_path / "home" / "data" / "gatekeeper"
    assert not data_dir.exists()


def test_demo_prints_the_audit_and_writes_its_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "demo"
    assert run(["demo", "--out-dir", str(out_dir)]) == 0
    out = capsys.readouterr().out
    report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    assert {a["name"] for a in report["apps"]} == DEMO_APPS
    # otree-study (bio-lab's sentry attached), clinical-trial (bio-shield's space log drain)
    # and fir-survey (telemetry drains) block since the demo shows every data path
    assert report["summary"] == {"allow": 3, "warn": 1, "block": 7}
    assert "$ gatekeeper audit --all" in out
    blocked = (
        "experiment-us",
        "bio-dashboard",
        "student-game",
        "jdoe-thesis",
        "otree-study",
        "clinical-trial",
        "fir-survey",
    )
    for app in blocked:
        assert f"{app}: BLOCK" in out
    assert {a["name"] for a in report["apps"] if a["decision"] == "block"} == set(blocked)
    assert (out_dir / "history.sqlite3").is_file()
    assert "http://127.0.0.1:" in out  # the simulator it started, on loopback


def test_a_second_demo_run_compares_with_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "demo"
    assert run(["demo", "--out-dir", str(out_dir)]) == 0
    first = capsys.readouterr()
    assert "no earlier audit" in first.err
    assert run(["demo", "--out-dir", str(out_dir)]) == 0
    second = capsys.readouterr()
    assert "0 new, 0 resolved" in second.out
    assert "recorded as audit #2" in second.err


def test_demo_with_another_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = ROOT / "gatekeeper" / "examples" / "small-lab-no-agreements.toml"
    assert run(["demo", "--policy", str(policy), "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert str(policy) in out
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["policy"]["path"].endswith("small-lab-no-agreements.toml")


def test_demo_with_a_missing_policy_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["demo", "--policy", str(tmp_path / "nope.toml"), "--out-dir", str(tmp_path)]) == 2
    assert "nope.toml" in capsys.readouterr().err
