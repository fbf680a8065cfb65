"""End to end: a Heroku Postgres database attached from another app keeps its data where its
owner is. An EU app using the database of a US app blocks (``addon-location-not-allowed``,
the evidence naming the owning app and its region); the same from an EU owner is allowed; an
owner the token cannot read fails closed (exit 3). Judged by ``gatekeeper check`` and
``gatekeeper audit`` through the real CLI over HTTP to the simulator, in several formats.
Before the rule read the owner's region, the EU app using the US database was allowed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run

pytestmark = pytest.mark.e2e

TOKEN = "HRKU-attached-db-member-000000000000"
RULE = "addon-location-not-allowed"
US_DB = "postgresql-us-owner"

ESTATE: dict[str, Any] = {
    "schema": "gatekeeper.sim-estate/v1",
    "description": "Postgres databases attached across apps, teams and regions",
    "enterprise_accounts": [{"name": "uni"}],
    "teams": [
        {"name": "lab", "enterprise_account": "uni"},
        {"name": "us-lab", "enterprise_account": "uni"},
        {"name": "eu-lab", "enterprise_account": "uni"},
        {"name": "elsewhere"},
    ],
    "spaces": [],
    "people": {"member@uni.example": "Member", "other@elsewhere.example": "Other"},
    "apps": [
        {"name": "us-owner", "team": "us-lab", "region": "us",
         "addons": [{"plan": "heroku-postgresql:standard-0", "name": US_DB}]},
        {"name": "eu-owner", "team": "eu-lab", "region": "eu",
         "addons": [{"plan": "heroku-postgresql:standard-0", "name": "postgresql-eu-owner"}]},
        {"name": "hidden-owner", "team": "elsewhere", "region": "eu",
         "addons": [{"plan": "heroku-postgresql:standard-0", "name": "postgresql-hidden"}]},
        {"name": "eu-study", "team": "lab", "region": "eu", "attachments": [US_DB]},
        {"name": "eu-trial", "team": "lab", "region": "eu",
         "attachments": ["postgresql-eu-owner"]},
        {"name": "eu-orphan", "team": "lab", "region": "eu",
         "attachments": ["postgresql-hidden"]},
    ],
    "tokens": [
        {"token": TOKEN, "email": "member@uni.example", "name": "Member",
         "teams": ["lab", "us-lab", "eu-lab"]},
    ],
}  # fmt: skip

POLICY = """\
version = 1
[institution]
contact = "dpo@uni.example"
[classes.personal]
countries = ["EEA", "adequate"]
requires_agreement = true
[[agreements]]
id = "salesforce-dpa"
heroku = true
enterprise_accounts = ["uni"]
mechanism = "scc"
expires = 2030-12-31
[[apps]]
name = "*"
data_class = "personal"
[rules]
postgres-backups = "off"
"""

# The attaching apps: (exit code of check, decision, the rules that fire)
ATTACHING: dict[str, tuple[int, str, set[str]]] = {
    "eu-study": (1, "block", {RULE}),
    "eu-trial": (0, "allow", set()),
    "eu-orphan": (3, "block", {"api-error"}),
}


def _apps(path: Path) -> dict[str, Any]:
    return {a["name"]: a for a in json.loads(path.read_text(encoding="utf-8"))["apps"]}


def _fired(app: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in app["findings"] if not f["waived"]}


def _outputs(directory: Path, stem: str) -> list[str]:
    return [f"--output={fmt}={directory / f'{stem}.{fmt}'}" for fmt in ("json", "sarif", "junit")]


def _junit_failures(path: Path, app: str) -> set[str]:
    tree = ET.fromstring(path.read_text(encoding="utf-8"))
    return {
        str(case.get("name"))
        for suite in tree.iter("testsuite")
        if suite.get("name") == app
        for case in suite.iter("testcase")
        if case.find("failure") is not None
    }


@pytest.mark.parametrize("app", sorted(ATTACHING))
def test_check_judges_the_attached_database_by_its_owner(
    app: str, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, decision, rules = ATTACHING[app]
    assert run(["check", "--app", app, "--format", "text", *_outputs(env, app)]) == code
    capsys.readouterr()
    found = _apps(env / f"{app}.json")[app]
    assert (found["decision"], _fired(found)) == (decision, rules)
    assert _junit_failures(env / f"{app}.junit", app) == rules


def test_the_block_names_the_owner_its_region_and_the_fix(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["check", "--app", "eu-study", "--format", "json"]) == 1
    ((finding,),) = [a["findings"] for a in json.loads(capsys.readouterr().out)["apps"]]
    assert finding["rule"] == RULE and finding["subject"] == US_DB
    assert "attached from app us-owner" in finding["message"]
    assert "region us (Virginia" in finding["message"]
    assert "heroku addons:detach ATTACHMENT -a eu-study" in finding["remediation"]
    evidence = {(e["kind"], e["name"]): e["detail"] for e in finding["evidence"]}
    assert "owned by app us-owner of team us-lab, region us" in evidence[("addon", US_DB)]
    assert "region of owning app us-owner" in evidence[("region", "us")]
    assert run(["check", "--app", "eu-study", "--format", "markdown"]) == 1
    assert "attached from app us-owner" in " ".join(capsys.readouterr().out.split())


def test_an_unreadable_owner_is_named_in_the_api_error(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["check", "--app", "eu-orphan", "--format", "json"]) == 3
    ((finding,),) = [a["findings"] for a in json.loads(capsys.readouterr().out)["apps"]]
    assert finding["rule"] == "api-error"
    assert "hidden-owner" in finding["message"]


def test_audit_agrees_with_check(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "--all", "--no-history", "--format", "text", *_outputs(env, "a")]) == 3
    capsys.readouterr()
    apps = _apps(env / "a.json")
    assert {name: (a["decision"], _fired(a)) for name, a in apps.items() if name in ATTACHING} == {
        name: (decision, rules) for name, (_, decision, rules) in ATTACHING.items()
    }
    assert "hidden-owner" not in apps  # the token cannot see it
    assert _junit_failures(env / "a.junit", "eu-study") == {RULE}
    sarif = json.loads((env / "a.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"] if US_DB in r["message"]["text"]] == [
        RULE
    ]
