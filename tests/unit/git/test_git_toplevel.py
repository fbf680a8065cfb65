"""The top of a work tree, found by walking up to ``.git``: the same answer as ``git
rev-parse --show-toplevel`` in a clone, a linked worktree and a submodule-like layout."""

from __future__ import annotations

from pathlib import Path

from hooktest_support import git

from gatekeeper.git.toplevel import toplevel


def _git_says(directory: Path) -> Path:
    return Path(git(directory, "rev-parse", "--show-toplevel").stdout.strip())


def test_a_clone_and_a_linked_worktree(tmp_path: Path, git_program: str) -> None:
    repo = tmp_path / "repo"
    deep = repo / "config" / "policies"
    deep.mkdir(parents=True)
    git(tmp_path, "init", "-q", str(repo))
    git(repo, "commit", "-q", "--allow-empty", "-m", "start")
    assert toplevel(deep) == repo == _git_says(deep).resolve()
    assert toplevel(repo) == repo

    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked))
    assert (linked / ".git").is_file()  # a file, not a directory, in a linked worktree
    (linked / "sub").mkdir()
    assert toplevel(linked / "sub") == linked == _git_says(linked / "sub").resolve()


def test_the_nearest_work_tree_wins(tmp_path: Path, git_program: str) -> None:
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "vendor" / "inner"
    inner.mkdir(parents=True)
    git(tmp_path, "init", "-q", str(outer))
    git(tmp_path, "init", "-q", str(inner))
    assert toplevel(inner) == inner
    assert toplevel(outer / "vendor") == outer


def test_outside_any_work_tree(tmp_path: Path) -> None:
    if toplevel(tmp_path) is not None:
        return  # the temporary directory itself is inside a work tree: nothing to show
    assert toplevel(tmp_path / "no" / "such" / "dir") is None
