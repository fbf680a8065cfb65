"""Real git repositories in temporary directories, and a fake gatekeeper that records calls.

The fake stands in for the gatekeeper program the installed hook finds (``$GATEKEEPER_BIN``,
``gatekeeper`` on PATH, or the recorded Python): ``hook ...`` runs the real CLI in-process,
``check ...`` is recorded and exits with ``FAKE_CHECK_EXIT``. So the hook script and
``run-pre-push`` are real, and only the policy decision is faked.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from hooktest_support import FakeGatekeeper, git

_FAKE = """#!{python}
import json, os, sys
args = sys.argv[1:]
if args[:1] == ["-c"]:
    sys.exit(0)  # the hook's probe: is gatekeeper importable by this Python?
if args[:2] == ["-m", "gatekeeper"]:
    args = args[2:]
with open(os.environ["FAKE_GATEKEEPER_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({{"argv": args, "raw": sys.argv[1:], "cwd": os.getcwd()}}) + "\\n")
if args[:1] == ["hook"]:
    os.environ["GATEKEEPER_BIN"] = os.path.abspath(__file__)  # the check comes back here
    from gatekeeper.cli import main
    main(args)
print("fake check ran for " + " ".join(args))
sys.exit(int(os.environ.get("FAKE_CHECK_EXIT", "0")))
"""


@pytest.fixture(autouse=True)
def _git_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """git with a fixed identity, no system config, and no hook variables leaking in."""
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Researcher")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "researcher@uni-example.edu")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Researcher")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "researcher@uni-example.edu")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GATEKEEPER_BIN",
        "PRE_COMMIT_REMOTE_NAME",
        "PRE_COMMIT_REMOTE_URL",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "FAKE_CHECK_EXIT",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def git_program() -> str:
    found = shutil.which("git")
    if found is None:
        pytest.skip("git is not installed")
    return found


@pytest.fixture
def repo(tmp_path: Path, git_program: str) -> Path:
    """A work tree with one commit on ``main``, in a directory whose path has spaces."""
    path = tmp_path / "my experiment repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "app.py").write_text("print('hello')\n")
    git(path, "add", "app.py")
    git(path, "commit", "-q", "-m", "first")
    return path


@pytest.fixture
def bare(tmp_path: Path, git_program: str) -> Path:
    """A bare repository standing in for Heroku's git server."""
    path = tmp_path / "heroku stand in.git"
    git(tmp_path, "init", "-q", "--bare", str(path))
    return path


@pytest.fixture
def fake_gatekeeper(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> FakeGatekeeper:
    """The fake, made the program the hook runs through ``GATEKEEPER_BIN``."""
    directory = tmp_path_factory.mktemp("fakebin")
    script = directory / "gatekeeper"
    script.write_text(_FAKE.format(python=sys.executable))
    script.chmod(0o755)
    log = directory / "calls.jsonl"
    monkeypatch.setenv("FAKE_GATEKEEPER_LOG", str(log))
    monkeypatch.setenv("GATEKEEPER_BIN", str(script))
    return FakeGatekeeper(path=script, log=log)


@pytest.fixture
def minimal_path(tmp_path_factory: pytest.TempPathFactory, git_program: str) -> str:
    """A PATH with git and the few tools the hook uses, and certainly no gatekeeper."""
    directory = tmp_path_factory.mktemp("minimal-path")
    for tool in ("git", "cat", "sh"):
        found = shutil.which(tool)
        assert found is not None, tool
        (directory / tool).symlink_to(found)
    assert shutil.which("gatekeeper", path=str(directory)) is None
    return str(directory)
