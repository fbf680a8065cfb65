"""The installed pre-push hook, end to end with real git and the real gatekeeper, where it is
easy to get wrong: gatekeeper missing from PATH, paths with spaces, a shared absolute
``core.hooksPath``, an API that cannot be reached, and hostile remote names, URLs and app
settings (nothing taken from them is ever executed).

tests/unit/git covers the hook's logic with a stand-in for gatekeeper; tests/e2e/test_hooks.py
covers a blocked and an allowed push. Here the real check runs against the simulator.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatekeeper.git.hook import install_hook, render_hook_script
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(demo_estate()) as sim:
        yield sim


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """A PATH with only git, sh and cat: no gatekeeper, no Python."""
    directory = tmp_path / "only git and sh"
    directory.mkdir()
    for tool in ("git", "sh", "cat"):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed")
        (directory / tool).symlink_to(found)
    return directory


@pytest.fixture
def env(simulator: Simulator, tools: Path) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "GATEKEEPER_", "PRE_COMMIT_", "HEROKU_"))
    }
    clean.update(
        PATH=str(tools),
        HEROKU_API_KEY=DEMO_ADMIN_TOKEN,
        HEROKU_HOST=simulator.url,
        GATEKEEPER_POLICY=str(POLICY),
        GATEKEEPER_MAX_RETRIES="0",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Jane Doe",
        GIT_AUTHOR_EMAIL="jane.doe@uni-example.edu",
        GIT_COMMITTER_NAME="Jane Doe",
        GIT_COMMITTER_EMAIL="jane.doe@uni-example.edu",
    )
    return clean


def sh(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120
    )


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = sh([shutil.which("git") or "git", *args], cwd, env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_repo(base: Path, env: dict[str, str], name: str = "my study repo") -> Path:
    repo = base / name
    repo.mkdir(parents=True)
    git(repo, env, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("print('experiment')\n")
    git(repo, env, "add", "app.py")
    git(repo, env, "commit", "-q", "-m", "Experiment")
    return repo


def make_remote(base: Path, env: dict[str, str], name: str = "heroku stand-in.git") -> Path:
    bare = base / name
    git(base, env, "init", "-q", "--bare", str(bare))
    return bare


def remote_head(bare: Path, env: dict[str, str]) -> str | None:
    done = sh(["git", "rev-parse", "--verify", "-q", "refs/heads/main"], bare, env)
    return done.stdout.strip() or None


def push(
    repo: Path, env: dict[str, str], remote: str = "heroku"
) -> subprocess.CompletedProcess[str]:
    return sh(["git", "push", remote, "main"], repo, env)


def no_pwned(*places: Path) -> bool:
    return not any(p.name.startswith("pwned") for place in places for p in place.rglob("*"))


def test_gatekeeper_missing_from_path_fails_closed_with_a_clear_message(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo, bare = make_repo(tmp_path, env), make_remote(tmp_path, env)
    git(repo, env, "remote", "add", "heroku", str(bare))
    git(repo, env, "config", "remote.heroku.gatekeeper-app", "econ-game")
    # Installed from a Python that is gone since (a deleted virtualenv), and not on PATH.
    install_hook(repo, python=str(tmp_path / "deleted venv" / "bin" / "python"))

    refused = push(repo, env)
    assert refused.returncode != 0 and remote_head(bare, env) is None
    assert "the gatekeeper program was not found" in refused.stderr
    assert "GATEKEEPER_BIN" in refused.stderr
    assert "git config gatekeeper.failOpen true" in refused.stderr

    git(repo, env, "config", "gatekeeper.failOpen", "true")
    allowed = push(repo, env)
    assert allowed.returncode == 0, allowed.stderr
    assert "UNCHECKED" in allowed.stderr
    assert remote_head(bare, env) == git(repo, env, "rev-parse", "HEAD")


def test_gatekeeper_bin_in_a_directory_with_spaces(tmp_path: Path, env: dict[str, str]) -> None:
    repo, bare = make_repo(tmp_path, env), make_remote(tmp_path, env)
    git(repo, env, "remote", "add", "heroku", str(bare))
    git(repo, env, "config", "remote.heroku.gatekeeper-app", "econ-game")
    install_hook(repo, python=str(tmp_path / "gone" / "python"))
    wrapper = tmp_path / "my tools" / "gate keeper"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m gatekeeper "$@"\n')
    wrapper.chmod(0o755)

    pushed = push(repo, {**env, "GATEKEEPER_BIN": str(wrapper)})
    assert pushed.returncode == 0, pushed.stderr
    assert "econ-game" in pushed.stderr
    assert remote_head(bare, env) == git(repo, env, "rev-parse", "HEAD")


def test_a_shared_absolute_hooks_path_with_spaces(tmp_path: Path, env: dict[str, str]) -> None:
    """One hooks directory (core.hooksPath, absolute, with spaces) serves two repositories."""
    shared = tmp_path / "lab wide hooks"
    blocked_repo = make_repo(tmp_path, env, "us study")
    allowed_repo = make_repo(tmp_path, env, "eu game")
    for repo, app in ((blocked_repo, "experiment-us"), (allowed_repo, "econ-game")):
        git(repo, env, "config", "core.hooksPath", str(shared))
        bare = make_remote(tmp_path, env, f"{app} remote.git")
        git(repo, env, "remote", "add", "heroku", str(bare))
        git(repo, env, "config", "remote.heroku.gatekeeper-app", app)
    install_hook(blocked_repo)
    assert (shared / "pre-push").is_file()
    assert not (blocked_repo / ".git" / "hooks" / "pre-push").exists()

    refused = push(blocked_repo, env)
    assert refused.returncode != 0
    assert "region-not-allowed" in refused.stdout + refused.stderr
    allowed = push(allowed_repo, env)
    assert allowed.returncode == 0, allowed.stderr


def test_an_api_that_cannot_be_reached_fails_closed(tmp_path: Path, env: dict[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**env, "HEROKU_HOST": f"http://127.0.0.1:{port}"}
    repo, bare = make_repo(tmp_path, env), make_remote(tmp_path, env)
    git(repo, env, "remote", "add", "heroku", str(bare))
    git(repo, env, "config", "remote.heroku.gatekeeper-app", "econ-game")
    install_hook(repo)

    refused = push(repo, env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and remote_head(bare, env) is None
    assert "Could not connect" in output and "fail closed" in output
    assert "Traceback" not in output and DEMO_ADMIN_TOKEN not in output

    git(repo, env, "config", "gatekeeper.failOpen", "true")
    allowed = push(repo, env)
    assert allowed.returncode == 0, allowed.stderr
    assert "UNCHECKED" in allowed.stdout + allowed.stderr


@pytest.mark.parametrize(
    "app",
    [
        "$(touch pwned)",
        "`touch pwned`",
        "econ-game;touch pwned",
        "econ-game\ntouch pwned",
        "-a econ-game",
    ],
)
def test_a_hostile_app_setting_is_refused_not_run(
    app: str, tmp_path: Path, env: dict[str, str]
) -> None:
    repo, bare = make_repo(tmp_path, env), make_remote(tmp_path, env)
    git(repo, env, "remote", "add", "heroku", str(bare))
    git(repo, env, "config", "remote.heroku.gatekeeper-app", app)
    install_hook(repo)
    refused = push(repo, env)
    assert refused.returncode != 0 and remote_head(bare, env) is None
    assert "not a valid Heroku app name" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert no_pwned(tmp_path, repo)


def test_hostile_remote_names_and_paths_are_not_run(tmp_path: Path, env: dict[str, str]) -> None:
    """A remote whose name and path are shell code, checked for a real app by config."""
    repo = make_repo(tmp_path, env)
    bare = make_remote(tmp_path, env, "$(touch pwned);`touch pwned2`|touch pwned3.git")
    remote = "heroku$(touch${IFS}pwned4)"
    git(repo, env, "remote", "add", remote, str(bare))
    git(repo, env, "config", f"remote.{remote}.gatekeeper-app", "experiment-us")
    install_hook(repo)
    refused = push(repo, env, remote)
    assert refused.returncode != 0
    assert "region-not-allowed" in refused.stdout + refused.stderr
    assert no_pwned(tmp_path, repo)


@pytest.mark.parametrize(
    "url",
    [
        "https://git.heroku.com/$(touch pwned).git",
        "https://git.heroku.com/econ-game.git;touch pwned",
        "git@heroku.com:`touch pwned`.git",
    ],
)
def test_a_heroku_url_with_shell_code_is_refused_not_run(
    url: str, tmp_path: Path, env: dict[str, str]
) -> None:
    """The installed hook run as git runs it (git itself would refuse to contact such a URL
    first): remote name and URL as arguments, the pushed refs on stdin."""
    repo = make_repo(tmp_path, env)
    install_hook(repo)
    git(repo, env, "remote", "add", "heroku", url)
    head = git(repo, env, "rev-parse", "HEAD")
    hook = repo / ".git" / "hooks" / "pre-push"
    refused = subprocess.run(
        ["sh", str(hook), "heroku", url],
        cwd=repo,
        env=env,
        text=True,
        input=f"refs/heads/main {head} refs/heads/main {'0' * 40}\n",
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert refused.returncode == 1
    assert "not a valid Heroku app name" in refused.stderr
    assert no_pwned(tmp_path, repo)


def _double_quoted(line: str, pos: int) -> bool:
    """Whether ``pos`` of a shell line is inside double quotes (``$(...)`` opens a new level)."""
    levels = [False]
    i = 0
    while i < pos:
        char = line[i]
        if char == "\\":
            i += 2
            continue
        if line.startswith("$(", i):
            levels.append(False)
            i += 2
            continue
        if char == ")" and not levels[-1] and len(levels) > 1:
            levels.pop()
        elif char == '"':
            levels[-1] = not levels[-1]
        elif char == "'" and not levels[-1]:
            i = line.find("'", i + 1)
            if i < 0:
                return False
        i += 1
    return levels[-1]


def test_the_hook_script_never_evaluates_its_input(tmp_path: Path) -> None:
    """No eval, no sh -c, no command substitution of git's arguments: only comparisons."""
    script = render_hook_script("/opt/gate keeper/bin/python")
    sh_path = shutil.which("sh")
    if sh_path is None:
        pytest.skip("sh is not installed")
    hook = tmp_path / "pre-push"
    hook.write_text(script)
    assert subprocess.run([sh_path, "-n", str(hook)], check=False).returncode == 0
    code = "\n".join(
        line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
        for line in script.splitlines()
    )
    assert "eval" not in code and "sh -c" not in code and "`" not in code
    # $remote and $url only ever appear in double quotes, or as the word of a case statement
    # (which the shell does not split or glob).
    for line in code.splitlines():
        for match in re.finditer(r"\$\{?(remote|url)\b", line):
            assert _double_quoted(line, match.start()) or line.strip().startswith("case "), (
                f"unquoted expansion in: {line!r}"
            )
    assert "'/opt/gate keeper/bin/python'" in script  # the recorded Python is quoted


# --- URLs that git rewrites before it calls the hook (url.<base>.insteadOf, pushInsteadOf) -----
#
# git hands the hook the rewritten URL: here a bare repository in a "Heroku mirror" directory
# stands in for where the push really lands. The app is read from the remote's URLs as
# configured, and the real check against the simulator decides.


def mirror_of_heroku(tmp_path: Path, env: dict[str, str], app: str) -> tuple[Path, str]:
    """A directory of bare repositories that Heroku URLs are rewritten into, with ``app``."""
    mirror = tmp_path / "heroku mirror"
    mirror.mkdir(exist_ok=True)
    return make_remote(mirror, env, f"{app}.git"), f"{mirror}/"


@pytest.mark.parametrize(
    ("remote", "rewrite", "where"),
    [
        ("heroku", "insteadOf", "url"),
        ("heroku", "pushInsteadOf", "url"),
        ("production", "insteadOf", "url"),
        ("production", "pushInsteadOf", "url"),
        ("production", "insteadOf", "pushurl"),
    ],
)
def test_a_rewritten_heroku_url_is_checked_and_a_blocked_app_refused(
    remote: str, rewrite: str, where: str, tmp_path: Path, env: dict[str, str]
) -> None:
    repo = make_repo(tmp_path, env)
    bare, base = mirror_of_heroku(tmp_path, env, "experiment-us")
    heroku_url = "https://git.heroku.com/experiment-us.git"
    if where == "url":
        git(repo, env, "remote", "add", remote, heroku_url)
    else:
        github = make_remote(tmp_path, env, "github stand-in.git")
        git(repo, env, "remote", "add", remote, str(github))
        git(repo, env, "remote", "set-url", "--push", remote, heroku_url)
    git(repo, env, "config", f"url.{base}.{rewrite}", "https://git.heroku.com/")
    install_hook(repo)

    refused = push(repo, env, remote)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert remote_head(bare, env) is None
    assert "checking Heroku app 'experiment-us'" in output
    assert "region-not-allowed" in output
    assert f"push to '{remote}' refused" in output


def test_a_rewritten_url_of_an_allowed_app_is_checked_and_pushed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo = make_repo(tmp_path, env)
    bare, base = mirror_of_heroku(tmp_path, env, "econ-game")
    git(repo, env, "remote", "add", "production", "git@heroku.com:econ-game.git")
    git(repo, env, "config", f"url.{base}.pushInsteadOf", "git@heroku.com:")
    install_hook(repo)

    pushed = push(repo, env, "production")
    assert pushed.returncode == 0, pushed.stderr
    assert "checking Heroku app 'econ-game'" in pushed.stderr
    assert "before git rewrote it" in pushed.stderr
    assert remote_head(bare, env) == git(repo, env, "rev-parse", "HEAD")


def test_a_push_to_a_rewritten_heroku_url_given_on_the_command_line_is_checked(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo = make_repo(tmp_path, env)
    bare, base = mirror_of_heroku(tmp_path, env, "experiment-us")
    git(repo, env, "config", f"url.{base}.insteadOf", "https://git.heroku.com/")
    install_hook(repo)

    refused = push(repo, env, "https://git.heroku.com/experiment-us.git")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert remote_head(bare, env) is None
    assert "region-not-allowed" in output


def test_a_heroku_remote_whose_app_cannot_be_told_is_refused_unless_fail_open(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """The remote named heroku, rewritten to a URL that names no app and configured with
    none: refused with the fix; git config gatekeeper.failOpen true is the way out."""
    repo = make_repo(tmp_path, env)
    bare = make_remote(tmp_path, env)
    git(repo, env, "remote", "add", "heroku", "https://heroku-proxy.uni-example.edu/deploy.git")
    git(
        repo,
        env,
        "config",
        f"url.{bare}.insteadOf",
        "https://heroku-proxy.uni-example.edu/deploy.git",
    )
    install_hook(repo)

    refused = push(repo, env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert remote_head(bare, env) is None
    assert "push to 'heroku' refused" in output
    assert "does not point at git.heroku.com" in output
    assert "git config remote.heroku.gatekeeper-app NAME" in output
    assert "git config gatekeeper.failOpen true" in output
    assert "Traceback" not in output

    git(repo, env, "config", "gatekeeper.failOpen", "true")
    allowed = push(repo, env)
    assert allowed.returncode == 0, allowed.stderr
    assert "UNCHECKED" in allowed.stderr
    assert remote_head(bare, env) == git(repo, env, "rev-parse", "HEAD")
