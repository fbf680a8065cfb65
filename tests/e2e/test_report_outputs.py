"""End to end: report files through the real ``gatekeeper`` command (docs/fault-matrix.md).

``audit --snapshot`` and ``check --snapshot`` evaluate a snapshot of the demo estate offline,
so nothing but the files decides the outcome.

- Several ``--output`` files are written all together or not at all (issue 10 item 10): the
  last good reports (and the GitHub job summary before them) stand in the output
  directories; a run whose second output cannot be written exits 2 and leaves every one of
  them byte for byte as it was, with no temporary file beside them.
- A fix that quotes a name with backticks stays one whole code span in the Markdown report,
  the job summary and the HTML page (issue 10 item 12). The snapshot's add-on is renamed
  ``sentry`x``y``: a name the Heroku API does not hand out, but a hostile or broken answer
  could, and snapshots are files a user may edit.
"""

from __future__ import annotations

import json
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
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
LAST_GOOD = {"a/report.json": "last good json\n", "b/report.html": "<p>last good html</p>\n"}
EARLIER_SUMMARY = "## An earlier step\n"
NAME = "sentry`x``y"
COMMAND = f"heroku addons:destroy '{NAME}' -a bio-dashboard"  # as the shell needs it
SPAN = f"```{COMMAND}```"  # a fence longer than the longest run inside


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


# -- code spans (item 12) ----------------------------------------------------------------


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    document = json.loads(dump_snapshot(demo_estate().to_facts(DEMO_ADMIN_TOKEN)))
    [addon] = [
        addon
        for app in document["apps"]
        for addon in app["addons"]
        if app["name"] == "bio-dashboard" and addon["service"] == "sentry"
    ]
    addon["name"] = NAME
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def check(snapshot: Path, *options: str, env: dict[str, str] | None = None) -> str:
    done = gatekeeper(
        *("check", "--snapshot", str(snapshot), "--app", "bio-dashboard", *options),
        cwd=snapshot.parent,
        env=env,
    )
    assert done.returncode == 1, done.stderr  # blocked: the add-on has no agreement
    assert "Traceback" not in done.stderr
    return done.stdout


def test_markdown_shows_the_whole_command_in_one_code_span(snapshot: Path) -> None:
    markdown = check(snapshot, "--format", "markdown")
    [fix] = [
        line for line in markdown.splitlines() if "addons:destroy" in line and "sentry" in line
    ]
    assert fix.startswith(f"  - Fix: Remove it: {SPAN}; ")
    assert fix.count("`") == SPAN.count("`")  # no stray backtick cut from the command


def test_the_job_summary_shows_it_the_same_way(snapshot: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    check(snapshot, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text(encoding="utf-8")
    assert f"Fix: Remove it: {SPAN}; " in text


def test_html_shows_the_whole_command_as_code(snapshot: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    check(snapshot, "--output", f"html={page}")
    html = page.read_text(encoding="utf-8")
    assert "<code>heroku addons:destroy &#x27;sentry`x``y&#x27; -a bio-dashboard</code>" in html
