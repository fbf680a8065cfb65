"""End to end: several ``--output`` files are written all together or not at all
(docs/fault-matrix.md, issue 10 item 10), through the real ``gatekeeper`` command on real files.

``audit --snapshot`` evaluates a snapshot of the demo estate offline, so nothing but the files
decides the outcome. The last good reports (and the GitHub job summary before them) stand in
the output directories; a run whose second output cannot be written exits 2 and leaves every
one of them byte for byte as it was, with no temporary file beside them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, demo_estate
from gatekeeper.snapshot import dump_snapshot

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "university.toml"
LAST_GOOD = {"a/report.json": "last good json\n", "b/report.html": "<p>last good html</p>\n"}
EARLIER_SUMMARY = "## An earlier step\n"


def gatekeeper(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed console script, with this checkout's code first on the path."""
    return subprocess.run(
        [sys.executable, "-m", "gatekeeper", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "GATEKEEPER_POLICY": str(POLICY),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            **(env or {}),
        },
    )


def audit_with_two_outputs(root: Path) -> subprocess.CompletedProcess[str]:
    """``audit --snapshot`` with annotations on stdout, the JSON report in ``a/``, the HTML
    report in ``b/`` and the job summary, as a GitHub workflow would run it."""
    return gatekeeper(
        *("audit", "--snapshot", "estate.json", "--no-history", "--format", "github"),
        *("--output", "json=a/report.json", "--output", "html=b/report.html"),
        cwd=root,
        env={"GITHUB_STEP_SUMMARY": str(root / "summary.md")},
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "estate.json").write_text(
        dump_snapshot(demo_estate().to_facts(DEMO_ADMIN_TOKEN)), encoding="utf-8"
    )
    for name, text in LAST_GOOD.items():
        (tmp_path / name).parent.mkdir()
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "summary.md").write_text(EARLIER_SUMMARY, encoding="utf-8")
    return tmp_path


def _file_in_place_of_dir(root: Path) -> None:
    """``b`` is a file, so ``b/report.html`` cannot be created (ENOTDIR)."""
    (root / "b" / "report.html").unlink()
    (root / "b").rmdir()
    (root / "b").write_text("not a directory\n", encoding="utf-8")


def _missing_dir(root: Path) -> None:
    (root / "b" / "report.html").unlink()
    (root / "b").rmdir()


def _read_only_dir(root: Path) -> None:
    (root / "b").chmod(0o500)
    probe = root / "b" / "probe"
    try:  # root (and some CI containers) may write anyway: nothing to test then
        probe.write_text("", encoding="utf-8")
    except PermissionError:
        return
    probe.unlink()
    (root / "b").chmod(0o700)
    pytest.skip("this user can write into a read-only directory")


def _target_is_a_directory(root: Path) -> None:
    (root / "b" / "report.html").unlink()
    (root / "b" / "report.html").mkdir()


BREAKAGES: dict[str, Callable[[Path], None]] = {
    "read-only directory": _read_only_dir,
    "missing directory": _missing_dir,
    "file in place of the directory": _file_in_place_of_dir,
    "target is a directory": _target_is_a_directory,
}


def _snapshot_of(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "estate.json"
    }


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_failed_second_output_leaves_every_output_as_it_was(
    workspace: Path, breakage: str
) -> None:
    BREAKAGES[breakage](workspace)
    before = _snapshot_of(workspace)
    try:
        done = audit_with_two_outputs(workspace)
    finally:
        if (workspace / "b").is_dir():
            (workspace / "b").chmod(0o700)
    assert done.returncode == 2, done.stderr
    assert "Could not write b/report.html" in done.stderr
    assert "Traceback" not in done.stderr
    assert _snapshot_of(workspace) == before  # a/report.json and the job summary included
    assert done.stdout == ""  # nothing printed for a run whose outputs were not written
    leftovers = [p.name for p in workspace.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_when_every_output_can_be_written_all_are_replaced(workspace: Path) -> None:
    done = audit_with_two_outputs(workspace)
    assert done.returncode == 1, done.stderr  # the demo estate has blocked apps
    assert (workspace / "a" / "report.json").read_text(encoding="utf-8").startswith("{\n")
    assert "gatekeeper.report/v1" in (workspace / "b" / "report.html").read_text(encoding="utf-8")
    summary = (workspace / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith(EARLIER_SUMMARY + "\n### ")
    assert done.stdout.startswith("BLOCK")
