"""The history store in SQL: every query, transaction and row, written once for all dialects.

``SQLStore(dialect)`` is the one ``AuditStore`` implementation; ``gatekeeper.store.sqlite``
and ``gatekeeper.store.postgres`` only say how their database differs
(``gatekeeper.store.dialect``). Statements are written with ``?`` parameters and ``{s}``
before each table name, and rendered for the dialect.

Threads: one store may be shared by any number of threads. Each call borrows a connection
from the store's pool for its unit of work (``gatekeeper.store.pool``) and gives it back, so
no connection is ever used by two threads at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

from gatekeeper.errors import StoreError
from gatekeeper.redact import redact
from gatekeeper.store import _rows
from gatekeeper.store.interface import AuditRecord, StoredAudit, normalize_scope
from gatekeeper.store.live_sql import LiveQueries
from gatekeeper.store.pool import ConnectionPool, PoolClosed
from gatekeeper.store.schema import (
    CREATE_META,
    MIGRATIONS,
    READ_VERSION,
    SCHEMA_VERSION,
    WRITE_VERSION,
)

if TYPE_CHECKING:
    from gatekeeper.register.model import Register
    from gatekeeper.results import Finding, Report
    from gatekeeper.store.dialect import Connection, Dialect

_COLUMNS = ", ".join(_rows.RECORD_COLUMNS)
_INSERT_AUDIT = (
    "INSERT INTO {s}audits (recorded_at, generated_at, scope, source, decision, allow_count,"
    " warn_count, block_count, findings_count, waived_count, policy_sha256, report_json,"
    " report_zlib, open_findings_indexed, register_zlib)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)"
)
_INSERT_FINDING = (
    "INSERT INTO {s}audit_findings (audit_id, fingerprint, finding_json) VALUES (?, ?, ?)"
)
# ``list`` is also a method of SQLStore, so annotations inside the class cannot say list[...].
Records = list[AuditRecord]
Findings = list["Finding"]
_DAMAGED = (
    "It may have been damaged, or written by another version of gatekeeper: restore the store"
    " from a backup, or use another one with --store."
)


def render(dialect: Dialect, template: str) -> str:
    """``template`` for ``dialect``: its table prefix, DDL words and parameter marks."""
    return template.format(s=dialect.table_prefix, **dialect.types).replace("?", dialect.mark)


class SQLStore(LiveQueries):
    """An ``AuditStore`` (and ``LiveStore``, ``gatekeeper.store.live``) in a SQL database;
    ``dialect`` says which kind."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            dialect.connect,
            lambda conn: conn.close(),
            size=dialect.max_connections,
            reusable=dialect.reusable,
        )
        try:
            with self._unit("open") as conn:
                dialect.prepare(conn)
                self._migrate(conn)
        except BaseException:
            self.close()
            raise

    @property
    def location(self) -> str:
        return self._dialect.location

    def record(
        self, report: Report, *, scope: str, source: str, register: Register | None = None
    ) -> AuditRecord:
        row = _rows.new_audit(report, scope=normalize_scope(scope), source=source)
        register_zlib = None if register is None else _rows.compressed_register(register)
        dialect = self._dialect
        with self._unit("write to") as conn, self._transaction(conn, dialect.begin_write):
            audit_id = dialect.insert(
                conn,
                self._sql(_INSERT_AUDIT),
                (
                    dialect.timestamp(row.recorded_at),
                    dialect.timestamp(row.generated_at),
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
                    True,
                    register_zlib,
                ),
            )
            dialect.insert_many(
                conn,
                self._sql(_INSERT_FINDING),
                ((audit_id, fp, text) for fp, text in _rows.open_finding_rows(report)),
            )
            # Read the row back inside the transaction: what we return is what was stored,
            # and if this fails, nothing was recorded.
            stored = conn.execute(
                self._sql(f"SELECT {_COLUMNS} FROM {{s}}audits WHERE id = ?"), (audit_id,)
            ).fetchone()
            with self._decoding(f"Audit #{audit_id}"):
                return _rows.record_from_row(stored)

    def latest(self, scope: str) -> StoredAudit | None:
        return self._stored("WHERE scope = ? ORDER BY id DESC LIMIT 1", normalize_scope(scope))

    def get(self, audit_id: int) -> StoredAudit | None:
        return self._stored("WHERE id = ?", audit_id)

    def register(self, audit_id: int) -> Register | None:
        with self._unit("read") as conn:
            row = conn.execute(
                self._sql("SELECT register_zlib FROM {s}audits WHERE id = ?"), (audit_id,)
            ).fetchone()
        if row is None or row[0] is None:
            return None
        with self._decoding(f"The register of audit #{audit_id}"):
            return _rows.load_register(row[0])

    def latest_record(self, scope: str) -> AuditRecord | None:
        found = self._records("WHERE scope = ? ORDER BY id DESC LIMIT 1", normalize_scope(scope))
        return found[0] if found else None

    def open_fingerprints(self, audit_id: int) -> set[str] | None:
        with self._unit("read") as conn:
            indexed = conn.execute(
                self._sql("SELECT open_findings_indexed FROM {s}audits WHERE id = ?"), (audit_id,)
            ).fetchone()
            if indexed is None or not indexed[0]:
                return None
            rows = conn.execute(
                self._sql("SELECT fingerprint FROM {s}audit_findings WHERE audit_id = ?"),
                (audit_id,),
            ).fetchall()
        with self._decoding(f"A finding of audit #{audit_id}"):
            return _rows.fingerprints(fp for (fp,) in rows)

    def open_findings(self, audit_id: int, fingerprints: Collection[str]) -> Findings:
        texts: list[object] = []
        with self._unit("read") as conn:
            for chunk in _rows.chunks(sorted(fingerprints)):
                marks = ", ".join("?" * len(chunk))
                query = "SELECT finding_json FROM {s}audit_findings WHERE audit_id = ?"
                rows = conn.execute(
                    self._sql(f"{query} AND fingerprint IN ({marks})"), (audit_id, *chunk)
                ).fetchall()
                texts += [text for (text,) in rows]
        with self._decoding(f"A finding of audit #{audit_id}"):
            return _rows.load_findings(texts)

    def list(self, limit: int = 20, scope: str | None = None) -> Records:
        if scope is None:
            return self._records("ORDER BY id DESC LIMIT ?", limit)
        return self._records(
            "WHERE scope = ? ORDER BY id DESC LIMIT ?", normalize_scope(scope), limit
        )

    def close(self) -> None:
        self._pool.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"

    # -- internals ---------------------------------------------------------------------

    def _sql(self, template: str) -> str:
        return render(self._dialect, template)

    @contextmanager
    def _unit(self, action: str) -> Iterator[Connection]:
        """A connection for one unit of work; a driver error becomes a ``StoreError``
        saying what could not be done (``action``) to which store."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolClosed:
            raise StoreError(f"The history store {self.location} is closed.") from None
        except self._dialect.errors as exc:
            detail = redact(" ".join(str(exc).split())) or type(exc).__name__
            raise StoreError(
                f"Could not {action} the history store {self.location}: {detail}.",
                hint=self._dialect.hint(exc),
            ) from None

    @contextmanager
    def _transaction(self, conn: Connection, begin: Sequence[str]) -> Iterator[None]:
        """One transaction; any exception (Ctrl-C included) rolls all of it back."""
        for statement in begin:
            conn.execute(self._sql(statement))
        try:
            yield
        except BaseException:
            # The database may have ended the transaction itself (a full disk, a lost
            # connection); then there is nothing to roll back, and the error that did it is
            # the one to report.
            with suppress(*self._dialect.errors):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def _decoding(self, what: str) -> Iterator[None]:
        """A stored value that does not decode becomes a ``StoreError`` naming the store and
        ``what`` it belongs to (the audit)."""
        try:
            yield
        except _rows.Unreadable as exc:
            raise StoreError(
                f"{what} in the history store {self.location} could not be read ({exc}).",
                hint=_DAMAGED,
            ) from None

    def _records(self, where: str, *params: object) -> Records:
        with self._unit("read") as conn:
            query = self._sql(f"SELECT {_COLUMNS} FROM {{s}}audits {where}")
            rows = conn.execute(query, params).fetchall()
        records = []
        for row in rows:
            with self._decoding(f"Audit #{row[0]}"):
                records.append(_rows.record_from_row(row))
        return records

    def _stored(self, where: str, *params: object) -> StoredAudit | None:
        with self._unit("read") as conn:
            query = f"SELECT {_COLUMNS}, report_json, report_zlib FROM {{s}}audits {where}"
            row = conn.execute(self._sql(query), params).fetchone()
        if row is None:
            return None
        with self._decoding(f"Audit #{row[0]}"):
            record = _rows.record_from_row(row[:-2])
            return StoredAudit(record=record, report=_rows.load_report(row[-2], row[-1]))

    def _schema_version(self, conn: Connection) -> int:
        if not self._dialect.meta_table_exists(conn):
            return 0
        row = conn.execute(self._sql(READ_VERSION)).fetchone()
        if row is None:
            return 0
        with self._decoding("The schema version"):
            version = _rows.schema_version(row[0])
        return _rows.checked_version(self.location, version)

    def _migrate(self, conn: Connection) -> None:
        # Check first without the write lock: readers of an up-to-date store never write.
        if self._schema_version(conn) == SCHEMA_VERSION:
            return
        with self._transaction(conn, self._dialect.begin_migration):
            version = self._schema_version(conn)  # another process may have won
            conn.execute(self._sql(CREATE_META))
            for step in MIGRATIONS[version:]:
                for statement in step:
                    conn.execute(self._sql(statement))
            conn.execute(self._sql(WRITE_VERSION), (str(SCHEMA_VERSION),))
