"""End to end: ``gatekeeper snapshot``, evaluating it offline, and replaying it in the simulator.

Snapshots (docs/history.md): ``gatekeeper snapshot`` writes the collected estate as JSON (no tokens,
no config vars, no drain secrets); ``check --snapshot`` and ``audit --snapshot`` evaluate it
offline with the same decisions as the live commands; the simulator can serve a snapshot
(``SimEstate.from_facts``, ``load_estate``), so a real estate can be replayed locally and
audited again with the same result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_apps import DEMO_APPS

from gatekeeper.cli import run
from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    SimEstate,
    Simulator,
    demo_estate,
    generate_estate,
    load_estate,
)
from gatekeeper.snapshot import load_snapshot

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"


@pytest.fixture(scope="module")
def server() -> Iterator[Simulator]:
    with Simulator(demo_estate()) as sim:
        yield sim


@pytest.fixture
def live(server: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    server.set_estate(demo_estate())
    server.reset_stats()
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", server.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    return server


def cli_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = run([*argv, "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out)


def take_snapshot(path: Path, capsys: pytest.CaptureFixture[str], *scope: str) -> None:
    assert run(["snapshot", *scope, "--output", str(path)]) == 0
    assert "wrote" in capsys.readouterr().err


def test_snapshot_holds_the_estate_and_no_secrets(
    live: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "estate.json"
    take_snapshot(path, capsys, "--all")
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["schema"] == "gatekeeper.estate/v1"
    assert sorted(a["name"] for a in data["apps"]) == sorted(DEMO_APPS)
    for secret in (DEMO_ADMIN_TOKEN, "s3cr3t-drain-token", "token="):
        assert secret not in text
    drains = {d["url"] for a in data["apps"] for d in (a["log_drains"] or [])}
    assert "https://logs.example-logging.io/ingest" in drains
    assert not list(tmp_path.glob(".*.tmp"))
    # What the collector wrote is the simulator's ground truth, fact for fact.
    truth = demo_estate().to_facts(DEMO_ADMIN_TOKEN)
    assert load_snapshot(path).apps == truth.apps


def test_snapshot_to_stdout_and_without_drains(
    live: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["snapshot", "--team", "psych-lab", "--no-drains"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {a["name"] for a in data["apps"]} == {
        "survey",
        "otree-study",
        "experiment-us",
        "frankfurt-exp",
        "fir-survey",
    }
    assert all(a["log_drains"] is None for a in data["apps"])
    assert not [r for r in live.requests if r.path.endswith("/log-drains")]


@pytest.mark.parametrize("app", DEMO_APPS)
def test_check_snapshot_decides_as_check_live(
    app: str, live: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "estate.json"
    take_snapshot(path, capsys, "--all")
    live_code, live_doc = cli_json(["check", "--app", app], capsys)
    requests = live.request_count
    offline_code, offline_doc = cli_json(["check", "--app", app, "--snapshot", str(path)], capsys)
    assert live.request_count == requests  # offline: not one request
    assert offline_code == live_code
    assert offline_doc["decision"] == live_doc["decision"]
    assert without_remediations(offline_doc["apps"]) == without_remediations(live_doc["apps"])


def without_remediations(apps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The apps of a report with the remediation texts left out. A live ``check`` reads only
    the app's own team, a snapshot of ``--all`` every team, so a fix may name the covered
    teams it can move the app to ("--team bio-lab") where the live one says "--team TEAM";
    everything else, decisions and fingerprints included, is the same."""
    return [
        {
            **app,
            "findings": [
                {k: v for k, v in f.items() if k != "remediation"} for f in app["findings"]
            ],
        }
        for app in apps
    ]


def test_check_snapshot_of_one_app(
    live: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.json"
    take_snapshot(path, capsys, "--app", "frankfurt-exp", "--app", "clinical-trial")
    assert {a.name for a in load_snapshot(path).apps} == {"frankfurt-exp", "clinical-trial"}
    code, doc = cli_json(["check", "--app", "frankfurt-exp", "--snapshot", str(path)], capsys)
    assert (code, doc["decision"]) == (0, "warn")
    assert run(["check", "--app", "survey", "--snapshot", str(path)]) == 2
    assert "has no app 'survey'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "scope",
    [["--all"], ["--team", "psych-lab"], ["--enterprise", "uni-example"]],
    ids=["all", "team", "enterprise"],
)
def test_audit_snapshot_decides_as_audit_live(
    scope: list[str], live: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "estate.json"
    take_snapshot(path, capsys, "--all")
    live_code, live_doc = cli_json(["audit", *scope, "--no-history"], capsys)
    offline_code, offline_doc = cli_json(
        ["audit", *scope, "--snapshot", str(path), "--no-history"], capsys
    )
    assert offline_code == live_code
    assert offline_doc["apps"] == live_doc["apps"]
    assert offline_doc["summary"] == live_doc["summary"]


def test_a_broken_snapshot_is_a_usage_error(
    live: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"schema": "gatekeeper.estate/v1", "apps": [{"name": 1}]}', "utf-8")
    assert run(["audit", "--snapshot", str(path), "--no-history"]) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err and "Traceback" not in err


def test_the_simulator_replays_a_snapshot(
    live: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Snapshot the estate, serve the snapshot from a second simulator, audit that one:
    the same report (and a snapshot of the replay is the same snapshot)."""
    original = tmp_path / "original.json"
    take_snapshot(original, capsys, "--all")
    live_code, live_doc = cli_json(["audit", "--all", "--no-history"], capsys)

    with Simulator(SimEstate.from_facts(load_snapshot(original))) as replay:
        monkeypatch.setenv("HEROKU_HOST", replay.url)
        replay_code, replay_doc = cli_json(["audit", "--all", "--no-history"], capsys)
        again = tmp_path / "again.json"
        take_snapshot(again, capsys, "--all")
    assert replay_code == live_code
    assert replay_doc["apps"] == live_doc["apps"]
    assert load_snapshot(again).apps == load_snapshot(original).apps


def test_load_estate_reads_a_snapshot_file(
    live: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``gatekeeper simulate --estate SNAPSHOT`` loads snapshots with ``load_estate``."""
    original = tmp_path / "original.json"
    take_snapshot(original, capsys, "--team", "bio-lab")
    _, live_doc = cli_json(["audit", "--team", "bio-lab", "--no-history"], capsys)
    with Simulator(load_estate(original)) as replay:
        monkeypatch.setenv("HEROKU_HOST", replay.url)
        _, replay_doc = cli_json(["audit", "--team", "bio-lab", "--no-history"], capsys)
    assert replay_doc["apps"] == live_doc["apps"]


def test_a_generated_estate_round_trips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    estate = generate_estate(apps=150, teams=3, seed=7)
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    path = tmp_path / "generated.json"
    with Simulator(estate) as sim:
        monkeypatch.setenv("HEROKU_HOST", sim.url)
        take_snapshot(path, capsys, "--all")
        _, live_doc = cli_json(["audit", "--all", "--no-history"], capsys)
    with Simulator(SimEstate.from_facts(load_snapshot(path))) as replay:
        monkeypatch.setenv("HEROKU_HOST", replay.url)
        _, replay_doc = cli_json(["audit", "--all", "--no-history"], capsys)
    _, offline_doc = cli_json(["audit", "--all", "--snapshot", str(path), "--no-history"], capsys)
    assert len(live_doc["apps"]) == 150
    assert replay_doc["apps"] == live_doc["apps"] == offline_doc["apps"]


def test_snapshot_with_a_narrower_token(
    live: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_JDOE_TOKEN)
    path = tmp_path / "jdoe.json"
    take_snapshot(path, capsys, "--all")
    assert {a.name for a in load_snapshot(path).apps} == {
        "survey",
        "otree-study",
        "experiment-us",
        "frankfurt-exp",
        "fir-survey",
        "jdoe-thesis",
    }
    assert DEMO_JDOE_TOKEN not in path.read_text(encoding="utf-8")


# -- an app listed twice (docs/fault-matrix.md) -------------------------------------------


def doubled_snapshot(path: Path, capsys: pytest.CaptureFixture[str], app: str) -> str:
    """A snapshot of --all in which ``app`` is listed a second time, in another region."""
    take_snapshot(path, capsys, "--all")
    data = json.loads(path.read_text(encoding="utf-8"))
    original = next(a for a in data["apps"] if a["name"] == app)
    data["apps"].append({**original, "region": "us" if original["region"] != "us" else "eu"})
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(original["id"])


def test_check_snapshot_never_allows_an_app_listed_twice_with_conflicting_facts(
    live: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "doubled.json"
    app_id = doubled_snapshot(path, capsys, "econ-game")  # allowed when listed once
    for asked in ("econ-game", app_id.upper()):
        code, doc = cli_json(["check", "--app", asked, "--snapshot", str(path)], capsys)
        assert code == 3 and doc["decision"] == "block"
        (app,) = doc["apps"]
        assert app["name"] == "econ-game" and app["decision"] == "block"
        errors = [f for f in app["findings"] if f["rule"] == "api-error"]
        assert errors and "conflicting facts" in errors[0]["message"]


def test_audit_snapshot_lists_an_app_listed_twice_once_and_blocks_it(
    live: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "doubled.json"
    app_id = doubled_snapshot(path, capsys, "econ-game")
    code, doc = cli_json(["audit", "--snapshot", str(path), "--no-history"], capsys)
    assert code == 3
    judged = [a for a in doc["apps"] if a["id"] == app_id]
    assert len(judged) == 1 and judged[0]["decision"] == "block"
    assert "api-error" in {f["rule"] for f in judged[0]["findings"]}
    assert sorted(a["name"] for a in doc["apps"]) == sorted(DEMO_APPS)
