"""The installed pre-push hook deciding real pushes (real git, real hook script, fake check).

The bare repository stands in for Heroku; ``git config remote.heroku.gatekeeper-app``
tells the hook which app it is. The fake gatekeeper records the ``check`` it is asked for
and answers with ``FAKE_CHECK_EXIT``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hooktest_support import FakeGatekeeper, commit, git, push, remote_head

from gatekeeper.cli import run
from gatekeeper.git.hook import CHAINED_NAME, install_hook
from gatekeeper.git.prepush import pushes_commits, run_pre_push

ZERO = "0" * 40


@pytest.fixture
def heroku_repo(repo: Path, bare: Path) -> Path:
    """``repo`` with the hook installed and remote ``heroku`` standing in for ``econ-game``."""
    git(repo, "remote", "add", "heroku", str(bare))
    git(repo, "config", "remote.heroku.gatekeeper-app", "econ-game")
    install_hook(repo)
    return repo


def env_with(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_hook(
    repo: Path, remote: str, url: str, stdin: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed hook the way git does, without a network round trip."""
    return subprocess.run(
        [str(repo / ".git" / "hooks" / "pre-push"), remote, url],
        cwd=repo,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env=env if env is not None else None,
    )


# --- the decision ------------------------------------------------------------------------


def test_allowed_push_proceeds(
    heroku_repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper
) -> None:
    result = push(heroku_repo, "heroku", "main")
    assert result.returncode == 0, result.stderr
    assert remote_head(bare) == git(heroku_repo, "rev-parse", "HEAD").stdout.strip()
    calls = fake_gatekeeper.calls()
    assert calls[0]["argv"] == ["hook", "run-pre-push", "heroku", str(bare)]
    assert fake_gatekeeper.check_calls() == [["check", "--app", "econ-game"]]
    assert Path(calls[1]["cwd"]).resolve() == heroku_repo.resolve()
    assert "checking Heroku app 'econ-game'" in result.stderr


def test_blocked_push_is_refused(
    heroku_repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CHECK_EXIT", "1")
    result = push(heroku_repo, "heroku", "main")
    assert result.returncode != 0
    assert remote_head(bare) is None
    assert "fake check ran for check --app econ-game" in result.stdout  # the check's own output
    assert "push to 'heroku' refused" in result.stderr
    assert "did not pass the check" in result.stderr


@pytest.mark.parametrize("code", [2, 3, 4, 70])
def test_check_that_cannot_evaluate_fails_closed(
    code: int,
    heroku_repo: Path,
    bare: Path,
    fake_gatekeeper: FakeGatekeeper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_CHECK_EXIT", str(code))
    result = push(heroku_repo, "heroku", "main")
    assert result.returncode != 0
    assert remote_head(bare) is None
    assert f"exit {code}" in result.stderr
    assert "fails closed" in result.stderr
    assert "git config gatekeeper.failOpen true" in result.stderr


def test_fail_open_lets_an_unevaluated_push_through(
    heroku_repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_hook(heroku_repo, fail_open=True)
    monkeypatch.setenv("FAKE_CHECK_EXIT", "3")
    result = push(heroku_repo, "heroku", "main")
    assert result.returncode == 0, result.stderr
    assert remote_head(bare) is not None
    assert "UNCHECKED" in result.stderr
    # Fail-open never turns a block into a pass.
    commit(heroku_repo, "second")
    monkeypatch.setenv("FAKE_CHECK_EXIT", "1")
    assert push(heroku_repo, "heroku", "main").returncode != 0


def test_push_to_another_remote_passes_untouched(
    heroku_repo: Path,
    tmp_path: Path,
    fake_gatekeeper: FakeGatekeeper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    github = tmp_path / "github stand in.git"
    git(tmp_path, "init", "-q", "--bare", str(github))
    git(heroku_repo, "remote", "add", "origin", str(github))
    monkeypatch.setenv("FAKE_CHECK_EXIT", "1")
    result = push(heroku_repo, "origin", "main")
    assert result.returncode == 0, result.stderr
    assert remote_head(github) is not None
    assert fake_gatekeeper.calls() == []  # not even started
    assert "gatekeeper" not in result.stderr


def test_deleting_a_branch_passes_without_a_check(
    heroku_repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(heroku_repo, "branch", "old-feature")
    assert push(heroku_repo, "heroku", "main", "old-feature").returncode == 0
    calls_before = len(fake_gatekeeper.calls())
    monkeypatch.setenv("FAKE_CHECK_EXIT", "1")
    result = push(heroku_repo, "heroku", ":old-feature")
    assert result.returncode == 0, result.stderr
    assert remote_head(bare, "old-feature") is None
    assert len(fake_gatekeeper.calls()) == calls_before


def test_remote_named_heroku_uses_gatekeeper_app(
    repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper
) -> None:
    git(repo, "remote", "add", "heroku", str(bare))
    git(repo, "config", "gatekeeper.app", "survey")
    install_hook(repo)
    assert push(repo, "heroku", "main").returncode == 0
    assert fake_gatekeeper.check_calls() == [["check", "--app", "survey"]]


def test_unconfigured_stand_in_named_heroku_is_refused_with_the_fix(
    repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper
) -> None:
    """issue 10: a remote named heroku whose app cannot be told fails closed."""
    git(repo, "remote", "add", "heroku", str(bare))
    install_hook(repo)
    result = push(repo, "heroku", "main")
    assert result.returncode != 0
    assert remote_head(bare) is None
    assert fake_gatekeeper.check_calls() == []
    assert "push to 'heroku' refused" in result.stderr
    assert "does not point at git.heroku.com" in result.stderr
    assert "git config remote.heroku.gatekeeper-app NAME" in result.stderr
    assert "git config gatekeeper.failOpen true" in result.stderr

    git(repo, "config", "gatekeeper.failOpen", "true")
    result = push(repo, "heroku", "main")
    assert result.returncode == 0, result.stderr
    assert remote_head(bare) is not None
    assert "UNCHECKED" in result.stderr
    assert fake_gatekeeper.check_calls() == []


def test_conflicting_app_configuration_is_refused(
    heroku_repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper
) -> None:
    git(heroku_repo, "config", "gatekeeper.app", "survey")  # the remote says econ-game
    result = push(heroku_repo, "heroku", "main")
    assert result.returncode != 0
    assert "more than one app" in result.stderr
    assert fake_gatekeeper.check_calls() == []
    assert remote_head(bare) is None


def test_hook_in_a_relative_core_hooks_path_runs(
    repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(repo, "config", "core.hooksPath", "ci hooks")
    git(repo, "remote", "add", "heroku", str(bare))
    git(repo, "config", "remote.heroku.gatekeeper-app", "experiment-us")
    install_hook(repo)
    monkeypatch.setenv("FAKE_CHECK_EXIT", "1")
    assert push(repo, "heroku", "main").returncode != 0
    assert fake_gatekeeper.check_calls() == [["check", "--app", "experiment-us"]]


# --- chaining ----------------------------------------------------------------------------

RECORDING_HOOK = """#!/bin/sh
printf '%s\\n' "$@" > "$(dirname "$0")/chained-args"
cat > "$(dirname "$0")/chained-stdin"
exit "${CHAINED_EXIT:-0}"
"""


def test_chained_hook_runs_first_with_args_and_stdin(
    repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper
) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-push").write_text(RECORDING_HOOK)
    (hooks / "pre-push").chmod(0o755)
    git(repo, "remote", "add", "heroku", str(bare))
    git(repo, "config", "remote.heroku.gatekeeper-app", "econ-game")
    install_hook(repo, chain=True)
    head = git(repo, "rev-parse", "HEAD").stdout.strip()

    result = push(repo, "heroku", "main")
    assert result.returncode == 0, result.stderr
    assert (hooks / "chained-args").read_text() == f"heroku\n{bare}\n"
    assert (hooks / "chained-stdin").read_text() == (
        f"refs/heads/main {head} refs/heads/main {ZERO}\n"
    )
    # gatekeeper got the same ref lines after the chained hook read them.
    assert fake_gatekeeper.check_calls() == [["check", "--app", "econ-game"]]


def test_chained_hook_failure_refuses_the_push(
    repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-push").write_text(RECORDING_HOOK)
    (hooks / "pre-push").chmod(0o755)
    git(repo, "remote", "add", "heroku", str(bare))
    install_hook(repo, chain=True)
    monkeypatch.setenv("CHAINED_EXIT", "3")
    result = push(repo, "heroku", "main")
    assert result.returncode != 0
    assert remote_head(bare) is None
    assert fake_gatekeeper.calls() == []
    assert (hooks / CHAINED_NAME).exists()


# --- finding the gatekeeper program ------------------------------------------------------


def test_tool_missing_fails_closed(repo: Path, bare: Path, minimal_path: str) -> None:
    git(repo, "remote", "add", "heroku", str(bare))
    git(repo, "config", "remote.heroku.gatekeeper-app", "econ-game")
    install_hook(repo, python="/nonexistent/venv/bin/python")
    env = env_with(PATH=minimal_path, GATEKEEPER_BIN=None)
    result = push(repo, "heroku", "main", env=env)
    assert result.returncode != 0
    assert remote_head(bare) is None
    assert "the gatekeeper program was not found" in result.stderr
    assert "/nonexistent/venv/bin/python" in result.stderr
    assert "refused (fail closed)" in result.stderr
    assert "git config gatekeeper.failOpen true" in result.stderr


def test_tool_missing_with_fail_open_proceeds(repo: Path, bare: Path, minimal_path: str) -> None:
    git(repo, "remote", "add", "heroku", str(bare))
    git(repo, "config", "remote.heroku.gatekeeper-app", "econ-game")
    install_hook(repo, python="/nonexistent/venv/bin/python", fail_open=True)
    result = push(repo, "heroku", "main", env=env_with(PATH=minimal_path, GATEKEEPER_BIN=None))
    assert result.returncode == 0, result.stderr
    assert remote_head(bare) is not None
    assert "UNCHECKED" in result.stderr


def test_tool_missing_does_not_block_other_remotes(
    repo: Path, tmp_path: Path, minimal_path: str
) -> None:
    github = tmp_path / "github.git"
    git(tmp_path, "init", "-q", "--bare", str(github))
    git(repo, "remote", "add", "origin", str(github))
    install_hook(repo, python="/nonexistent/venv/bin/python")
    result = push(repo, "origin", "main", env=env_with(PATH=minimal_path, GATEKEEPER_BIN=None))
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("gatekeeper") == 0


def test_gatekeeper_bin_that_does_not_exist_fails_closed(
    heroku_repo: Path, bare: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no such dir" / "gatekeeper"
    result = push(heroku_repo, "heroku", "main", env=env_with(GATEKEEPER_BIN=str(missing)))
    assert result.returncode != 0
    assert "GATEKEEPER_BIN" in result.stderr and str(missing) in result.stderr
    assert remote_head(bare) is None


def test_gatekeeper_found_on_path(
    heroku_repo: Path, fake_gatekeeper: FakeGatekeeper, minimal_path: str
) -> None:
    path = f"{fake_gatekeeper.path.parent}{os.pathsep}{minimal_path}"
    result = push(heroku_repo, "heroku", "main", env=env_with(PATH=path, GATEKEEPER_BIN=None))
    assert result.returncode == 0, result.stderr
    assert fake_gatekeeper.calls()[0]["raw"][:2] == ["hook", "run-pre-push"]
    assert fake_gatekeeper.check_calls() == [["check", "--app", "econ-game"]]


def test_gatekeeper_found_through_the_recorded_python(
    repo: Path, bare: Path, fake_gatekeeper: FakeGatekeeper, minimal_path: str
) -> None:
    """A virtualenv that is not on PATH: the hook uses the Python recorded at install."""
    git(repo, "remote", "add", "heroku", str(bare))
    git(repo, "config", "remote.heroku.gatekeeper-app", "econ-game")
    install_hook(repo, python=str(fake_gatekeeper.path))  # the fake also acts as a Python
    result = push(repo, "heroku", "main", env=env_with(PATH=minimal_path, GATEKEEPER_BIN=None))
    assert result.returncode == 0, result.stderr
    assert fake_gatekeeper.calls()[0]["raw"][:4] == ["-m", "gatekeeper", "hook", "run-pre-push"]
    assert fake_gatekeeper.check_calls() == [["check", "--app", "econ-game"]]


# --- hostile input -----------------------------------------------------------------------


def test_shell_metacharacters_in_a_local_remote_are_not_executed(
    repo: Path, tmp_path: Path, fake_gatekeeper: FakeGatekeeper
) -> None:
    evil = tmp_path / "evil;$(touch pwned)`touch pwned2`|touch pwned3.git"
    git(tmp_path, "init", "-q", "--bare", str(evil))
    remote = "h$(touch${IFS}pwned4)`touch${IFS}pwned5`;touch${IFS}pwned6"
    git(repo, "remote", "add", remote, str(evil))
    git(repo, "config", f"remote.{remote}.gatekeeper-app", "econ-game")
    install_hook(repo)
    result = push(repo, remote, "main")
    assert result.returncode == 0, result.stderr
    assert fake_gatekeeper.check_calls() == [["check", "--app", "econ-game"]]
    for where in (repo, tmp_path, Path.cwd()):
        assert not [p for p in where.iterdir() if p.name.startswith("pwned")]


@pytest.mark.parametrize(
    "url",
    [
        "https://git.heroku.com/$(touch pwned).git",
        "https://git.heroku.com/`touch pwned`.git",
        "https://git.heroku.com/econ-game.git;touch pwned",
        "https://git.heroku.com/econ-game.git && touch pwned",
        "git@heroku.com:$(touch${IFS}pwned).git",
        "ssh://git@heroku.com/x|touch pwned",
    ],
)
def test_malicious_heroku_urls_are_refused_not_executed(
    url: str,
    heroku_repo: Path,
    tmp_path: Path,
    fake_gatekeeper: FakeGatekeeper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = git(heroku_repo, "rev-parse", "HEAD").stdout.strip()
    refs = f"refs/heads/main {head} refs/heads/main {ZERO}\n"
    for remote in (url, "production"):  # pushed by URL, and through a named remote
        result = run_hook(heroku_repo, remote, url, refs)
        assert result.returncode == 1, result.stderr
        assert "not a valid Heroku app name" in result.stderr
    assert fake_gatekeeper.check_calls() == []
    for where in (heroku_repo, tmp_path, Path.cwd()):
        assert not [p for p in where.iterdir() if p.name.startswith("pwned")]


def test_a_heroku_url_pushed_directly_is_checked(
    heroku_repo: Path, fake_gatekeeper: FakeGatekeeper
) -> None:
    url = "https://git.heroku.com/otree-study.git"
    head = git(heroku_repo, "rev-parse", "HEAD").stdout.strip()
    result = run_hook(heroku_repo, url, url, f"refs/heads/main {head} refs/heads/main {ZERO}\n")
    assert result.returncode == 0, result.stderr
    assert fake_gatekeeper.check_calls() == [["check", "--app", "otree-study"]]


def test_credentials_in_the_url_are_never_printed(
    heroku_repo: Path, fake_gatekeeper: FakeGatekeeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CHECK_EXIT", "3")
    url = "https://heroku:HRKU-top-secret-0000@git.heroku.com/otree-study.git"
    head = git(heroku_repo, "rev-parse", "HEAD").stdout.strip()
    result = run_hook(heroku_repo, url, url, f"refs/heads/main {head} refs/heads/main {ZERO}\n")
    assert result.returncode == 1
    assert "HRKU-top-secret-0000" not in result.stderr + result.stdout
    assert "otree-study" in result.stderr


# --- run-pre-push itself -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("", False),
        ("\n", False),
        (f"(delete) {ZERO} refs/heads/old {'a' * 40}\n", False),
        (f"(delete) {'0' * 64} refs/heads/old {'a' * 64}\n", False),  # SHA-256 repository
        (f"refs/heads/main {'b' * 40} refs/heads/main {ZERO}\n", True),
        (
            f"(delete) {ZERO} refs/heads/old {'a' * 40}\n"
            f"refs/heads/main {'b' * 40} refs/heads/main {'a' * 40}\n",
            True,
        ),
        ("garbage\n", True),  # unreadable: check rather than wave through
    ],
)
def test_pushes_commits(lines: str, expected: bool) -> None:
    assert pushes_commits(lines) is expected


def test_run_pre_push_under_pre_commit(
    repo: Path, fake_gatekeeper: FakeGatekeeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "production")
    monkeypatch.setenv("PRE_COMMIT_REMOTE_URL", "https://git.heroku.com/survey.git")
    assert run(["hook", "run-pre-push"]) == 0
    assert fake_gatekeeper.check_calls() == [["check", "--app", "survey"]]
    monkeypatch.setenv("FAKE_CHECK_EXIT", "1")
    assert run(["hook", "run-pre-push"]) == 1
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    monkeypatch.setenv("PRE_COMMIT_REMOTE_URL", "git@github.com:uni/survey.git")
    assert run(["hook", "run-pre-push"]) == 0
    assert len(fake_gatekeeper.check_calls()) == 2


def test_run_pre_push_by_hand_checks_the_heroku_remote(
    repo: Path,
    fake_gatekeeper: FakeGatekeeper,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(repo)
    assert run(["hook", "run-pre-push"]) == 0
    assert "nothing to check" in capsys.readouterr().err
    git(repo, "remote", "add", "heroku", "https://git.heroku.com/jdoe-thesis.git")
    assert run(["hook", "run-pre-push"]) == 0
    assert fake_gatekeeper.check_calls() == [["check", "--app", "jdoe-thesis"]]


def test_run_pre_push_reads_deletions_from_stdin(
    repo: Path, fake_gatekeeper: FakeGatekeeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://git.heroku.com/survey.git"
    deletion = f"(delete) {ZERO} refs/heads/old {'a' * 40}\n"
    monkeypatch.setenv("FAKE_CHECK_EXIT", "1")
    assert run_pre_push("heroku", url, deletion, repo_dir=repo) == 0
    assert fake_gatekeeper.calls() == []
    update = f"refs/heads/main {'b' * 40} refs/heads/main {ZERO}\n"
    assert run_pre_push("heroku", url, update, repo_dir=repo) == 1


def test_run_pre_push_wrong_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["hook", "run-pre-push", "heroku"]) == 2
    assert "remote name and URL" in capsys.readouterr().err


def test_check_that_cannot_start_fails_closed(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"GATEKEEPER_BIN": str(tmp_path / "missing-gatekeeper"), "PATH": os.environ["PATH"]}
    url = "https://git.heroku.com/survey.git"
    assert run_pre_push("heroku", url, None, repo_dir=repo, env=env) == 1
    err = capsys.readouterr().err
    assert "could not run" in err and "not started" in err
    git(repo, "config", "gatekeeper.failOpen", "true")
    assert run_pre_push("heroku", url, None, repo_dir=repo, env=env) == 0
    assert "UNCHECKED" in capsys.readouterr().err
