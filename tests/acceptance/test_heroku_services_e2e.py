"""End to end: Heroku's own services that take data elsewhere, against the simulator.

Managed Inference serves each model from its own AWS regions (a US-only model blocks where the
class forbids the US; a model also served from eu-central-1 is judged by all its regions; an
unknown model fails closed), Heroku Connect is the add-on service ``herokuconnect`` (a warning,
not a third-party block) and Heroku AppLink (``heroku-applink``) warns. Each app is judged by
``gatekeeper check`` and ``gatekeeper audit`` through the real CLI over HTTP to the simulator,
in several output formats, and both reach the same decision.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run

pytestmark = pytest.mark.e2e

TOKEN = "HRKU-services-admin-000000000000"

ESTATE: dict[str, Any] = {
    "schema": "gatekeeper.sim-estate/v1",
    "description": "Heroku-operated services that move data elsewhere",
    "enterprise_accounts": [{"name": "uni"}],
    "teams": [{"name": "lab", "enterprise_account": "uni"}],
    "spaces": [],
    "people": {"admin@uni.example": "Admin"},
    "apps": [
        {"name": "ai-us-only", "team": "lab", "region": "eu",
         "addons": ["heroku-inference:claude-3-5-haiku"]},
        {"name": "ai-eu-open", "team": "lab", "region": "eu",
         "addons": ["heroku-inference:claude-3-haiku"]},
        {"name": "ai-eu-strict", "team": "lab", "region": "eu",
         "addons": ["heroku-inference:claude-3-haiku"]},
        {"name": "ai-unknown", "team": "lab", "region": "eu",
         "addons": ["heroku-inference:claude-4-sonnet"]},
        {"name": "crm-sync", "team": "lab", "region": "eu",
         "addons": ["heroku-postgresql:standard-0", "herokuconnect:demo"]},
        {"name": "org-link", "team": "lab", "region": "eu", "addons": ["heroku-applink:base"]},
    ],
    "tokens": [
        {"token": TOKEN, "email": "admin@uni.example", "name": "Admin", "teams": ["*"],
         "enterprise_accounts": ["*"], "apps": ["*"], "role": "admin"},
    ],
}  # fmt: skip

POLICY = """\
version = 1
[institution]
contact = "dpo@uni.example"
[classes.personal]
countries = ["EEA", "adequate"]
requires_agreement = true
[classes.pseudonymous]
countries = ["EEA", "US"]
requires_agreement = true
[[agreements]]
id = "salesforce-dpa"
heroku = true
enterprise_accounts = ["uni"]
mechanism = "scc"
expires = 2030-12-31
[[apps]]
name = "ai-eu-open"
data_class = "pseudonymous"
[[apps]]
name = "*"
data_class = "personal"
[rules]
postgres-backups = "off"
"""

# app: (decision, the rules that fire)
EXPECTED: dict[str, tuple[str, set[str]]] = {
    "ai-us-only": ("block", {"addon-location-not-allowed"}),
    "ai-eu-open": ("allow", set()),
    "ai-eu-strict": ("block", {"addon-location-not-allowed"}),
    "ai-unknown": ("block", {"addon-location-not-allowed"}),
    "crm-sync": ("warn", {"heroku-connect"}),
    "org-link": ("warn", {"heroku-applink"}),
}
FORMATS = ("json", "sarif", "junit", "csv", "text")


def _outputs(directory: Path, stem: str) -> list[str]:
    return [f"--output={fmt}={directory / f'{stem}.{fmt}'}" for fmt in FORMATS]


def _json_apps(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {a["name"]: a for a in doc["apps"]}


def _fired(app: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in app["findings"] if not f["waived"]}


def _check_formats(directory: Path, stem: str, apps: dict[str, tuple[str, set[str]]]) -> None:
    """Every format written says the same: rules, results, test cases, rows."""
    sarif = json.loads((directory / f"{stem}.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    rows = list(csv.DictReader(io.StringIO((directory / f"{stem}.csv").read_text("utf-8"))))
    junit = ET.fromstring((directory / f"{stem}.junit").read_text(encoding="utf-8"))
    text = (directory / f"{stem}.text").read_text(encoding="utf-8")
    for name, (_decision, rules) in apps.items():
        assert {r["rule"] for r in rows if r["app"] == name} == rules
        [suite] = [s for s in junit.iter("testsuite") if s.get("name") == name]
        reported = {
            case.get("name")
            for case in suite.iter("testcase")
            if len(case)  # a failure or a skip; a rule that passed is empty
        }
        # the details of findings that pass (info, waived) are in the suite's output
        reported |= set(
            re.findall(r"^\[[a-z ]+\] ([a-z-]+)", suite.findtext("system-out") or "", re.M)
        )
        assert reported == rules
        for rule in rules:
            assert rule in text
    assert {r["ruleId"] for r in results} == {r for _, rules in apps.values() for r in rules}


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_check_judges_the_service(app: str, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decision, rules = EXPECTED[app]
    code = run(["check", "--app", app, *_outputs(env, app)])
    capsys.readouterr()
    assert code == (1 if decision == "block" else 0)
    found = _json_apps(env / f"{app}.json")[app]
    assert (found["decision"], _fired(found)) == (decision, rules)
    _check_formats(env, app, {app: EXPECTED[app]})


def test_audit_agrees_with_check(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "--all", "--no-history", *_outputs(env, "audit")]) == 1
    capsys.readouterr()
    apps = _json_apps(env / "audit.json")
    assert {name: (a["decision"], _fired(a)) for name, a in apps.items()} == EXPECTED
    _check_formats(env, "audit", EXPECTED)


def _check_json(app: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    run(["check", "--app", app, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    found: dict[str, Any] = doc["apps"][0]["findings"][0]
    return found


def test_a_us_only_model_names_its_region_and_bedrock(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = _check_json("ai-us-only", capsys)
    assert "claude-3-5-haiku" in f["message"] and "us-east-1 (United States)" in f["message"]
    assert "Amazon Bedrock" in f["message"]
    assert "heroku addons:destroy inference-" in f["remediation"]
    assert "INFERENCE_URL" in f["remediation"]  # what the DPO must confirm


def test_an_eu_capable_model_is_judged_by_every_region(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = _check_json("ai-eu-strict", capsys)
    assert "eu-central-1 (Germany) or us-east-1 (United States)" in f["message"]
    assert "each one counts" in f["message"]


def test_an_unknown_model_fails_closed_and_says_what_to_confirm(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = _check_json("ai-unknown", capsys)
    assert f["severity"] == "block"
    assert "claude-4-sonnet, which gatekeeper does not know" in f["message"]
    assert "heroku ai:models:list" in f["remediation"]
    assert "The DPO must confirm" in f["remediation"]
