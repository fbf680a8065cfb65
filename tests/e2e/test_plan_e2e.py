"""End to end: ``gatekeeper plan`` through the real CLI against the simulator over HTTP.

The app does not exist: what decides it (the team, the space and its region, the regions)
is read from the simulator's demo estate, the add-ons come from an app.json written for the
test, and the report is the one ``check`` gives, validated against the report schema.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gatekeeper.cli import run
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, DEMO_JDOE_TOKEN, Faults, Simulator, demo_estate

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
REPORT_SCHEMA = json.loads(
    (ROOT / "gatekeeper" / "report" / "report-schema-v1.json").read_text(encoding="utf-8")
)
OTREE_APP_JSON = {
    "name": "oTree study",
    "stack": "heroku-24",
    "addons": ["heroku-postgresql:essential-0", {"plan": "heroku-redis:mini", "as": "REDIS"}],
    "buildpacks": [{"url": "heroku/python"}],
}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(demo_estate()) as server:
        yield server


@pytest.fixture
def user_env(monkeypatch: pytest.MonkeyPatch, sim: Simulator, tmp_path: Path) -> Simulator:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", sim.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    monkeypatch.setenv("GATEKEEPER_MAX_RETRIES", "0")
    monkeypatch.chdir(tmp_path)
    sim.faults = Faults()
    sim.reset_stats()
    return sim


def write_app_json(data: Any, name: str = "app.json") -> Path:
    path = Path.cwd() / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), "utf-8")
    return path


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = run(["plan", *args, "--format", "json"])
    out = capsys.readouterr().out
    report = json.loads(out)
    jsonschema.validate(report, REPORT_SCHEMA)
    return code, report


def findings(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (app,) = report["apps"]
    return {f"{f['rule']}:{f['subject']}": f for f in app["findings"]}


def test_an_otree_app_in_a_covered_team_in_eu_is_allowed(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_APP_JSON)
    code, report = plan_json(
        capsys, "--team", "psych-lab", "--region", "eu", "--name", "otree-study"
    )
    assert code == 0 and report["decision"] == "allow"
    (app,) = report["apps"]
    assert (app["name"], app["team"], app["region"], app["data_class"]) == (
        "otree-study",
        "psych-lab",
        "eu",
        "pseudonymous",
    )
    assert {f["severity"] for f in app["findings"]} <= {"info"}
    # What exists was read, in one wave of two requests, and nothing about an app.
    assert sorted(r.path for r in user_env.requests) == ["/regions", "/teams/psych-lab"]
    # Nothing to fix, so no word on how a plan's fixes read.
    assert run(["plan", "--team", "psych-lab", "--region", "eu", "--name", "otree-study"]) == 0
    assert capsys.readouterr().err == ""


#: An oTree project's app.json as oTree writes it: the services, no plans.
OTREE_BARE_APP_JSON = {
    "name": "oTree study",
    "addons": ["heroku-postgresql", {"plan": "heroku-redis", "as": "REDIS"}],
    "buildpacks": [{"url": "heroku/python"}],
}


def test_an_otree_app_json_without_plans_in_eu_is_judged_with_the_default_plans(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_BARE_APP_JSON)
    code = run(
        ["plan", "-t", "psych-lab", "--region", "eu", "--name", "otree-study", "--format", "json"]
    )
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert code == 0 and report["decision"] == "allow"
    # Heroku's default plans live in eu: nothing "outside the region", nothing unknown.
    assert set(findings(report)) == {"postgres-backups:heroku-postgresql"}
    assert "app.json names no plan for heroku-postgresql and heroku-redis" in captured.err
    assert "heroku-postgresql:essential-0" in captured.err
    assert "heroku-redis:mini as redis" in captured.err


def test_an_otree_app_json_without_plans_in_a_space_gets_the_private_plans(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_BARE_APP_JSON)
    code, report = plan_json(capsys, "--space", "uni-frankfurt", "--name", "otree-study")
    # Heroku provisions the smallest private plans in a space: the data stays in it.
    assert not any(key.startswith("addon-outside-region") for key in findings(report))
    assert code == 0


def test_a_bare_third_party_service_is_judged_by_its_agreement(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json({"addons": ["heroku-postgresql", "mailgun"]})
    code = run(
        ["plan", "-t", "psych-lab", "--region", "eu", "--name", "otree-study", "--format", "json"]
    )
    captured = capsys.readouterr()
    assert code == 1
    blocked = findings(json.loads(captured.out))["addon-no-agreement:mailgun"]
    assert blocked["severity"] == "block" and "mailgun" in blocked["message"]
    assert "app.json names no plan for mailgun" in captured.err
    assert "judged by the service alone" in captured.err


def test_a_bare_covered_third_party_service_is_judged_by_where_its_agreement_processes(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """papertrail has an agreement (in the US) and a waiver of its transfer: the plan changes
    neither."""
    write_app_json({"addons": ["papertrail"]})
    code, report = plan_json(capsys, "-t", "psych-lab", "--region", "eu", "--name", "otree-study")
    located = findings(report)["addon-location-not-allowed:papertrail"]
    assert located["waived"] and code == 0


def test_a_space_gives_its_region_read_from_the_api(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_APP_JSON)
    code, report = plan_json(capsys, "--space", "uni-frankfurt", "--name", "otree-study")
    (app,) = report["apps"]
    assert (app["team"], app["space"], app["region"], app["country"]) == (
        "psych-lab",
        "uni-frankfurt",
        "frankfurt",
        "DE",
    )
    # Essential Postgres and mini Key-Value Store live in us/eu only, not in the space.
    assert "addon-outside-region:heroku-postgresql" in findings(report)
    assert "addon-outside-region:redis" in findings(report)
    assert code == 0  # warnings only
    # The space and the regions, then the space's team (for its enterprise account).
    paths = [r.path for r in user_env.requests]
    assert sorted(paths[:2]) == ["/regions", "/spaces/uni-frankfurt"]
    assert len(paths) == 3 and paths[2].startswith("/teams/")


def test_a_third_party_addon_without_agreement_is_blocked(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json({"addons": ["heroku-postgresql:essential-0", "mailgun:starter"]})
    code, report = plan_json(capsys, "-t", "psych-lab", "--region", "eu", "--name", "otree-study")
    assert code == 1 and report["decision"] == "block"
    blocked = findings(report)["addon-no-agreement:mailgun"]
    assert blocked["severity"] == "block" and "mailgun:starter" in blocked["message"]


def test_a_denied_addon_is_blocked_in_text_too(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json({"addons": [{"plan": "logentries:le_tryit", "as": "LOGS"}]})
    code = run(["plan", "-t", "psych-lab", "--region", "eu", "--name", "otree-study"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "BLOCK otree-study" in out and "addon-denied" in out
    # The fixes name `heroku addons:destroy`; for a plan, stderr says what that means.
    assert "This is a plan: " in err and "take the add-on out of app.json" in err


def test_a_region_the_class_does_not_allow_is_blocked(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_APP_JSON)
    code, report = plan_json(capsys, "--team", "psych-lab", "--region", "us", "--name", "survey")
    assert code == 1
    assert findings(report)["region-not-allowed:us"]["severity"] == "block"


def test_without_region_or_space_the_app_goes_to_us_as_heroku_create_does(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json({"addons": []})
    code, report = plan_json(capsys, "--team", "psych-lab", "--name", "survey")
    assert code == 1 and report["apps"][0]["region"] == "us"


def test_a_personal_account_plan_is_judged_as_a_personal_app(
    user_env: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_JDOE_TOKEN)
    write_app_json(OTREE_APP_JSON)
    code, report = plan_json(capsys, "--region", "eu", "--name", "otree-study")
    assert code == 1
    (app,) = report["apps"]
    assert app["team"] is None
    blocked = findings(report)["personal-account:jane.doe@uni-example.edu"]
    assert blocked["severity"] == "block"
    assert "/account" in {r.path for r in user_env.requests}


def test_an_unknown_team_blocks_as_could_not_evaluate(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_APP_JSON)
    code, report = plan_json(capsys, "--team", "no-such-team", "--region", "eu")
    assert code == 3 and report["decision"] == "block"
    blocked = findings(report)["api-error:team"]
    assert blocked["severity"] == "block"
    # The fix names what to check for a plan, never an app that does not exist.
    assert "--team (no-such-team)" in blocked["remediation"]
    assert "`heroku teams`" in blocked["remediation"]
    assert "apps:info" not in blocked["remediation"]


def test_an_unknown_space_says_to_check_the_teams_spaces(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_APP_JSON)
    code, report = plan_json(capsys, "--space", "no-such-space", "-t", "psych-lab")
    assert code == 3
    fix = findings(report)["api-error:space"]["remediation"]
    assert "--space (no-such-space)" in fix and "`heroku spaces --team psych-lab`" in fix
    assert "apps:info" not in fix


def test_a_space_that_cannot_be_read_fails_closed(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_APP_JSON)
    user_env.faults = Faults(server_errors=-1, path="/spaces/*")
    code, report = plan_json(capsys, "--space", "uni-frankfurt", "-t", "psych-lab")
    assert code == 3 and report["decision"] == "block"
    assert any(key.startswith("api-error:") for key in findings(report))


def test_a_personal_account_that_cannot_be_read_is_exit_3(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app_json(OTREE_APP_JSON)
    user_env.faults = Faults(server_errors=-1, path="/account")
    code = run(["plan", "--region", "eu"])
    captured = capsys.readouterr()
    assert code == 3 and captured.out == ""
    assert "gatekeeper: error:" in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{\n  "addons": [\n', "app.json:3: is not valid JSON"),
        ('{\n  "addons": "heroku-postgresql"\n}\n', "app.json:2 [addons]: must be an array"),
        (
            '{\n  "addons": [\n    "heroku-postgresql:essential-0",\n    {"plan": 7}\n  ]\n}\n',
            "app.json:4 [addons[1].plan]: must be a string, not a number",
        ),
        (
            '{\n  "addons": [\n    "Postgres Please"\n  ]\n}\n',
            'app.json:3 [addons[0]]: "Postgres Please" is not an add-on plan',
        ),
        ('{\n  "addons": [{"as": "DATABASE"}]\n}\n', 'app.json:2 [addons[0]]: has no "plan"'),
        ('{\n  "stack": 24\n}\n', "app.json:2 [stack]: must be a string"),
        ("[]\n", "app.json:1: must be a JSON object"),
    ],
)
def test_a_bad_app_json_is_one_paragraph_naming_file_line_and_key(
    user_env: Simulator, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    write_app_json(text)
    code = run(["plan", "--team", "psych-lab", "--region", "eu"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("gatekeeper: error: The app.json is invalid: ")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert str(Path.cwd() / "app.json") not in captured.err  # named as given: ./app.json
    assert where in captured.err
    assert user_env.requests == []  # bad input is refused before any request


def test_a_missing_app_json_is_a_usage_error(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["plan", "elsewhere/app.json", "--team", "psych-lab"])
    err = capsys.readouterr().err
    assert code == 2 and "elsewhere/app.json: does not exist" in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--region", "eu", "--space", "uni-frankfurt"], "not both"),
        (["--region", "frankfurt"], "Private Space region"),
        (["--region", "mars"], "no region 'mars'"),
        (["--team", "bio-lab", "--space", "uni-frankfurt"], "belongs to team 'psych-lab'"),
        (["--name", "Not An App"], "is not a Heroku app name"),
    ],
)
def test_a_plan_heroku_would_refuse_is_a_usage_error(
    user_env: Simulator, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    write_app_json(OTREE_APP_JSON)
    extra = [] if "--team" in args else ["--team", "psych-lab"]
    code = run(["plan", *args, *extra])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert says in captured.err and "Traceback" not in captured.err


def test_every_format_is_written_with_output(
    user_env: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_app_json(OTREE_APP_JSON)
    formats = ("json", "sarif", "junit", "html", "markdown", "csv")
    outputs = [f"--output={fmt}={tmp_path / ('plan.' + fmt)}" for fmt in formats]
    code = run(["plan", "-t", "psych-lab", "--region", "eu", "--name", "otree-study", *outputs])
    capsys.readouterr()
    assert code == 0
    for fmt in formats:
        assert "otree-study" in (tmp_path / f"plan.{fmt}").read_text(encoding="utf-8"), fmt
    jsonschema.validate(json.loads((tmp_path / "plan.json").read_text("utf-8")), REPORT_SCHEMA)


def test_the_installed_command_reads_app_json_from_the_current_directory(
    user_env: Simulator, tmp_path: Path
) -> None:
    """As a GitHub workflow runs it before `heroku create`: a subprocess, ./app.json."""
    write_app_json({"addons": ["mailgun:starter"]})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "gatekeeper", "plan", "-t", "psych-lab", "--region", "eu"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "addon-no-agreement" in done.stdout and "(new app)" in done.stdout
    assert "has no --name" in done.stderr
