"""A damaged SQLite history, end to end: the real ``gatekeeper`` program on a real file.

Each test records real audits (``gatekeeper audit --snapshot``, a snapshot of the
simulator's demo estate written to a file), damages the file the way a crash, a disk or a
hand edit can, and runs ``python -m gatekeeper`` in a subprocess with nothing patched. The
answer is exit 3 with one paragraph that names the store and, where one row is damaged, the
audit: never a traceback, never exit 4 ("bug").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gatekeeper.simulator import demo_estate
from gatekeeper.snapshot import dump_snapshot

ROOT = Path(__file__).resolve().parents[3]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
DAMAGED = "It may have been damaged, or written by another version of gatekeeper: restore"


def gatekeeper(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU", "GATEKEEPER"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), GATEKEEPER_POLICY=str(POLICY))
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "gatekeeper", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class History:
    """A history file holding two recorded audits of ``--all`` (ids 1 and 2)."""

    def __init__(self, tmp_path: Path, snapshot: Path) -> None:
        self.home = tmp_path / "home"
        self.path = tmp_path / "history.sqlite3"
        self.snapshot = snapshot

    def audit(self) -> subprocess.CompletedProcess[str]:
        return gatekeeper(
            "audit",
            "--all",
            "--snapshot",
            str(self.snapshot),
            "--since-last",
            "--store",
            f"sqlite:///{self.path}",
            home=self.home,
        )

    def history(self, *args: str) -> subprocess.CompletedProcess[str]:
        return gatekeeper("history", "--store", str(self.path), *args, home=self.home)

    def damage(self, statement: str) -> None:
        conn = sqlite3.connect(self.path)
        try:
            conn.execute("PRAGMA ignore_check_constraints = ON")
            conn.execute(statement)
            conn.commit()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> History:
    """Recorded once: the real audits that a test then damages in a copy of the file."""
    tmp_path = tmp_path_factory.mktemp("recorded")
    snapshot = tmp_path / "estate.json"
    snapshot.write_text(dump_snapshot(demo_estate().to_facts()), encoding="utf-8")
    original = History(tmp_path, snapshot)
    for _ in range(2):
        done = original.audit()
        assert done.returncode == 1, done.stderr  # the demo estate blocks
        assert "recorded as audit #" in done.stderr
    return original


@pytest.fixture
def history(recorded: History, tmp_path: Path) -> History:
    copy = History(tmp_path, recorded.snapshot)
    shutil.copyfile(recorded.path, copy.path)  # closed cleanly: no -wal file to copy
    assert not recorded.path.with_name(recorded.path.name + "-wal").exists()
    return copy


def assert_one_clear_paragraph(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "hit a bug" not in done.stderr
    assert done.stdout == ""  # no half-written listing or JSON document
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gatekeeper: error: "), done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def break_the_pages(history: History) -> None:
    """Overwrite the middle of the file, below the rows: SQLite finds it malformed."""
    with history.path.open("r+b") as file:
        file.seek(2 * 4096)
        file.write(b"\xde\xad" * 2048)


DAMAGES: dict[str, tuple[Callable[[History], None], tuple[str, ...], tuple[str, ...]]] = {
    # name: (damage, history arguments, what the message says)
    "schema version not a number": (
        lambda h: h.damage("UPDATE meta SET value = 'two' WHERE key = 'schema_version'"),
        (),
        ("The schema version in the history store", "schema_version is 'two', not a whole"),
    ),
    "timestamp unreadable": (
        lambda h: h.damage("UPDATE audits SET recorded_at = 'yesterday' WHERE id = 2"),
        (),
        ("Audit #2 in the history store", "recorded_at is not an ISO 8601 timestamp", DAMAGED),
    ),
    "text not UTF-8": (
        lambda h: h.damage("UPDATE audits SET source = CAST(X'C328' AS TEXT) WHERE id = 1"),
        ("--format", "json"),
        ("Audit #1 in the history store", "source is not UTF-8 text"),
    ),
    "report not zlib": (
        lambda h: h.damage("UPDATE audits SET report_zlib = X'00FF' WHERE id = 1"),
        ("--show", "1"),
        ("Audit #1 in the history store", "report_zlib is not zlib data"),
    ),
    "report JSON unreadable": (
        lambda h: h.damage("UPDATE audits SET report_zlib = NULL, report_json = '{' WHERE id = 2"),
        ("--show", "2", "--format", "json"),
        ("Audit #2 in the history store", "problem(s), first:", DAMAGED),
    ),
    "pages malformed": (
        break_the_pages,
        (),
        ("Could not open the history store", "database disk image is malformed", "backup"),
    ),
}


@pytest.mark.parametrize("name", list(DAMAGES))
def test_history_on_a_damaged_store_is_exit_3_with_the_store_and_the_audit(
    history: History, name: str
) -> None:
    damage, args, fragments = DAMAGES[name]
    assert history.history(*args).returncode == 0  # readable before the damage
    damage(history)
    assert_one_clear_paragraph(history.history(*args), str(history.path), *fragments)


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        ("UPDATE audits SET generated_at = 'soon' WHERE id = 2", "Audit #2 in the history store"),
        (
            "UPDATE audit_findings SET fingerprint = CAST(X'FF' AS TEXT)"
            " WHERE rowid = (SELECT min(rowid) FROM audit_findings WHERE audit_id = 2)",
            "A finding of audit #2 in the history store",
        ),
        (
            "UPDATE audits SET open_findings_indexed = 0, report_zlib = X'00' WHERE id = 2",
            "Audit #2 in the history store",
        ),
        (
            "UPDATE meta SET value = '2.0' WHERE key = 'schema_version'",
            "The schema version in the history store",
        ),
    ],
    ids=["summary", "finding-row", "version-1-report", "schema-version"],
)
def test_audit_since_last_on_a_damaged_store_says_so_and_never_crashes(
    history: History, statement: str, fragment: str
) -> None:
    """Whether the audit still reports (its comparison impossible) is the use case's
    decision; the store's part is a clear store error, never a bug."""
    history.damage(statement)
    done = history.audit()
    assert done.returncode not in (0, 4), done.stderr
    assert "Traceback" not in done.stderr and "hit a bug" not in done.stderr
    assert f"{fragment} {history.path} could not be read" in done.stderr
