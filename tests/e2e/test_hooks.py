"""End to end: `git push heroku main` through the installed pre-push hook, against the simulator.

A temporary repository's `heroku` remote is a local bare repository standing in for a Heroku
app (git config tells the hook which app). The hook runs the real `gatekeeper check` against
the simulated demo estate under gatekeeper/examples/university.toml:

- `experiment-us` (psych-lab, region us) is blocked: the push is refused, and the output
  names each blocking rule id and its fix;
- `econ-game` (econ-lab, eu, no add-ons) is allowed: the push reaches the remote.

The hook finds gatekeeper through the Python recorded at install time (PATH holds only git
and the shell), which also proves it works from a virtualenv that is not on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from stand_in_venv import stand_in_venv

pytest.importorskip("gatekeeper.commands.check")

from gatekeeper.simulator import Simulator, demo_estate

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
ADMIN_TOKEN = "HRKU-demo-admin-0000000000000000"


@pytest.fixture(scope="module")
def simulator() -> Iterator[Any]:
    with Simulator(demo_estate()) as sim:
        yield sim


@pytest.fixture
def hook_env(simulator: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a researcher's shell: token, API host, policy; no gatekeeper on PATH."""
    tools = tmp_path_factory.mktemp("path")
    for tool in ("git", "sh", "cat"):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed")
        (tools / tool).symlink_to(found)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GIT_", "GATEKEEPER_", "PRE_COMMIT_"))
    }
    env.update(
        PATH=str(tools),
        HEROKU_API_KEY=ADMIN_TOKEN,
        HEROKU_HOST=simulator.url,
        GATEKEEPER_POLICY=str(POLICY),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Jane Doe",
        GIT_AUTHOR_EMAIL="jane.doe@uni-example.edu",
        GIT_COMMITTER_NAME="Jane Doe",
        GIT_COMMITTER_EMAIL="jane.doe@uni-example.edu",
    )
    return env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = run([shutil.which("git") or "git", *args], cwd, env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def deploy_repo(tmp_path: Path, hook_env: dict[str, str]) -> tuple[Path, Path]:
    """A study's repository (path with spaces) with the hook installed; `heroku` is a bare repo."""
    repo = tmp_path / "oTree study"
    repo.mkdir()
    bare = tmp_path / "heroku stand-in.git"
    git(tmp_path, hook_env, "init", "-q", "--bare", str(bare))
    git(repo, hook_env, "init", "-q", "-b", "main")
    (repo / "Procfile").write_text("web: otree prodserver\n")
    git(repo, hook_env, "add", "Procfile")
    git(repo, hook_env, "commit", "-q", "-m", "Study app")
    git(repo, hook_env, "remote", "add", "heroku", str(bare))
    installed = run([sys.executable, "-m", "gatekeeper", "hook", "install"], repo, hook_env)
    assert installed.returncode == 0, installed.stderr
    return repo, bare


def remote_main(bare: Path, env: dict[str, str]) -> str | None:
    done = run(["git", "rev-parse", "--verify", "-q", "refs/heads/main"], bare, env)
    return done.stdout.strip() or None


def squashed(text: str) -> str:
    return " ".join(text.split())


def test_push_of_a_blocked_app_is_refused_with_rule_and_fix(
    deploy_repo: tuple[Path, Path], hook_env: dict[str, str]
) -> None:
    repo, bare = deploy_repo
    git(repo, hook_env, "config", "remote.heroku.gatekeeper-app", "experiment-us")

    pushed = run(["git", "push", "heroku", "main"], repo, hook_env)
    output = pushed.stdout + pushed.stderr
    assert pushed.returncode != 0, output
    assert remote_main(bare, hook_env) is None
    assert "push to 'heroku' refused" in output

    # What the hook printed is what `check` decides: every blocking rule id and its fix.
    checked = run(
        [sys.executable, "-m", "gatekeeper", "check", "--app", "experiment-us", "--format", "json"],
        repo,
        hook_env,
    )
    assert checked.returncode == 1, checked.stderr
    report = json.loads(checked.stdout)
    assert report["decision"] == "block"
    blocking = [
        finding
        for app in report["apps"]
        for finding in app["findings"]
        if finding["severity"] == "block" and not finding["waived"]
    ]
    assert "region-not-allowed" in {finding["rule"] for finding in blocking}
    for finding in blocking:
        assert finding["rule"] in output
        assert finding["remediation"], finding
        assert squashed(finding["remediation"]) in squashed(output)
    assert ADMIN_TOKEN not in output


def test_push_of_an_allowed_app_proceeds(
    deploy_repo: tuple[Path, Path], hook_env: dict[str, str]
) -> None:
    repo, bare = deploy_repo
    git(repo, hook_env, "config", "gatekeeper.app", "econ-game")

    pushed = run(["git", "push", "heroku", "main"], repo, hook_env)
    output = pushed.stdout + pushed.stderr
    assert pushed.returncode == 0, output
    assert remote_main(bare, hook_env) == git(repo, hook_env, "rev-parse", "HEAD")
    assert "checking Heroku app 'econ-game'" in output
    assert ADMIN_TOKEN not in output


# --- the GitHub Action's check step, with the real check ---------------------------------


@pytest.fixture
def action_step(simulator: Any, tmp_path: Path) -> Any:
    """Run the check step of action.yml with bash, as the runner would, on the real tool."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    script = next(s for s in action["runs"]["steps"] if s.get("id") == "check")["run"]
    venv = stand_in_venv(tmp_path)
    tool = venv / "bin" / "gatekeeper"
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m gatekeeper "$@"\n')
    tool.chmod(0o755)

    def go(app: str, policy: str = str(POLICY), cwd: Path = tmp_path) -> dict[str, Any]:
        output, summary = tmp_path / f"{app}.output", tmp_path / f"{app}.summary"
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("GATEKEEPER_", "INPUT_", "GITHUB_"))
        }
        env.update(
            GATEKEEPER_VENV=str(venv),
            GATEKEEPER_REPORT=str(tmp_path / f"{app}.json"),
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(summary),
            INPUT_APP=app,
            INPUT_POLICY=policy,
            INPUT_API_URL=simulator.url,
            INPUT_STRICT="false",
            INPUT_SARIF_FILE=f"{app}.sarif",
            INPUT_HEROKU_API_KEY=ADMIN_TOKEN,
        )
        done = run([bash, "-c", script], cwd, env)
        return {
            "code": done.returncode,
            "stdout": done.stdout,
            "outputs": dict(line.split("=", 1) for line in output.read_text().splitlines()),
            "summary": summary.read_text() if summary.exists() else "",
        }

    return go


def test_action_check_step_blocks_and_writes_sarif(action_step: Any) -> None:
    result = action_step("experiment-us")
    assert result["code"] == 1
    assert result["outputs"]["decision"] == "block"
    assert result["outputs"]["exit-code"] == "1"
    assert "::error" in result["stdout"] and "region-not-allowed" in result["stdout"]
    sarif = json.loads(Path(result["outputs"]["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0"
    rules = {r["ruleId"] for run_ in sarif["runs"] for r in run_["results"]}
    assert "region-not-allowed" in rules
    report = json.loads(Path(result["outputs"]["report-file"]).read_text())
    assert report["decision"] == "block"
    assert "region-not-allowed" in result["summary"]
    assert ADMIN_TOKEN not in result["stdout"] + result["summary"]


def test_action_check_step_allows(action_step: Any) -> None:
    result = action_step("econ-game")
    assert result["code"] == 0, result["stdout"]
    assert result["outputs"]["decision"] in ("allow", "warn")
    assert Path(result["outputs"]["sarif-file"]).is_file()


def test_action_check_step_in_a_working_directory_links_to_the_repository(
    action_step: Any, tmp_path: Path
) -> None:
    """The Action's ``working-directory`` is a subdirectory of the repository: the SARIF
    results still name the policy by its path from the repository root, on the line of the
    app's ``[[apps]]`` entry."""
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(POLICY, repo / "gatekeeper.toml")
    result = action_step("experiment-us", policy="../gatekeeper.toml", cwd=repo / "deploy")
    assert result["code"] == 1, result["stdout"]
    sarif = json.loads(Path(result["outputs"]["sarif-file"]).read_text())
    [run_] = sarif["runs"]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"
    assert run_["automationDetails"]["id"] == "gatekeeper/check/experiment-us/"
    lines = (repo / "gatekeeper.toml").read_text().splitlines()
    entry = lines.index('name = "experiment-us"')  # the line after its [[apps]] header
    assert lines[entry - 1] == "[[apps]]"
    [region] = [r for r in run_["results"] if r["ruleId"] == "region-not-allowed"]
    physical = region["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "gatekeeper.toml", "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] == entry  # 1-based: the header's line


def test_action_check_step_that_cannot_evaluate_writes_an_error_annotation(
    action_step: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("version = 1\n[defaults]\ndata_clas = 'personal'\n")
    result = action_step("experiment-us", policy=str(broken))
    assert result["code"] == 2
    assert result["outputs"]["decision"] == "error"
    errors = [line for line in result["stdout"].splitlines() if line.startswith("::error")]
    assert errors == [
        "::error title=heroku-gatekeeper%3A experiment-us was not evaluated::gatekeeper exited "
        "with 2: usage error or invalid policy. Nothing was decided, so the check fails closed. "
        "The log of this step says what happened and what to do."
    ]
    assert "`experiment-us` was not evaluated" in result["summary"]
    assert ADMIN_TOKEN not in result["stdout"] + result["summary"]
