"""Install and uninstall the git pre-push hook, and the text of the hook script.

The hook is a POSIX ``sh`` script, so it starts fast and needs nothing but git to decide
that a push to GitHub does not concern Heroku. For a push that may concern Heroku it runs
``gatekeeper hook run-pre-push REMOTE URL`` (``gatekeeper.git.prepush``), which resolves the
app and runs ``gatekeeper check --app NAME``.

Where the hook goes: ``git rev-parse --git-path hooks``, which honours ``core.hooksPath``
(relative paths are relative to the work tree root) and linked worktrees (hooks are shared
with the main repository).

An existing hook that we did not write (no ``MARKER`` line) is never overwritten silently:
``install`` refuses, unless ``chain`` (the old hook moves to ``pre-push.local`` and runs
first, with the same arguments and ref lines) or ``force`` (it is replaced; a copy is kept
as ``pre-push.backup``). ``uninstall`` removes only a hook carrying the marker and puts a
chained hook back in place.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gatekeeper import __version__
from gatekeeper.errors import UsageError
from gatekeeper.git.remotes import GitRepository

MARKER = "# installed by heroku-gatekeeper"
"""The line that marks a hook script as ours; ``uninstall`` removes nothing without it."""

HOOK_NAME = "pre-push"
CHAINED_NAME = "pre-push.local"
BACKUP_NAME = "pre-push.backup"
FAIL_OPEN_KEY = "gatekeeper.failOpen"

_HOOK_TEMPLATE = r"""#!/bin/sh
__MARKER__
#
# git pre-push hook of heroku-gatekeeper __VERSION__. It checks every push to a Heroku
# remote with `gatekeeper check --app NAME` and lets pushes to other remotes pass
# untouched. Written by `gatekeeper hook install`, removed by `gatekeeper hook uninstall`;
# edits here are lost on the next install.
#
# git passes the remote name and URL as arguments and the pushed refs on stdin. Nothing
# taken from them is ever executed: they are only compared, and passed on quoted.

remote=$1
url=$2
# The Python that gatekeeper was installed with, for when `gatekeeper` is not on PATH.
install_python=__PYTHON__

# stdin can be read only once: keep the ref lines for the chained hook and for gatekeeper.
refs=$(cat)

replay_refs() {
    if [ -n "$refs" ]; then printf '%s\n' "$refs"; fi
}

say() {
    printf 'gatekeeper: %s\n' "$*" >&2
}

fail_open() {
    [ "$(git config --bool --get gatekeeper.failOpen 2>/dev/null)" = true ]
}

refuse() {
    if fail_open; then
        say "git config gatekeeper.failOpen is true, so the push proceeds UNCHECKED."
        exit 0
    fi
    say "The push is refused (fail closed). To let pushes through when gatekeeper cannot" \
        "run, set: git config gatekeeper.failOpen true"
    exit 1
}

runnable() {
    case $1 in
        */*) [ -f "$1" ] && [ -x "$1" ] ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

# 1. A hook that was here before `gatekeeper hook install --chain` runs first, as git
#    would have run it; if it refuses the push, so do we.
case $0 in
    */*) hook_dir=${0%/*} ;;
    *) hook_dir=. ;;
esac
if [ -f "$hook_dir/__CHAINED__" ] && [ -x "$hook_dir/__CHAINED__" ]; then
    replay_refs | "$hook_dir/__CHAINED__" "$@" || exit $?
fi

# 2. Only a push that may concern Heroku goes on (a Heroku-shaped URL, the remote named
#    heroku, or a remote with git config remote.<name>.gatekeeper-app); gatekeeper makes
#    the exact decision. Everything else passes without starting anything. git rewrites
#    URLs (url.<base>.insteadOf, pushInsteadOf) before it calls the hook, so the remote as
#    typed and its URLs as configured count too.
heroku_shaped() {
    case $1 in
        *[Hh][Ee][Rr][Oo][Kk][Uu].[Cc][Oo][Mm][:/]*) return 0 ;;
    esac
    return 1
}
candidate=no
if heroku_shaped "$url"; then
    candidate=yes
elif [ "$remote" != "$url" ]; then
    if [ "$remote" = heroku ] || heroku_shaped "$remote"; then
        candidate=yes
    elif [ -n "$(git config --get "remote.$remote.gatekeeper-app" 2>/dev/null)" ]; then
        candidate=yes
    elif heroku_shaped "$(git config --get-all "remote.$remote.pushurl" 2>/dev/null)" ||
        heroku_shaped "$(git config --get-all "remote.$remote.url" 2>/dev/null)"; then
        candidate=yes
    fi
fi
[ "$candidate" = yes ] || exit 0

# 3. A push that only deletes refs (every local object name is all zeros) ships no code.
pushes_commits=no
while read -r _local_ref local_sha _rest; do
    case $local_sha in
        *[!0]*) pushes_commits=yes ;;
    esac
done <<EOF
$refs
EOF
[ "$pushes_commits" = yes ] || exit 0

# 4. Find gatekeeper: $GATEKEEPER_BIN if set, else `gatekeeper` on PATH, else the Python it
#    was installed with (a virtualenv that is not on PATH).
if [ -n "${GATEKEEPER_BIN:-}" ]; then
    if ! runnable "$GATEKEEPER_BIN"; then
        say "cannot check this push: GATEKEEPER_BIN is set to '$GATEKEEPER_BIN', which is" \
            "not a program that can be run."
        refuse
    fi
    set -- "$GATEKEEPER_BIN"
elif runnable gatekeeper; then
    set -- gatekeeper
elif [ -x "$install_python" ] && "$install_python" -c 'import gatekeeper' >/dev/null 2>&1; then
    set -- "$install_python" -m gatekeeper
else
    say "cannot check this push: the gatekeeper program was not found. It is not on PATH," \
        "and the Python it was installed with ($install_python) no longer has it."
    say "Reinstall heroku-gatekeeper, or point GATEKEEPER_BIN at the gatekeeper program."
    refuse
fi

# 5. gatekeeper decides: exit 0 lets the push through, 1 refuses it.
replay_refs | "$@" hook run-pre-push "$remote" "$url"
status=$?
if [ "$status" -le 1 ]; then
    exit "$status"
fi
say "the pre-push check could not run (gatekeeper exited with $status)."
refuse
"""


def render_hook_script(python: str | None = None) -> str:
    """The hook script; ``python`` is the interpreter recorded as the fallback (default: ours)."""
    interpreter = python if python is not None else sys.executable
    return (
        _HOOK_TEMPLATE.replace("__MARKER__", MARKER)
        .replace("__VERSION__", __version__)
        .replace("__PYTHON__", shlex.quote(interpreter))
        .replace("__CHAINED__", CHAINED_NAME)
    )


def is_ours(path: Path) -> bool:
    """Whether the hook at ``path`` carries our marker line (read through symlinks)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return False
    return any(line.strip() == MARKER.encode() for line in head.splitlines())


@dataclass(frozen=True)
class HookLocation:
    """Where the pre-push hook of a repository lives."""

    repo_root: Path
    hooks_dir: Path
    hooks_path_config: str | None  # core.hooksPath when set: the hook is shared by its users

    @property
    def hook(self) -> Path:
        return self.hooks_dir / HOOK_NAME

    @property
    def chained(self) -> Path:
        return self.hooks_dir / CHAINED_NAME


def locate(repo_dir: Path) -> HookLocation:
    """Find the hooks directory of the work tree containing ``repo_dir``."""
    repo = GitRepository(repo_dir)
    root = repo.toplevel()
    if root is None:
        raise UsageError(
            f"{repo_dir} is not inside a git work tree.",
            hint="Run `gatekeeper hook install` inside the repository you push to Heroku from.",
        )
    result = GitRepository(root).run("rev-parse", "--git-path", "hooks")
    if result.returncode != 0 or not result.stdout.strip():
        raise UsageError(
            f"git could not tell where the hooks of {root} are: {result.stderr.strip()}"
        )
    hooks_dir = Path(result.stdout.strip())
    if not hooks_dir.is_absolute():
        # git prints it relative to the directory it ran in: the work tree root.
        hooks_dir = root / hooks_dir
    return HookLocation(
        repo_root=root,
        hooks_dir=hooks_dir,
        hooks_path_config=GitRepository(root).config("core.hooksPath"),
    )


@dataclass(frozen=True)
class InstallResult:
    """What ``install_hook`` did, for the command to report."""

    location: HookLocation
    updated: bool  # our hook was already there and was rewritten
    chained: Path | None  # an existing hook moved here, run first
    backup: Path | None  # an existing hook replaced with --force, kept here
    fail_open: bool  # the mode now in force (git config gatekeeper.failOpen)


def install_hook(
    repo_dir: Path,
    *,
    force: bool = False,
    chain: bool = False,
    fail_open: bool = False,
    python: str | None = None,
) -> InstallResult:
    """Write the pre-push hook into the repository at ``repo_dir``.

    Raises ``UsageError`` instead of overwriting a hook we did not write, unless ``chain``
    or ``force``. Installing over our own hook rewrites it (the chained hook stays).
    ``fail_open`` sets ``git config gatekeeper.failOpen true``; without it the setting is
    left as it is.
    """
    if force and chain:
        raise UsageError("--force and --chain exclude each other: replace the hook, or keep it.")
    location = locate(repo_dir)
    hook = location.hook
    if hook.is_dir():
        raise UsageError(f"{hook} is a directory; remove it and install again.")

    updated = False
    chained: Path | None = None
    backup: Path | None = None
    if os.path.lexists(hook):
        if is_ours(hook):
            updated = True
        elif chain:
            if os.path.lexists(location.chained):
                raise UsageError(
                    f"Cannot chain: {location.chained} already exists.",
                    hint="Merge it with the current pre-push hook by hand, then install again.",
                )
            os.replace(hook, location.chained)
            chained = location.chained
        elif force:
            backup = _free_name(location.hooks_dir / BACKUP_NAME)
            os.replace(hook, backup)
        else:
            raise UsageError(_foreign_hook_message(hook))

    location.hooks_dir.mkdir(parents=True, exist_ok=True)
    _write_executable(hook, render_hook_script(python))

    repo = GitRepository(location.repo_root)
    if fail_open:
        result = repo.run("config", FAIL_OPEN_KEY, "true")
        if result.returncode != 0:
            raise UsageError(f"Could not set git config {FAIL_OPEN_KEY}: {result.stderr.strip()}")
    return InstallResult(
        location=location,
        updated=updated,
        chained=chained,
        backup=backup,
        fail_open=repo.config_bool(FAIL_OPEN_KEY),
    )


@dataclass(frozen=True)
class UninstallResult:
    """What ``uninstall_hook`` did."""

    location: HookLocation
    removed: bool  # False: there was no hook to remove
    restored: Path | None  # the chained hook put back as pre-push


def uninstall_hook(repo_dir: Path) -> UninstallResult:
    """Remove our pre-push hook and put a chained hook back; never touch a foreign hook."""
    location = locate(repo_dir)
    hook = location.hook
    if not os.path.lexists(hook):
        return UninstallResult(location=location, removed=False, restored=None)
    if not is_ours(hook):
        raise UsageError(
            f"{hook} was not installed by heroku-gatekeeper (it has no "
            f"{MARKER!r} line); it was left alone.",
        )
    hook.unlink()
    restored: Path | None = None
    if os.path.lexists(location.chained):
        os.replace(location.chained, hook)
        restored = hook
    return UninstallResult(location=location, removed=True, restored=restored)


def _foreign_hook_message(hook: Path) -> str:
    text = ""
    with contextlib.suppress(OSError):
        text = hook.read_text(errors="replace")[: 64 * 1024]
    lines = [
        f"{hook} already exists and was not installed by heroku-gatekeeper; it was left alone.",
        "Run `gatekeeper hook install --chain` to keep it (it moves to "
        f"{CHAINED_NAME} and runs first), or `gatekeeper hook install --force` to replace "
        f"it (a copy is kept as {BACKUP_NAME}).",
    ]
    if "pre-commit" in text:
        lines.append(
            "It looks like the pre-commit framework's hook: instead, add the "
            "`gatekeeper-check` hook to .pre-commit-config.yaml (see docs/hooks-and-ci.md)."
        )
    return " ".join(lines)


def _free_name(path: Path) -> Path:
    """``path``, or ``path.1``, ``path.2``, ... whichever does not exist yet."""
    candidate = path
    counter = 0
    while os.path.lexists(candidate):
        counter += 1
        candidate = path.with_name(f"{path.name}.{counter}")
    return candidate


def _write_executable(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, executable by everyone who can read it."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        mode = stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
        tmp.chmod(mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
