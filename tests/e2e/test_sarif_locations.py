"""End to end: where the SARIF alerts of ``gatekeeper check`` point, in a real repository.

GitHub code scanning resolves a result's path against the repository root, whatever directory
the run started in. A real ``git init`` repository holds the policy in a subdirectory; the
real CLI (``python -m gatekeeper``, against the simulator) runs from another subdirectory, as
the Action's ``working-directory`` does, with a relative and with an absolute ``--policy``,
and from outside the repository. Every result must name the policy by its path from the
repository root (``uriBaseId`` ``%SRCROOT%``, resolved by ``originalUriBaseIds``) and sit on
the line of the ``[[apps]]`` entry, the agreement or the waiver that decides it. The expected
lines are found by reading the policy text here, not with gatekeeper's own scanner.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jsonschema
import pytest

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UNIVERSITY = ROOT / "gatekeeper" / "examples" / "university.toml"
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text("utf-8"))
POLICY_IN_REPO = "config/data protection/gatekeeper.toml"  # a space: the URI is encoded


def header_lines(text: str, table: str) -> list[int]:
    """The 1-based lines of every ``[[table]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == f"[[{table}]]"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with the university policy in a subdirectory; the Heroku agreement
    ends within the warning period, so covered apps get an ``agreement-expiring``."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    subprocess.run([git, "init", "-q", str(repo)], check=True)
    soon = (date.today() + timedelta(days=30)).isoformat()
    text = UNIVERSITY.read_text(encoding="utf-8")
    text, replaced = re.subn(r"(?m)^expires = 2029-02-28$", f"expires = {soon}", text)
    assert replaced == 1, "the salesforce-dpa entry of university.toml changed"
    policy = repo / POLICY_IN_REPO
    policy.parent.mkdir(parents=True)
    policy.write_text(text, encoding="utf-8")
    return repo


def check_sarif(app: str, policy: str, cwd: Path, simulator: Simulator) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEKEEPER_", "HEROKU_"))}
    env.update(HEROKU_API_KEY=DEMO_ADMIN_TOKEN, HEROKU_HOST=simulator.url)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gatekeeper",
            "check",
            "--app",
            app,
            "--policy",
            policy,
            "--format",
            "sarif",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    return doc


def locations(doc: dict[str, Any]) -> dict[tuple[str, bool], set[int]]:
    """(rule, waived) -> the lines its results point at, after checking each result names the
    policy by its path from the repository root."""
    [run] = doc["runs"]
    out: dict[tuple[str, bool], set[int]] = {}
    for result in run["results"]:
        [location] = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert unquote(artifact["uri"]) == POLICY_IN_REPO
        assert " " not in artifact["uri"]
        key = (result["ruleId"], "suppressions" in result)
        out.setdefault(key, set()).add(physical["region"]["startLine"])
    return out


@pytest.mark.parametrize("how", ["relative", "absolute", "outside"])
def test_alerts_point_at_the_deciding_entry_from_the_repository_root(
    repo: Path, simulator: Simulator, how: str, tmp_path: Path
) -> None:
    policy_file = repo / POLICY_IN_REPO
    cwd = {"relative": repo / "app", "absolute": repo / "app", "outside": tmp_path}[how]
    policy = f"../{POLICY_IN_REPO}" if how == "relative" else str(policy_file)
    text = policy_file.read_text(encoding="utf-8")
    apps, agreements, waivers = (header_lines(text, t) for t in ("apps", "agreements", "waivers"))

    survey = check_sarif("survey", policy, cwd, simulator)
    [run] = survey["runs"]
    assert run["automationDetails"] == {"id": "gatekeeper/check/survey/"}
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.endswith("/")
    assert Path(unquote(urlparse(root).path)) == repo
    assert locations(survey) == {
        ("agreement-expiring", False): {agreements[0]},  # salesforce-dpa
        ("addon-location-not-allowed", True): {waivers[0], waivers[1]},  # papertrail, sendgrid
        ("postgres-backups", False): {apps[0]},  # [[apps]] name = "survey"
    }

    blocked = check_sarif("experiment-us", policy, cwd, simulator)
    assert blocked["runs"][0]["automationDetails"]["id"] == "gatekeeper/check/experiment-us/"
    found = locations(blocked)
    assert found[("region-not-allowed", False)] == {apps[2]}  # name = "experiment-us"
    assert found[("agreement-expiring", False)] == {agreements[0]}


def test_a_policy_outside_any_repository_is_relative_to_the_run(
    tmp_path: Path, simulator: Simulator
) -> None:
    from gatekeeper.git.toplevel import toplevel

    if toplevel(tmp_path) is not None:
        pytest.skip("the temporary directory is inside a git work tree")
    (tmp_path / "policies").mkdir()
    shutil.copy(UNIVERSITY, tmp_path / "policies" / "uni.toml")
    doc = check_sarif("experiment-us", "policies/uni.toml", tmp_path, simulator)
    [run] = doc["runs"]
    assert Path(unquote(urlparse(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]).path)) == (tmp_path)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"policies/uni.toml"}
