"""What the installed pre-push hook runs: resolve the app a push goes to, then run ``check``.

``gatekeeper hook run-pre-push REMOTE URL`` calls ``run_pre_push``. It is also the entry of
the pre-commit framework hook, which passes no arguments but sets ``PRE_COMMIT_REMOTE_NAME``
and ``PRE_COMMIT_REMOTE_URL``.

The decision comes from ``gatekeeper check --app NAME`` run as a subprocess in the work
tree root (so ``gatekeeper.toml`` there is found), with stdout and stderr inherited:

- exit 0: the push proceeds; 1: the push is refused (the check printed why);
- exit 2, 3, 4 (or the check could not be started): refused, with a line saying why,
  unless ``git config gatekeeper.failOpen true``: then it proceeds, and says so.

A push to the remote named ``heroku`` whose app cannot be told (``TargetKind.UNRESOLVED``)
is refused the same way, with the setting that names the app, and proceeds only under
``gatekeeper.failOpen``.

The check runs as ``$GATEKEEPER_BIN check ...`` when that is set, else with the Python that
runs this code (``python -m gatekeeper check ...``), so a virtualenv need not be on PATH.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from gatekeeper.errors import EXIT_ALLOW, EXIT_BLOCK
from gatekeeper.git.hook import FAIL_OPEN_KEY
from gatekeeper.git.remotes import (
    DEFAULT_REMOTE,
    GitRepository,
    TargetKind,
    resolve_push_target,
    shown,
)
from gatekeeper.redact import redact

EXIT_MEANINGS = {
    2: "usage error or invalid policy",
    3: "could not evaluate: API, network or credentials",
    4: "a bug in gatekeeper",
}


def pushes_commits(ref_lines: str) -> bool:
    """Whether the ref lines git gives a pre-push hook update anything (not only delete).

    Each line is ``<local ref> <local object name> <remote ref> <remote object name>``; a
    deletion has an all-zero local object name (40 zeros, or 64 in a SHA-256 repository).
    A line that cannot be read counts as an update (when unsure, check).
    """
    for line in ref_lines.splitlines():
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 2 or fields[1].strip("0"):
            return True
    return False


def gatekeeper_command(env: Mapping[str, str]) -> list[str]:
    """How to run gatekeeper itself: ``$GATEKEEPER_BIN`` (one path, never split), else us."""
    configured = env.get("GATEKEEPER_BIN")
    if configured:
        return [configured]
    return [sys.executable, "-m", "gatekeeper"]


def remote_from_environment(env: Mapping[str, str], repo: GitRepository) -> tuple[str, str] | None:
    """The remote and URL when no arguments were given: pre-commit's variables, else ``heroku``.

    pre-commit sets ``PRE_COMMIT_REMOTE_NAME``/``PRE_COMMIT_REMOTE_URL`` for its pre-push
    stage; run by hand (``pre-commit run --hook-stage pre-push``) there are none, and the
    remote ``heroku`` is checked when it exists.
    """
    name = env.get("PRE_COMMIT_REMOTE_NAME")
    url = env.get("PRE_COMMIT_REMOTE_URL")
    if name and url:
        return name, url
    default_url = repo.remote_push_url(DEFAULT_REMOTE)
    if default_url is None:
        return None
    return DEFAULT_REMOTE, default_url


def run_pre_push(
    remote: str,
    url: str,
    ref_lines: str | None,
    *,
    repo_dir: Path,
    env: Mapping[str, str] | None = None,
) -> int:
    """Decide one push; returns 0 to let it proceed and 1 to refuse it.

    ``ref_lines`` is what git gave the hook on stdin (None when unknown, as under
    pre-commit, which skips deletion-only pushes itself).
    """
    environment = os.environ if env is None else env
    if ref_lines is not None and not pushes_commits(ref_lines):
        return EXIT_ALLOW

    repo = GitRepository(repo_dir)
    root = repo.toplevel() or repo_dir
    repo = GitRepository(root)
    target = resolve_push_target(remote, url, repo.config, repo.configured_urls(remote))
    where = shown(redact(remote))

    if target.kind is TargetKind.NOT_HEROKU:
        return EXIT_ALLOW
    if target.kind is TargetKind.UNRESOLVED:
        # A remote named heroku is taken for a push to Heroku: not knowing the app is not
        # knowing whether the push is allowed.
        if repo.config_bool(FAIL_OPEN_KEY):
            _say(
                f"cannot tell which Heroku app the push to {where} goes to: {target.reason} "
                f"git config {FAIL_OPEN_KEY} is true, so the push proceeds UNCHECKED."
            )
            return EXIT_ALLOW
        _say(
            f"push to {where} refused: cannot tell which Heroku app it goes to: "
            f"{target.reason} The gatekeeper fails closed. Name the app and push again: "
            f"git config remote.{DEFAULT_REMOTE}.gatekeeper-app NAME. To let such pushes "
            f"through unchecked, set: git config {FAIL_OPEN_KEY} true"
        )
        return EXIT_BLOCK
    if target.kind is TargetKind.INVALID or target.app is None:
        _say(f"push to {where} refused: {target.reason}")
        return EXIT_BLOCK

    app = target.app
    command = [*gatekeeper_command(environment), "check", "--app", app]
    _say(f"checking Heroku app {app!r} ({target.source}) before the push to {where}")
    try:
        completed = subprocess.run(
            command, cwd=root, stdin=subprocess.DEVNULL, env=dict(environment), check=False
        )
        code: int | None = completed.returncode
    except OSError as exc:
        _say(f"could not run {shown(command[0])}: {exc.strerror or exc}.")
        code = None

    if code == EXIT_ALLOW:
        return EXIT_ALLOW
    if code == EXIT_BLOCK:
        _say(f"push to {where} refused: Heroku app {app!r} did not pass the check (see above).")
        return EXIT_BLOCK

    meaning = EXIT_MEANINGS.get(code, "unexpected exit") if code is not None else "not started"
    status = f"exit {code}: {meaning}" if code is not None else meaning
    if repo.config_bool(FAIL_OPEN_KEY):
        _say(
            f"could not check Heroku app {app!r} ({status}); git config {FAIL_OPEN_KEY} is "
            "true, so the push proceeds UNCHECKED."
        )
        return EXIT_ALLOW
    _say(
        f"push to {where} refused: could not check Heroku app {app!r} ({status}); the "
        "gatekeeper fails closed. Fix the problem above and push again; to let pushes "
        f"through when the check cannot run, set: git config {FAIL_OPEN_KEY} true"
    )
    return EXIT_BLOCK


def run_from_cli(args: Sequence[str], stdin_text: str | None, *, repo_dir: Path) -> int:
    """The ``hook run-pre-push`` command: git's two arguments, or none under pre-commit."""
    repo = GitRepository(repo_dir)
    if len(args) == 2:
        remote, url = args
        return run_pre_push(remote, url, stdin_text, repo_dir=repo_dir)
    found = remote_from_environment(os.environ, repo)
    if found is None:
        _say(f"nothing to check: no remote given and no remote named {DEFAULT_REMOTE!r}.")
        return EXIT_ALLOW
    remote, url = found
    return run_pre_push(remote, url, None, repo_dir=repo_dir)


def _say(message: str) -> None:
    print(f"gatekeeper: {redact(message)}", file=sys.stderr, flush=True)
