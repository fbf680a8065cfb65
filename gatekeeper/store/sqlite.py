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
from collections.abc import Iterable, Sequence
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import cast

from gatekeeper.errors import UsageError
from gatekeeper.store.dialect import Connection
from gatekeeper.store.sql import SQLStore

MEMORY = ":memory:"


class SQLiteDialect:
    """SQLite through the standard library's ``sqlite3``."""

    mark = "?"
    table_prefix = ""
    types = {
        "serial_key": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "audit_ref": "INTEGER",
        "timestamp": "TEXT",  # ISO 8601 with its offset
        "blob": "BLOB",
        "flag": "INTEGER",
        "false": "0",
    }
    begin_write = ("BEGIN IMMEDIATE",)  # take the write lock now, not halfway through
    begin_migration = begin_write
    errors: tuple[type[Exception], ...] = (sqlite3.Error, OSError)
    row_lock = ""  # BEGIN IMMEDIATE already serializes the writers

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0) -> None:
        self.location = str(path)
        self.busy_timeout = busy_timeout
        # An in-memory database lives inside its one connection.
        self.max_connections = 1 if self.location == MEMORY else 8
        self._file_made = self.location == MEMORY
        if self.location != MEMORY and Path(self.location).is_dir():
            raise UsageError(
                f"The history store {self.location} is a directory.",
                hint="Give a file path, e.g. history.sqlite3 inside it.",
            )

    def connect(self) -> Connection:
        if not self._file_made:
            _create_private(Path(self.location))
            self._file_made = True
        # isolation_level=None: no implicit transactions; the store opens and closes them.
        # check_same_thread=False: the store's pool lends a connection to one thread at a time.
        conn = sqlite3.connect(
            self.location,
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        # Text comes back as bytes and is decoded by the store, which knows the audit that
        # holds text that is not UTF-8 (a damaged file), where the driver would not say.
        conn.text_factory = bytes
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        return cast(Connection, conn)

    def prepare(self, conn: Connection) -> None:
        """Switch to WAL mode, waiting up to the busy timeout for the lock.

        SQLite does not call the busy handler for this pragma, so while another connection
        creates or migrates the store it fails at once with "database is locked".
        """
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def meta_table_exists(self, conn: Connection) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        return conn.execute(query).fetchone() is not None

    def insert(self, conn: Connection, sql: str, params: Sequence[object]) -> int:
        audit_id = cast(sqlite3.Cursor, conn.execute(sql, params)).lastrowid
        if audit_id is None:  # pragma: no cover - an INSERT always sets it
            raise sqlite3.OperationalError("the INSERT gave the new audit no id")
        return audit_id

    def insert_many(self, conn: Connection, sql: str, rows: Iterable[Sequence[object]]) -> None:
        cast(sqlite3.Connection, conn).executemany(sql, rows)

    def timestamp(self, moment: datetime) -> object:
        return moment.isoformat()

    def reusable(self, conn: Connection) -> bool:
        return not cast(sqlite3.Connection, conn).in_transaction

    def hint(self, exc: Exception) -> str | None:
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
            return "Point --store at a gatekeeper history file, or remove this one."
        if isinstance(exc, sqlite3.DatabaseError) and "malformed" in str(exc):
            return "The file is damaged: restore it from a backup, or move it away to start anew."
        if "locked" in str(exc):
            return "Another gatekeeper holds the store; try again when it has finished."
        return None


class SQLiteStore(SQLStore):
    """An ``AuditStore`` in one SQLite file (or ``:memory:``)."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0) -> None:
        super().__init__(SQLiteDialect(path, busy_timeout=busy_timeout))


def _create_private(path: Path) -> None:
    """Create the directory and an empty file readable by the owner only, if missing.

    The history names every app and what is wrong with it; SQLite gives its -wal and -shm
    files the permissions of the database file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
