"""The embedded history store: one SQLite file (the default, in the user data directory).

WAL mode lets ``gatekeeper history`` read while an audit writes, and the busy timeout lets
two audits that finish at the same moment take turns instead of failing. Every write runs in
``BEGIN IMMEDIATE ... COMMIT``: SQLite's journal makes it all-or-nothing even when the process
is killed halfway.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from gatekeeper.errors import StoreError, UsageError
from gatekeeper.store import _rows
from gatekeeper.store.interface import SCHEMA_VERSION, AuditRecord, StoredAudit, normalize_scope

if TYPE_CHECKING:
    from gatekeeper.results import Finding, Report

MEMORY = ":memory:"

# MIGRATIONS[n] takes a store from schema version n to n + 1. Append, never edit.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        """
        CREATE TABLE audits (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,
            generated_at TEXT NOT NULL,
            scope TEXT NOT NULL,
            source TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('allow', 'warn', 'block')),
            allow_count INTEGER NOT NULL,
            warn_count INTEGER NOT NULL,
            block_count INTEGER NOT NULL,
            findings_count INTEGER NOT NULL,
            waived_count INTEGER NOT NULL,
            policy_sha256 TEXT,
            report_json TEXT NOT NULL
        )
        """,
        "CREATE INDEX audits_scope_id ON audits (scope, id)",
    ),
    (
        # 2: the open findings of each audit in rows, so that --since-last compares with
        # fingerprints instead of loading the whole previous report. Audits recorded before
        # have no rows (open_findings_indexed = 0) and are compared by their report.
        "ALTER TABLE audits ADD COLUMN report_zlib BLOB",
        "ALTER TABLE audits ADD COLUMN open_findings_indexed INTEGER NOT NULL DEFAULT 0",
        """
        CREATE TABLE audit_findings (
            audit_id INTEGER NOT NULL REFERENCES audits (id),
            fingerprint TEXT NOT NULL,
            finding_json TEXT NOT NULL,
            PRIMARY KEY (audit_id, fingerprint)
        )
        """,
    ),
]
assert len(MIGRATIONS) == SCHEMA_VERSION

_COLUMNS = ", ".join(_rows.RECORD_COLUMNS)


class SQLiteStore:
    """An ``AuditStore`` in one SQLite file (or ``:memory:``)."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0) -> None:
        self._path = str(path)
        self._conn: sqlite3.Connection | None = None
        if self._path != MEMORY and Path(self._path).is_dir():
            raise UsageError(
                f"The history store {self._path} is a directory.",
                hint="Give a file path, e.g. history.sqlite3 inside it.",
            )
        try:
            if self._path != MEMORY:
                _create_private(Path(self._path))
            # isolation_level=None: no implicit transactions; we open and close them ourselves.
            self._conn = sqlite3.connect(self._path, timeout=busy_timeout, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._use_wal(busy_timeout)
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            self.close()
            raise self._error("open", exc) from None
        except BaseException:
            self.close()
            raise

    @property
    def location(self) -> str:
        return self._path

    def record(self, report: Report, *, scope: str, source: str) -> AuditRecord:
        row = _rows.new_audit(report, scope=normalize_scope(scope), source=source)
        try:
            with self._write() as conn:
                cursor = conn.execute(
                    "INSERT INTO audits (recorded_at, generated_at, scope, source, decision,"
                    " allow_count, warn_count, block_count, findings_count, waived_count,"
                    " policy_sha256, report_json, report_zlib, open_findings_indexed)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 1)",
                    (
                        row.recorded_at.isoformat(),
                        row.generated_at.isoformat(),
                        row.scope,
                        row.source,
                        row.decision,
                        row.allow,
                        row.warn,
                        row.block,
                        row.findings,
                        row.waived,
                        row.policy_sha256,
                        row.report_zlib,
                    ),
                )
                audit_id = cursor.lastrowid
                conn.executemany(
                    "INSERT INTO audit_findings (audit_id, fingerprint, finding_json)"
                    " VALUES (?, ?, ?)",
                    ((audit_id, fp, text) for fp, text in _rows.open_finding_rows(report)),
                )
                # Read the row back inside the transaction: what we return is what was stored.
                stored = conn.execute(
                    f"SELECT {_COLUMNS} FROM audits WHERE id = ?", (audit_id,)
                ).fetchone()
                return _rows.record_from_row(stored)
        except sqlite3.Error as exc:
            raise self._error("write to", exc) from None

    def latest(self, scope: str) -> StoredAudit | None:
        return self._one(
            f"SELECT {_COLUMNS}, report_json, report_zlib FROM audits WHERE scope = ?"
            " ORDER BY id DESC LIMIT 1",
            (normalize_scope(scope),),
        )

    def get(self, audit_id: int) -> StoredAudit | None:
        return self._one(
            f"SELECT {_COLUMNS}, report_json, report_zlib FROM audits WHERE id = ?", (audit_id,)
        )

    def latest_record(self, scope: str) -> AuditRecord | None:
        try:
            row = (
                self._connection()
                .execute(
                    f"SELECT {_COLUMNS} FROM audits WHERE scope = ? ORDER BY id DESC LIMIT 1",
                    (normalize_scope(scope),),
                )
                .fetchone()
            )
        except sqlite3.Error as exc:
            raise self._error("read", exc) from None
        return None if row is None else _rows.record_from_row(row)

    def open_fingerprints(self, audit_id: int) -> set[str] | None:
        try:
            conn = self._connection()
            indexed = conn.execute(
                "SELECT open_findings_indexed FROM audits WHERE id = ?", (audit_id,)
            ).fetchone()
            if indexed is None or not indexed[0]:
                return None
            rows = conn.execute(
                "SELECT fingerprint FROM audit_findings WHERE audit_id = ?", (audit_id,)
            )
            return {fp for (fp,) in rows}
        except sqlite3.Error as exc:
            raise self._error("read", exc) from None

    def open_findings(self, audit_id: int, fingerprints: Collection[str]) -> list[Finding]:
        texts: list[str] = []
        try:
            conn = self._connection()
            for chunk in _rows.chunks(sorted(fingerprints)):
                marks = ", ".join("?" * len(chunk))
                texts += [
                    text
                    for (text,) in conn.execute(
                        "SELECT finding_json FROM audit_findings WHERE audit_id = ?"
                        f" AND fingerprint IN ({marks})",
                        (audit_id, *chunk),
                    )
                ]
        except sqlite3.Error as exc:
            raise self._error("read", exc) from None
        return _rows.load_findings(texts, audit_id=audit_id, location=self._path)

    def list(self, limit: int = 20, scope: str | None = None) -> list[AuditRecord]:
        sql = f"SELECT {_COLUMNS} FROM audits ORDER BY id DESC LIMIT ?"
        params: tuple[object, ...] = (limit,)
        if scope is not None:
            sql = f"SELECT {_COLUMNS} FROM audits WHERE scope = ? ORDER BY id DESC LIMIT ?"
            params = (normalize_scope(scope), limit)
        try:
            rows = self._connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error("read", exc) from None
        return [_rows.record_from_row(r) for r in rows]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __repr__(self) -> str:
        return f"SQLiteStore({self._path!r})"

    # -- internals ---------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"The history store {self._path} is closed.")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; any exception (Ctrl-C included) rolls all of it back."""
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")  # take the write lock now, not halfway through
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _one(self, sql: str, params: tuple[object, ...]) -> StoredAudit | None:
        try:
            row = self._connection().execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise self._error("read", exc) from None
        if row is None:
            return None
        record = _rows.record_from_row(row[:-2])
        report = _rows.load_report(row[-2], row[-1], audit_id=record.id, location=self._path)
        return StoredAudit(record=record, report=report)

    def _use_wal(self, timeout: float) -> None:
        """Switch to WAL mode, waiting up to ``timeout`` seconds for the lock.

        SQLite does not call the busy handler for this pragma, so while another connection
        creates or migrates the store it fails at once with "database is locked".
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._connection().execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def _schema_version(self) -> int:
        conn = self._connection()
        has_meta = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if not has_meta:
            return 0
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        # Check first without the write lock: readers of an up-to-date store never write.
        if _rows.checked_version(self.location, self._schema_version()) == SCHEMA_VERSION:
            return
        with self._write() as conn:
            # another process may have won
            version = _rows.checked_version(self.location, self._schema_version())
            conn.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            for step in MIGRATIONS[version:]:
                for statement in step:
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )

    def _error(self, action: str, exc: BaseException) -> StoreError:
        hint = None
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
            hint = "Point --store at a gatekeeper history file, or remove this one."
        elif "locked" in str(exc):
            hint = "Another gatekeeper holds the store; try again when it has finished."
        return StoreError(f"Could not {action} the history store {self._path}: {exc}.", hint=hint)


def _create_private(path: Path) -> None:
    """Create the directory and an empty file readable by the owner only, if missing.

    The history names every app and what is wrong with it; SQLite gives its -wal and -shm
    files the permissions of the database file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
