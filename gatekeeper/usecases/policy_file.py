"""Which policy file a run uses, why it cannot be used when it cannot, and where it is in
the repository.

``--policy FILE``, else ``$GATEKEEPER_POLICY``, else ``./gatekeeper.toml``. A path that is
not a readable regular file is a usage error (exit 2) that says what the path is: missing, a
directory, a symbolic link loop or to nothing, not a regular file (a FIFO would block the
read forever), or not readable.

:func:`policy_source` places the file in its git work tree and finds the line that decides
each finding, for the reports that link into the repository (SARIF).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.policy import Policy
    from gatekeeper.report.policy_lines import PolicySource
    from gatekeeper.results import Report

POLICY_ENV = "GATEKEEPER_POLICY"
DEFAULT_POLICY_FILE = "gatekeeper.toml"


@dataclass(frozen=True)
class PolicyLocation:
    path: Path
    origin: str  # "--policy", "GATEKEEPER_POLICY" or "the default"

    @property
    def label(self) -> str:
        """The origin as the error messages name it (``$GATEKEEPER_POLICY``)."""
        return f"${POLICY_ENV}" if self.origin == POLICY_ENV else self.origin


def locate_policy(flag: str | None) -> PolicyLocation:
    """Where the policy is, and which setting chose it (a blank setting counts as unset)."""
    env = os.environ.get(POLICY_ENV, "").strip()
    if flag:
        return PolicyLocation(Path(flag), "--policy")
    if env:
        return PolicyLocation(Path(env), POLICY_ENV)
    return PolicyLocation(Path(DEFAULT_POLICY_FILE), "the default")


def unusable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a policy file (``"does not exist"``, ``"is a
    directory"``, ...), or None when it can."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            if os.path.islink(path):
                return f"is a symbolic link to {os.readlink(path)!r}, which does not exist"
            return "does not exist"
        if exc.errno == errno.EACCES:
            return "is not readable (permission denied)"
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    if not os.access(path, os.R_OK):
        return "is not readable (permission denied)"
    return None


def policy_path(flag: str | None) -> Path:
    """The policy file to use; ``UsageError`` (exit 2) saying what is wrong with it."""
    location = locate_policy(flag)
    problem = unusable(location.path)
    if problem is not None:
        raise UsageError(
            f"The policy file {str(location.path)!r} ({location.label}) {problem}.",
            hint=f"Give one with --policy FILE or {POLICY_ENV}, or put {DEFAULT_POLICY_FILE} "
            "in the current directory; `gatekeeper policy init` writes a starting one from an "
            "example.",
        )
    return location.path


def open_policy(flag: str | None) -> Policy:
    """The policy the run uses, loaded and validated (``PolicyError`` lists every problem)."""
    from gatekeeper.policy import load_policy

    return load_policy(policy_path(flag))


def policy_source(policy: Policy, report: Report, cwd: Path | None = None) -> PolicySource | None:
    """Where the policy file of ``report`` is, relative to the top of its git work tree (else
    to ``cwd``, the directory the run started in), with the line that decides each finding.

    None for a policy that was not loaded from a file (or whose file is gone). Never raises:
    the file is read again for the lines, and if it cannot be, or is no longer the text that
    was judged (its SHA-256 differs), the findings simply have no lines."""
    from gatekeeper.git.toplevel import toplevel
    from gatekeeper.report.policy_lines import PolicyLine, PolicySource, finding_lines

    if not policy.source_path:
        return None
    try:
        start = Path(os.path.abspath(cwd or Path.cwd()))
        path = Path(os.path.abspath(start / policy.source_path))
        if not path.is_file():  # also keeps a FIFO put in its place from blocking the read
            return None
    except OSError:  # the directory of the run is gone, or the file cannot be looked at
        return None
    # Not in a work tree: the directory of the run, or the policy's own when it lies outside.
    root = toplevel(path.parent) or (start if path.is_relative_to(start) else path.parent)
    lines: dict[str, PolicyLine] = {}
    try:
        data: bytes | None = path.read_bytes()
    except OSError:
        data = None
    if data is not None and hashlib.sha256(data).hexdigest() == policy.sha256:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
        lines = finding_lines(policy, text, report.all_findings())
    root_uri = root.as_uri()
    return PolicySource(
        path=path.relative_to(root).as_posix(),
        root_uri=root_uri if root_uri.endswith("/") else root_uri + "/",
        lines=lines,
    )
