"""End to end: a Standard or Premium Heroku Postgres database of a Private Space app can be
created in another region (``-- --region=us``, Dev Center "Heroku Postgres and Private
Spaces"), and the Platform API does not say where it is. The gatekeeper cannot verify it and
says so, once, for the database of the space app; the same plan on a Common Runtime app (which
has no such choice) carries no such note. Judged by ``check`` and ``audit`` through the real
CLI over HTTP to the simulator, in JSON and text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run

pytestmark = pytest.mark.e2e

TOKEN = "HRKU-space-postgres-admin-000000000000"
CANNOT_VERIFY = "gatekeeper cannot verify that it is in the space's region"

ESTATE: dict[str, Any] = {
    "schema": "gatekeeper.sim-estate/v1",
    "description": "Standard Postgres in a Private Space and in the Common Runtime",
    "enterprise_accounts": [{"name": "uni"}],
    "teams": [{"name": "lab", "enterprise_account": "uni"}],
    "spaces": [{"name": "lab-frankfurt", "region": "frankfurt", "shield": False, "team": "lab"}],
    "people": {"admin@uni.example": "Admin"},
    "apps": [
        {"name": "space-db", "team": "lab", "space": "lab-frankfurt",
         "addons": ["heroku-postgresql:standard-0"]},
        {"name": "runtime-db", "team": "lab", "region": "eu",
         "addons": ["heroku-postgresql:standard-0"]},
    ],
    "tokens": [
        {"token": TOKEN, "email": "admin@uni.example", "name": "Admin", "teams": ["*"],
         "enterprise_accounts": ["*"], "apps": ["*"], "role": "admin"},
    ],
}  # fmt: skip

POLICY = """\
version = 1

[classes.personal]
countries = ["EEA", "adequate"]
requires_agreement = true

[[agreements]]
id = "salesforce-dpa"
heroku = true
enterprise_accounts = ["uni"]
mechanism = "scc"
expires = 2030-12-31
"""


def _backup_notes(app: dict[str, Any]) -> list[str]:
    return [f["message"] for f in app["findings"] if f["rule"] == "postgres-backups"]


def test_check_says_the_space_database_region_cannot_be_verified(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = env / "space-db"
    code = run(["check", "--app", "space-db", "--format", "text", f"--output=json={out}.json"])
    text = capsys.readouterr().out
    assert code == 0  # a note for the DPO (info), not a block: the default is the space region
    (app,) = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["apps"]
    (note,) = _backup_notes(app)
    assert CANNOT_VERIFY in note
    assert "--region" in note
    assert CANNOT_VERIFY in " ".join(text.split())


def test_a_common_runtime_database_has_no_such_note(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["check", "--app", "runtime-db", "--format", "json"])
    (app,) = json.loads(capsys.readouterr().out)["apps"]
    assert code == 0
    (note,) = _backup_notes(app)  # the PGBackups note itself stays
    assert CANNOT_VERIFY not in note


def test_audit_says_the_same_as_check(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["audit", "--all", "--no-history", "--format", "json"])
    apps = {a["name"]: a for a in json.loads(capsys.readouterr().out)["apps"]}
    assert code == 0
    assert [CANNOT_VERIFY in n for n in _backup_notes(apps["space-db"])] == [True]
    assert [CANNOT_VERIFY in n for n in _backup_notes(apps["runtime-db"])] == [False]
