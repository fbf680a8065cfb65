"""End to end: ``gatekeeper check`` through the real CLI against the simulator over HTTP.

Each test runs ``gatekeeper.cli.run([...])`` in this process with the environment a user
would set (``HEROKU_API_KEY``, ``HEROKU_HOST`` pointing at the simulator, ``GATEKEEPER_POLICY``)
and checks the exit code of docs/design.md#6-interfaces, the decision the engine gives on the
simulator's ground truth (``SimEstate.to_facts``), and the JSON contract. One test runs
``python -m gatekeeper check`` in a subprocess, as a user or a release phase does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from demo_apps import DEMO_APPS

from gatekeeper.cli import run
from gatekeeper.engine import evaluate
from gatekeeper.policy import load_policy
from gatekeeper.results import Report
from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    Faults,
    Simulator,
    demo_estate,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
REPORT_SCHEMA = ROOT / "gatekeeper" / "report" / "report-schema-v1.json"
CONTRACT_APP_KEYS = {"name", "id", "team", "region", "space", "data_class", "decision", "findings"}
CONTRACT_FINDING_KEYS = {
    "rule",
    "severity",
    "subject",
    "message",
    "remediation",
    "waived",
    "fingerprint",
}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(demo_estate()) as server:
        yield server


@pytest.fixture(scope="module")
def truth() -> Report:
    """The engine's report on the simulator's ground truth, with the same policy."""
    facts = demo_estate().to_facts(DEMO_ADMIN_TOKEN)
    return evaluate(facts, load_policy(POLICY), date.today())


@pytest.fixture
def user_env(monkeypatch: pytest.MonkeyPatch, sim: Simulator) -> Simulator:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", sim.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    sim.reset_stats()
    return sim


def check_json(app: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    code = run(["check", "--app", app, "--format", "json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def expected_code(decision: str) -> int:
    return 1 if decision == "block" else 0


@pytest.mark.parametrize("app", DEMO_APPS)
def test_each_demo_app_gets_the_engines_decision(
    app: str, user_env: Simulator, truth: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = check_json(app, capsys)
    want = next(a for a in truth.apps if a.name == app)
    assert [a["name"] for a in doc["apps"]] == [app]
    got = doc["apps"][0]
    assert got["decision"] == want.decision
    assert code == expected_code(want.decision)
    assert sorted((f["rule"], f["subject"]) for f in got["findings"]) == sorted(
        (f.rule, f.subject) for f in want.findings
    )
    assert {f["fingerprint"] for f in got["findings"]} == {f.fingerprint for f in want.findings}


def test_blocked_and_allowed_anchors(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fixed expectations, so that a collector and an engine wrong in the same way fail."""
    code, doc = check_json("experiment-us", capsys)
    assert code == 1 and doc["decision"] == "block"
    assert [f["rule"] for f in doc["apps"][0]["findings"]] == ["region-not-allowed"]
    code, doc = check_json("econ-game", capsys)
    assert code == 0 and doc["decision"] == "allow" and doc["apps"][0]["findings"] == []
    code, doc = check_json("student-game", capsys)
    assert code == 1 and "team-not-covered" in {f["rule"] for f in doc["apps"][0]["findings"]}


def test_check_fetches_only_what_one_app_needs(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["check", "--app", "frankfurt-exp"]) == 0
    capsys.readouterr()
    paths = sorted(r.path for r in user_env.requests)
    # app, add-ons, drains, regions, then its team and its space: no listing of the estate
    assert len(paths) == 6
    assert "/apps/frankfurt-exp" in paths and "/apps/frankfurt-exp/log-drains" in paths
    assert not any(p in ("/apps", "/addons", "/teams") for p in paths)


def test_warnings_pass_unless_strict(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = check_json("frankfurt-exp", capsys)
    assert (code, doc["decision"]) == (0, "warn")
    code, doc = check_json("frankfurt-exp", capsys, "--strict")
    assert (code, doc["decision"]) == (1, "warn")


def test_json_output_follows_the_contract(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = check_json("bio-dashboard", capsys)
    assert code == 1
    jsonschema.validate(doc, json.loads(REPORT_SCHEMA.read_text(encoding="utf-8")))
    assert doc["schema"] == "gatekeeper.report/v1"
    assert doc["policy"]["path"].endswith("university.toml")
    assert len(doc["policy"]["sha256"]) == 64
    assert doc["summary"] == {"allow": 0, "warn": 0, "block": 1}
    app = doc["apps"][0]
    assert set(app) >= CONTRACT_APP_KEYS
    assert (app["team"], app["region"], app["space"]) == ("bio-lab", "eu", None)
    for finding in app["findings"]:
        assert set(finding) >= CONTRACT_FINDING_KEYS
        assert finding["severity"] in ("block", "warn", "info")
    # the drain's ingest token never reaches a report
    assert "s3cr3t-drain-token" not in json.dumps(doc)


def test_every_output_format_at_once(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    formats = ("text", "json", "sarif", "junit", "github", "markdown", "html", "csv")
    outputs = [f"--output={fmt}={tmp_path / ('report.' + fmt)}" for fmt in formats]
    assert run(["check", "--app", "experiment-us", *outputs]) == 1
    stdout = capsys.readouterr().out
    assert stdout.startswith("BLOCK experiment-us")
    for fmt in formats:
        text = (tmp_path / f"report.{fmt}").read_text(encoding="utf-8")
        assert "experiment-us" in text, fmt
    assert json.loads((tmp_path / "report.sarif").read_text())["version"] == "2.1.0"
    assert "::error" in (tmp_path / "report.github").read_text()
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_token_that_cannot_see_the_app_exits_3(
    user_env: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_JDOE_TOKEN)
    assert run(["check", "--app", "bio-dashboard"]) == 3
    captured = capsys.readouterr()
    assert "403" in captured.err or "forbidden" in captured.err.lower()
    assert "Traceback" not in captured.err
    assert DEMO_JDOE_TOKEN not in captured.err + captured.out


def test_an_unknown_app_exits_3_with_a_message(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["check", "--app", "no-such-app"]) == 3
    err = capsys.readouterr().err
    assert "no-such-app" in err and "Traceback" not in err


def test_release_phase_takes_the_app_from_heroku_app_name(
    user_env: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DYNO", "release.1")
    monkeypatch.setenv("HEROKU_APP_NAME", "experiment-us")
    assert run(["check"]) == 1
    assert capsys.readouterr().out.startswith("BLOCK experiment-us")
    monkeypatch.delenv("HEROKU_APP_NAME")
    assert run(["check"]) == 2
    assert "runtime-dyno-metadata" in capsys.readouterr().err


def test_check_as_a_subprocess(sim: Simulator, tmp_path: Path) -> None:
    """``python -m gatekeeper check`` with only the environment a user sets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU", "GATEKEEPER"))}
    env.update(
        HEROKU_API_KEY=DEMO_ADMIN_TOKEN,
        HEROKU_HOST=sim.url,
        GATEKEEPER_POLICY=str(POLICY),
        HOME=str(tmp_path),
    )
    blocked = subprocess.run(
        [sys.executable, "-m", "gatekeeper", "check", "--app", "jdoe-thesis"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert blocked.returncode == 1, blocked.stderr
    assert "personal-account" in blocked.stdout
    allowed = subprocess.run(
        [sys.executable, "-m", "gatekeeper", "check", "-a", "survey", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["decision"] == "allow"
    assert DEMO_ADMIN_TOKEN not in blocked.stdout + blocked.stderr + allowed.stderr


# -- the app asked for is the app judged (docs/fault-matrix.md) ---------------------------


@pytest.fixture
def impostor(user_env: Simulator) -> Iterator[Simulator]:
    """GET /apps/econ-game answers the app survey (another name and id)."""
    user_env.faults = Faults(impostor_apps={"econ-game": "survey"})
    try:
        yield user_env
    finally:
        user_env.faults = Faults()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_answer_about_another_app_is_never_an_allow(
    impostor: Simulator, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["check", "--app", "econ-game", "--format", fmt]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""  # no report: not "ALLOW: no apps checked", not "apps": []
    survey = next(a for a in demo_estate().apps if a.name == "survey")
    assert "The facts collected for app 'econ-game' are about another app: 'survey'" in (
        captured.err
    )
    assert survey.id in captured.err and "nothing is allowed" in captured.err
    assert "Traceback" not in captured.err


def test_an_app_asked_for_by_id_is_judged(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    app = next(a for a in demo_estate().apps if a.name == "econ-game")
    code, doc = check_json(app.id, capsys)
    assert (code, [(a["name"], a["id"]) for a in doc["apps"]]) == (0, [("econ-game", app.id)])


def test_check_starts_no_event_loop(sim: Simulator, tmp_path: Path) -> None:
    """The synchronous client: a check imports neither asyncio nor anyio's asyncio backend."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU", "GATEKEEPER"))}
    env.update(HEROKU_API_KEY=DEMO_ADMIN_TOKEN, HEROKU_HOST=sim.url, GATEKEEPER_POLICY=str(POLICY))
    code = (
        "import sys; from gatekeeper.cli import run; c = run(['check', '--app', 'survey']); "
        "print(c, sorted(m for m in ('asyncio', 'anyio._backends._asyncio') "
        "if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stderr.strip().splitlines()[-1] == "0 []"
