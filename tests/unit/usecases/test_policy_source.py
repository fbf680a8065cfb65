"""Where a run's policy file is in the repository, and the lines of its findings
(``usecases.policy_file.policy_source``): read again from disk, never trusted blindly."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from usecase_fakes import BLOCKED, TODAY, FakeSource, demo_facts

from gatekeeper.policy import load_policy, loads_policy
from gatekeeper.usecases.check import check_app
from gatekeeper.usecases.policy_file import policy_source

ROOT = Path(__file__).resolve().parents[3]
UNIVERSITY = ROOT / "gatekeeper" / "examples" / "university.toml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, "init", "-q", str(tmp_path / "repo")], check=True)
    (tmp_path / "repo" / "policy").mkdir()
    shutil.copy(UNIVERSITY, tmp_path / "repo" / "policy" / "gatekeeper.toml")
    (tmp_path / "repo" / "app").mkdir()
    return tmp_path / "repo"


def test_a_check_carries_the_policy_place_and_its_scope(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "app")
    policy = load_policy("../policy/gatekeeper.toml")
    outcome = check_app(BLOCKED, policy=policy, source=FakeSource(demo_facts()), today=TODAY)
    source = outcome.render_options.placed_policy()
    assert source is not None
    assert source.path == "policy/gatekeeper.toml"
    assert source.root_uri == repo.as_uri() + "/"
    assert outcome.render_options.run_scope == f"check/{BLOCKED}"
    findings = outcome.report.all_findings()
    assert findings and all(f.fingerprint in source.lines for f in findings)


def test_a_policy_changed_since_it_was_judged_gives_no_lines(repo: Path) -> None:
    path = repo / "policy" / "gatekeeper.toml"
    policy = load_policy(path)
    report = check_app(BLOCKED, policy=policy, source=FakeSource(demo_facts()), today=TODAY).report
    path.write_text("\n\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    source = policy_source(policy, report)
    assert source is not None and source.path == "policy/gatekeeper.toml"
    assert source.lines == {}
    path.unlink()  # gone: no place to point at, and no error
    assert policy_source(policy, report) is None


def test_a_policy_from_text_has_no_place() -> None:
    policy = loads_policy(UNIVERSITY.read_text(encoding="utf-8"))  # source "<string>"
    report = check_app(
        BLOCKED, policy=policy, source=FakeSource(demo_facts()), today=date(2026, 11, 25)
    ).report
    assert policy_source(policy, report) is None
