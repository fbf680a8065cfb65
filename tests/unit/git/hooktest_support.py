"""Helpers for the git tests (imported by name: pytest puts this directory on sys.path)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``cwd`` with the test environment; raises on failure unless told not to."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ),
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result


def push(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``git push ARGS`` in ``repo``; output captured, exit code not checked."""
    return subprocess.run(
        ["git", "push", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env if env is not None else dict(os.environ),
    )


def commit(repo: Path, message: str) -> str:
    """Make an empty commit; returns its object name."""
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def remote_head(bare: Path, branch: str = "main") -> str | None:
    """The object name of ``branch`` in the bare repository, or None when it has none."""
    result = git(bare, "rev-parse", "--verify", "-q", f"refs/heads/{branch}", check=False)
    return result.stdout.strip() or None


@dataclass
class FakeGatekeeper:
    """A recording stand-in for the gatekeeper program."""

    path: Path
    log: Path

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def check_calls(self) -> list[list[str]]:
        return [call["argv"] for call in self.calls() if call["argv"][:1] == ["check"]]
