"""The SQLite history store: the shared contract, plus WAL, crashes, locks and bad files."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_store_contract import Damage, StoreContract, StoreFactory, make_report, run_together

from gatekeeper import serial
from gatekeeper.errors import UsageError
from gatekeeper.store import StoreError, StoreSchemaError
from gatekeeper.store.interface import SCHEMA_VERSION
from gatekeeper.store.schema import MIGRATIONS
from gatekeeper.store.sql import render
from gatekeeper.store.sqlite import SQLiteDialect, SQLiteStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "history.sqlite3"


@pytest.fixture
def store_factory(db_path: Path) -> Iterator[StoreFactory]:
    opened: list[SQLiteStore] = []

    def factory() -> SQLiteStore:
        store = SQLiteStore(db_path)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def damage(db_path: Path) -> Damage:
    def run(statement: str, *params: object) -> None:
        conn = sqlite3.connect(db_path)
        try:
            conn.execute("PRAGMA ignore_check_constraints = ON")  # damage may break them
            conn.execute(render(SQLiteDialect(db_path), statement), params)
            conn.commit()
        finally:
            conn.close()

    return run


class TestSQLiteContract(StoreContract):
    pass


def test_creates_the_directory_and_uses_wal(db_path: Path) -> None:
    store = SQLiteStore(db_path)
    try:
        assert db_path.is_file()
        conn = sqlite3.connect(db_path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[
            0
        ] == str(SCHEMA_VERSION)
        conn.close()
    finally:
        store.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_new_store_is_private_to_its_owner(db_path: Path) -> None:
    store = SQLiteStore(db_path)
    try:
        store.record(make_report(1), scope="all", source="s")
        for path in (db_path, db_path.with_name(db_path.name + "-wal")):
            assert path.stat().st_mode & 0o777 == 0o600, path
        assert db_path.parent.stat().st_mode & 0o777 == 0o700
    finally:
        store.close()


def test_a_killed_process_leaves_no_partial_record(db_path: Path) -> None:
    """The process dies (no cleanup at all) between INSERT and COMMIT."""
    store = SQLiteStore(db_path)
    first = store.record(make_report(1), scope="all", source="s")
    store.close()
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_store_contract import make_report
        from gatekeeper.store import _rows
        from gatekeeper.store.sqlite import SQLiteStore

        def die(row):
            os._exit(17)  # like SIGKILL: no rollback, no close

        store = SQLiteStore({str(db_path)!r})
        _rows.record_from_row = die
        store.record(make_report(2), scope="all", source="s")
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 17, result.stderr
    reopened = SQLiteStore(db_path)
    try:
        assert reopened.list() == [first]
        latest = reopened.latest("all")
        assert latest is not None and latest.report == make_report(1)
        assert reopened.record(make_report(3), scope="all", source="s").id == first.id + 1
    finally:
        reopened.close()


def test_a_busy_store_fails_clearly_after_the_timeout(db_path: Path) -> None:
    SQLiteStore(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    store = SQLiteStore(db_path, busy_timeout=0.05)
    try:
        with pytest.raises(StoreError) as info:
            store.record(make_report(1), scope="all", source="s")
        assert "locked" in str(info.value) and "try again" in str(info.value)
        assert info.value.exit_code == 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()
    assert SQLiteStore(db_path).list() == []


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not SQLite\n" * 100)
    with pytest.raises(StoreError) as info:
        SQLiteStore(path)
    assert info.value.exit_code == 3
    assert str(path) in str(info.value) and "not a database" in str(info.value)


def test_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        SQLiteStore(tmp_path)
    assert "is a directory" in str(info.value)


def test_a_path_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as info:
        SQLiteStore(blocker / "history.sqlite3")
    assert info.value.exit_code == 3


def test_a_store_from_a_newer_gatekeeper_is_refused(db_path: Path) -> None:
    SQLiteStore(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreSchemaError) as info:
        SQLiteStore(db_path)
    assert info.value.exit_code == 2
    assert "schema version 99" in str(info.value) and "Upgrade gatekeeper" in str(info.value)


def test_a_store_without_version_is_migrated(db_path: Path) -> None:
    """A file with only an empty meta table (an older, interrupted creation) is completed."""
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.commit()
    conn.close()
    store = SQLiteStore(db_path)
    try:
        record = store.record(make_report(1), scope="all", source="s")
        assert store.list() == [record]
    finally:
        store.close()


def test_a_version_1_store_is_migrated_and_its_audits_still_compare(db_path: Path) -> None:
    """Audits recorded before the finding rows have none: they are compared by report."""
    from gatekeeper.compare import compare
    from gatekeeper.usecases.changes import compare_with_record as _since_last

    db_path.parent.mkdir(parents=True)
    old = make_report(1)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for statement in MIGRATIONS[0]:
        conn.execute(render(SQLiteDialect(db_path), statement))
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO audits (recorded_at, generated_at, scope, source, decision, allow_count,"
        " warn_count, block_count, findings_count, waived_count, policy_sha256, report_json)"
        " VALUES ('2026-11-26T03:00:00+00:00', ?, 'all', 's', 'block', 1, 1, 1, 5, 1, NULL, ?)",
        (old.generated_at.isoformat(), serial.to_json(old)),
    )
    conn.commit()
    conn.close()
    store = SQLiteStore(db_path)
    try:
        last = store.latest_record("all")
        assert last is not None and store.open_fingerprints(last.id) is None
        current = make_report(2)
        assert _since_last(store, last, current) == compare(old, current, baseline=last.label)
        record = store.record(current, scope="all", source="s")
        assert store.open_fingerprints(record.id) is not None
        assert _since_last(store, record, make_report(3)) == compare(
            current, make_report(3), baseline=record.label
        )
    finally:
        store.close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION)
    conn.close()


@pytest.mark.parametrize("stored", [zlib.compress(b'{"apps": 1}'), b"not zlib"])
def test_an_unreadable_stored_report_is_a_store_error(db_path: Path, stored: bytes) -> None:
    store = SQLiteStore(db_path)
    try:
        record = store.record(make_report(1), scope="all", source="s")
        conn = sqlite3.connect(db_path)
        conn.execute("UPDATE audits SET report_zlib = ?", (stored,))
        conn.commit()
        conn.close()
        assert store.list() == [record]  # the listing does not need the report
        with pytest.raises(StoreError) as info:
            store.get(record.id)
        assert f"Audit #{record.id}" in str(info.value)
    finally:
        store.close()


def test_an_unreadable_finding_row_is_a_store_error(db_path: Path) -> None:
    store = SQLiteStore(db_path)
    try:
        record = store.record(make_report(1), scope="all", source="s")
        conn = sqlite3.connect(db_path)
        conn.execute("UPDATE audit_findings SET finding_json = '{}'")
        conn.commit()
        conn.close()
        fingerprints = store.open_fingerprints(record.id)
        assert fingerprints
        with pytest.raises(StoreError) as info:
            store.open_findings(record.id, fingerprints)
        assert f"audit #{record.id}" in str(info.value)
    finally:
        store.close()


def test_the_report_is_stored_compressed_as_pydantic_json() -> None:
    from gatekeeper.store._rows import compressed_report

    for report in (make_report(1, extra_apps=3), dataclasses.replace(make_report(2), apps=())):
        assert zlib.decompress(compressed_report(report)) == serial.to_json(report).encode()


def test_memory_store() -> None:
    store = SQLiteStore(":memory:")
    try:
        record = store.record(make_report(1), scope="all", source="s")
        assert store.list() == [record]
        assert store.location == ":memory:"
    finally:
        store.close()


def test_a_memory_store_is_one_connection_shared_between_threads() -> None:
    store = SQLiteStore(":memory:")

    def writer(name: str) -> None:
        for i in range(5):
            store.record(make_report(i), scope=f"team:{name}", source="s")

    try:
        run_together(writer, ["a", "b", "c"])
        assert len(store.list(limit=100)) == 15  # one database, not one per connection
    finally:
        store.close()


# -- damage only SQLite can hold: it keeps any value in any column -------------------------

SUMMARY_DAMAGE = [
    ("recorded_at = 'yesterday'", "recorded_at is not an ISO 8601 timestamp"),
    ("generated_at = 42", "generated_at is not an ISO 8601 timestamp"),
    ("scope = CAST(X'FFFE' AS TEXT)", "scope is not UTF-8 text"),
    ("source = X'C3'", "source is not UTF-8 text"),  # the first byte of two
    ("allow_count = 'many'", "allow_count is not a whole number"),
    ("block_count = 1.5", "block_count is not a whole number"),
    ("decision = 'maybe'", "decision is 'maybe', not allow, warn or block"),
]


@pytest.mark.parametrize(("change", "problem"), SUMMARY_DAMAGE)
def test_an_unreadable_summary_names_the_audit_in_every_read(
    store_factory: StoreFactory, damage: Damage, change: str, problem: str
) -> None:
    store = store_factory()
    good = store.record(make_report(1), scope="all", source="s")
    bad = store.record(make_report(2), scope="all", source="s")
    damage(f"UPDATE {{s}}audits SET {change} WHERE id = ?", bad.id)
    reads = {
        "list": lambda: store.list(),
        "latest_record": lambda: store.latest_record("all"),
        "latest": lambda: store.latest("all"),
        "get": lambda: store.get(bad.id),
    }
    if change.startswith("scope"):  # no longer "all": the reads of that scope skip it
        del reads["latest_record"], reads["latest"]
    for name, read in reads.items():
        with pytest.raises(StoreError) as info:
            read()
        message = str(info.value)
        assert info.value.exit_code == 3, name
        assert f"Audit #{bad.id} in the history store {store.location} could not be read (" in (
            message
        ), name
        assert problem in message, name
    assert store.get(good.id) is not None  # the other audits still read


def test_a_fingerprint_that_is_not_utf_8_names_the_audit(
    store_factory: StoreFactory, damage: Damage
) -> None:
    store = store_factory()
    record = store.record(make_report(1), scope="all", source="s")
    damage(
        "UPDATE {s}audit_findings SET fingerprint = X'FF00'"
        " WHERE rowid = (SELECT min(rowid) FROM {s}audit_findings WHERE audit_id = ?)",
        record.id,
    )
    with pytest.raises(StoreError) as info:
        store.open_fingerprints(record.id)
    assert f"A finding of audit #{record.id} in the history store" in str(info.value)
    assert "fingerprint is not UTF-8 text" in str(info.value)


def test_a_schema_version_that_is_not_text(store_factory: StoreFactory, damage: Damage) -> None:
    store_factory().close()
    damage("UPDATE {s}meta SET value = X'FF' WHERE key = 'schema_version'")
    with pytest.raises(StoreError) as info:
        store_factory()
    assert "schema_version is not UTF-8 text" in str(info.value)


def test_the_tables_are_those_every_earlier_gatekeeper_created(db_path: Path) -> None:
    """The statements are written once for both dialects; rendered for SQLite they must give
    the very tables the SQLite store always had, column by column."""
    SQLiteStore(db_path).close()
    conn = sqlite3.connect(db_path)
    try:
        columns = {
            table: [row[1:4] for row in conn.execute(f"PRAGMA table_info({table})")]
            for table in ("meta", "audits", "audit_findings")
        }
    finally:
        conn.close()
    assert columns == {
        "meta": [("key", "TEXT", 0), ("value", "TEXT", 1)],
        "audits": [
            ("id", "INTEGER", 0),
            ("recorded_at", "TEXT", 1),
            ("generated_at", "TEXT", 1),
            ("scope", "TEXT", 1),
            ("source", "TEXT", 1),
            ("decision", "TEXT", 1),
            ("allow_count", "INTEGER", 1),
            ("warn_count", "INTEGER", 1),
            ("block_count", "INTEGER", 1),
            ("findings_count", "INTEGER", 1),
            ("waived_count", "INTEGER", 1),
            ("policy_sha256", "TEXT", 0),
            ("report_json", "TEXT", 1),
            ("report_zlib", "BLOB", 0),
            ("open_findings_indexed", "INTEGER", 1),
            ("register_zlib", "BLOB", 0),
        ],
        "audit_findings": [
            ("audit_id", "INTEGER", 1),
            ("fingerprint", "TEXT", 1),
            ("finding_json", "TEXT", 1),
        ],
    }
