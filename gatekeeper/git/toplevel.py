"""The top level of the git work tree a file is in, found without running git.

SARIF results point at files relative to the repository root, which is where GitHub code
scanning resolves them, whatever directory the run started in. ``git rev-parse
--show-toplevel`` would need git on the machine (a release dyno has none) and a subprocess per
run; walking up to the first directory that holds ``.git`` gives the same answer for the
layouts a repository has: ``.git`` is a directory in a plain clone and a file in a linked
worktree or a submodule, and both mark the top of a work tree.
"""

from __future__ import annotations

import os
from pathlib import Path


def toplevel(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` (absolute) that holds ``.git``, else None.

    ``start`` is not resolved: the answer is on the same path as the file the user named, so
    a path below it stays relative to it. Unreadable directories count as not holding
    ``.git``; the walk never raises."""
    directory = start
    while True:
        if os.path.lexists(directory / ".git"):
            return directory
        if directory.parent == directory:
            return None
        directory = directory.parent
