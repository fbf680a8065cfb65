"""Every path the data takes (issue 11), end to end against the simulator over real HTTP:
Fir telemetry drains of an app and of its space, an add-on attached from another team's app,
and a Shield space's Private Space Logging drain; through ``check`` and ``audit`` and several
output formats. Each was allowed (or unseen) before the collectors read these facts.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
DEMO_APPS = [a.name for a in demo_estate().apps]


@pytest.fixture
def user_env(monkeypatch: pytest.MonkeyPatch, start_simulator: Any) -> Simulator:
    sim: Simulator = start_simulator()
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", sim.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    return sim


def check(app: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = run(["check", "--app", app, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def audit(tmp_path: Path, capsys: pytest.CaptureFixture[str], *scope: str) -> dict[str, Any]:
    outputs = [
        f"--output={fmt}={tmp_path / ('audit.' + fmt)}" for fmt in ("json", "sarif", "junit")
    ]
    run(["audit", *scope, "--format", "text", *outputs])
    capsys.readouterr()
    return json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))


def findings(doc: dict[str, Any], app: str, rule: str) -> list[dict[str, Any]]:
    (found,) = [a for a in doc["apps"] if a["name"] == app]
    return [f for f in found["findings"] if f["rule"] == rule]


def sarif_results(tmp_path: Path, rule: str) -> list[str]:
    sarif = json.loads((tmp_path / "audit.sarif").read_text(encoding="utf-8"))
    return [r["message"]["text"] for r in sarif["runs"][0]["results"] if r["ruleId"] == rule]


def junit_failures(tmp_path: Path, app: str, rule: str) -> list[ET.Element]:
    tree = ET.fromstring((tmp_path / "audit.junit").read_text(encoding="utf-8"))
    return [
        case.find("failure")  # type: ignore[misc]
        for case in tree.iter("testcase")
        if case.get("classname") == app
        and case.get("name") == rule
        and case.find("failure") is not None
    ]


APP_DRAIN = "https://otlp.us.example-observability.com:4318/v1/logs"
SPACE_DRAIN = "https://otlp.eu01.example-apm.com/v1"


def test_a_fir_apps_telemetry_drain_to_a_us_saas_blocks_in_check_and_audit(
    user_env: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, doc = check("fir-survey", capsys)
    assert code == 1
    (own,) = [
        f
        for f in findings(doc, "fir-survey", "telemetry-drain-not-allowed")
        if f["subject"] == APP_DRAIN
    ]
    assert "exports logs, traces" in own["message"] and "its own telemetry drain" in own["message"]
    assert "heroku telemetry:remove" in own["remediation"] and "-a fir-survey" in own["remediation"]
    assert {r.path for r in user_env.requests} >= {"/apps/fir-survey/telemetry-drains"}
    report = audit(tmp_path, capsys, "--team", "psych-lab")
    assert [
        f["subject"] for f in findings(report, "fir-survey", "telemetry-drain-not-allowed")
    ] == [
        APP_DRAIN,
        SPACE_DRAIN,
    ] or sorted(
        f["subject"] for f in findings(report, "fir-survey", "telemetry-drain-not-allowed")
    ) == sorted([APP_DRAIN, SPACE_DRAIN])
    assert any(
        "otlp.us.example-observability.com" in text
        for text in sarif_results(tmp_path, "telemetry-drain-not-allowed")
    )
    assert junit_failures(tmp_path, "fir-survey", "telemetry-drain-not-allowed")


def test_a_fir_spaces_telemetry_drain_blocks_every_app_in_it(
    user_env: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, doc = check("fir-survey", capsys)
    assert code == 1
    (space,) = [
        f
        for f in findings(doc, "fir-survey", "telemetry-drain-not-allowed")
        if f["subject"] == SPACE_DRAIN
    ]
    assert "Fir space uni-fir" in space["message"] and "metrics, traces" in space["message"]
    assert "-s uni-fir" in space["remediation"]
    assert "/spaces/" in " ".join(
        r.path for r in user_env.requests if r.path.endswith("/telemetry-drains")
    )
    report = audit(tmp_path, capsys, "--all")
    assert SPACE_DRAIN in {
        f["subject"] for f in findings(report, "fir-survey", "telemetry-drain-not-allowed")
    }


def test_an_add_on_attached_from_another_teams_app_is_judged_for_the_attaching_app(
    user_env: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """bio-dashboard (team bio-lab) owns the sentry that otree-study (psych-lab) uses: the
    audit used to file it under bio-dashboard only, so otree-study was allowed."""
    code, doc = check("otree-study", capsys)
    assert code == 1
    (finding,) = findings(doc, "otree-study", "addon-no-agreement")
    assert finding["subject"] == "sentry-swift-61452"
    for scope in (("--all",), ("--team", "psych-lab")):
        report = audit(tmp_path, capsys, *scope)
        (audited,) = findings(report, "otree-study", "addon-no-agreement")
        assert audited["fingerprint"] == finding["fingerprint"]
        assert junit_failures(tmp_path, "otree-study", "addon-no-agreement")


def test_the_evidence_of_an_attached_add_on_names_its_owner(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        [
            "check",
            "--app",
            "otree-study",
            "--format",
            "sarif",
            f"--output=json={tmp_path / 'c.json'}",
        ]
    )
    capsys.readouterr()
    text = (tmp_path / "c.json").read_text(encoding="utf-8")
    assert "owned by app bio-dashboard of team bio-lab, region eu" in text


def test_check_and_audit_reach_the_same_decision_on_every_demo_app(
    user_env: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = audit(tmp_path, capsys, "--all")
    audited = {
        a["name"]: (a["decision"], sorted(f["fingerprint"] for f in a["findings"]))
        for a in report["apps"]
    }
    for app in DEMO_APPS:
        _code, doc = check(app, capsys)
        (checked,) = doc["apps"]
        assert (
            checked["decision"],
            sorted(f["fingerprint"] for f in checked["findings"]),
        ) == audited[app], app


def test_a_shield_spaces_log_drain_is_judged_for_its_apps(
    user_env: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, doc = check("clinical-trial", capsys)
    assert code == 1
    (finding,) = findings(doc, "clinical-trial", "log-drain-not-allowed")
    assert finding["subject"] == "https://siem.bio-partner.example.net/ingest"
    assert "Private Space Logging" in finding["message"]
    assert "spaces:drains:set" in finding["remediation"]
    drain_requests = [r for r in user_env.requests if r.path.endswith("/log-drain")]
    assert drain_requests
    report = audit(tmp_path, capsys, "--team", "bio-lab")
    assert (
        findings(report, "clinical-trial", "log-drain-not-allowed")[0]["subject"]
        == finding["subject"]
    )


def test_a_shield_space_whose_drain_is_not_shown_is_not_read_as_without_drain(
    start_simulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    estate = demo_estate()
    space = estate.space("bio-shield")
    assert space is not None
    space.log_drain = None  # the simulator answers 404, as it might for "no drain"
    sim = start_simulator(estate)
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", sim.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    code, doc = check("clinical-trial", capsys)
    assert code == 1
    (finding,) = findings(doc, "clinical-trial", "log-drain-not-allowed")
    assert finding["subject"] == "space bio-shield log drain"
    assert "HTTP 404" in finding["message"]
