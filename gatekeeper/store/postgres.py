"""The PostgreSQL history store, for the nightly auditor on Heroku (``DATABASE_URL``).

The tables live in their own schema (``gatekeeper`` unless the URL says ``?schema=NAME``), so
the store can share a database with other data. psycopg 3 is imported only when this store
is opened: SQLite users need not install the ``postgres`` extra.

Each write is one transaction; schema migrations take a transaction-level advisory lock, so
two auditors starting at once do not both create the tables. Prepared statements are off so
that the store also works behind PgBouncer in transaction mode (Heroku connection pooling).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from gatekeeper.errors import StoreError, UsageError
from gatekeeper.redact import redact
from gatekeeper.store import _rows
from gatekeeper.store.interface import SCHEMA_VERSION, AuditRecord, StoredAudit, normalize_scope
from gatekeeper.store.urls import DEFAULT_PG_SCHEMA, display_url, register_url_secrets

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql as pgsql

    from gatekeeper.results import Finding, Report

# MIGRATIONS[n] takes a store from schema version n to n + 1; {s} is the schema. Append only.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        """
        CREATE TABLE {s}.audits (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            recorded_at TIMESTAMPTZ NOT NULL,
            generated_at TIMESTAMPTZ NOT NULL,
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
        "CREATE INDEX audits_scope_id ON {s}.audits (scope, id)",
    ),
    (
        # 2: the open findings of each audit in rows, so that --since-last compares with
        # fingerprints instead of loading the whole previous report. Audits recorded before
        # have no rows (open_findings_indexed false) and are compared by their report.
        "ALTER TABLE {s}.audits ADD COLUMN report_zlib BYTEA",
        "ALTER TABLE {s}.audits ADD COLUMN open_findings_indexed BOOLEAN NOT NULL DEFAULT FALSE",
        """
        CREATE TABLE {s}.audit_findings (
            audit_id BIGINT NOT NULL REFERENCES {s}.audits (id),
            fingerprint TEXT NOT NULL,
            finding_json TEXT NOT NULL,
            PRIMARY KEY (audit_id, fingerprint)
        )
        """,
    ),
]
if len(MIGRATIONS) != SCHEMA_VERSION:  # pragma: no cover - a development mistake
    raise RuntimeError("postgres MIGRATIONS and SCHEMA_VERSION disagree")

_COLUMNS = ", ".join(_rows.RECORD_COLUMNS)
# Any constant works; it only has to be the same for every gatekeeper.
_MIGRATION_LOCK = 0x6761_7465  # "gate"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise UsageError(
            "The PostgreSQL history store needs psycopg, which is not installed.",
            hint="Install it with: pip install 'heroku-gatekeeper[postgres]'.",
        ) from None
    return psycopg


class PostgresStore:
    """An ``AuditStore`` in a PostgreSQL database, given a libpq URL."""

    def __init__(
        self, url: str, *, schema: str = DEFAULT_PG_SCHEMA, connect_timeout: int = 10
    ) -> None:
        register_url_secrets(url)
        self._location = display_url(url)
        self._schema = schema
        self._psycopg = _psycopg()
        self._conn: psycopg.Connection[Any] | None = None
        try:
            self._conn = self._psycopg.connect(
                url,
                autocommit=True,
                connect_timeout=connect_timeout,
                prepare_threshold=None,
                application_name="gatekeeper",
            )
            self._migrate()
        except self._psycopg.Error as exc:
            self.close()
            raise self._error("open", exc) from None
        except BaseException:
            self.close()
            raise

    @property
    def location(self) -> str:
        schema = "" if self._schema == DEFAULT_PG_SCHEMA else f" (schema {self._schema})"
        return self._location + schema

    def record(self, report: Report, *, scope: str, source: str) -> AuditRecord:
        row = _rows.new_audit(report, scope=normalize_scope(scope), source=source)
        conn = self._connection()
        try:
            with conn.transaction():
                cursor = conn.execute(
                    self._sql(
                        "INSERT INTO {s}.audits (recorded_at, generated_at, scope, source,"
                        " decision, allow_count, warn_count, block_count, findings_count,"
                        " waived_count, policy_sha256, report_json, report_zlib,"
                        " open_findings_indexed)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s, TRUE)"
                        f" RETURNING {_COLUMNS}"
                    ),
                    (
                        row.recorded_at,
                        row.generated_at,
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
                stored = cursor.fetchone()
                if stored is None:  # pragma: no cover - INSERT ... RETURNING returns a row
                    raise StoreError(f"The history store {self.location} stored nothing.")
                audit_id = stored[0]
                with conn.cursor() as rows:
                    rows.executemany(
                        self._sql(
                            "INSERT INTO {s}.audit_findings (audit_id, fingerprint,"
                            " finding_json) VALUES (%s, %s, %s)"
                        ),
                        ((audit_id, fp, text) for fp, text in _rows.open_finding_rows(report)),
                    )
                # Built inside the transaction: if this fails, nothing was recorded.
                return _rows.record_from_row(stored)
        except self._psycopg.Error as exc:
            raise self._error("write to", exc) from None

    def latest(self, scope: str) -> StoredAudit | None:
        return self._one(
            f"SELECT {_COLUMNS}, report_json, report_zlib FROM {{s}}.audits WHERE scope = %s"
            " ORDER BY id DESC LIMIT 1",
            (normalize_scope(scope),),
        )

    def get(self, audit_id: int) -> StoredAudit | None:
        return self._one(
            f"SELECT {_COLUMNS}, report_json, report_zlib FROM {{s}}.audits WHERE id = %s",
            (audit_id,),
        )

    def latest_record(self, scope: str) -> AuditRecord | None:
        try:
            row = (
                self._connection()
                .execute(
                    self._sql(
                        f"SELECT {_COLUMNS} FROM {{s}}.audits WHERE scope = %s"
                        " ORDER BY id DESC LIMIT 1"
                    ),
                    (normalize_scope(scope),),
                )
                .fetchone()
            )
        except self._psycopg.Error as exc:
            raise self._error("read", exc) from None
        return None if row is None else _rows.record_from_row(tuple(row))

    def open_fingerprints(self, audit_id: int) -> set[str] | None:
        conn = self._connection()
        try:
            indexed = conn.execute(
                self._sql("SELECT open_findings_indexed FROM {s}.audits WHERE id = %s"),
                (audit_id,),
            ).fetchone()
            if indexed is None or not indexed[0]:
                return None
            rows = conn.execute(
                self._sql("SELECT fingerprint FROM {s}.audit_findings WHERE audit_id = %s"),
                (audit_id,),
            ).fetchall()
        except self._psycopg.Error as exc:
            raise self._error("read", exc) from None
        return {str(row[0]) for row in rows}

    def open_findings(self, audit_id: int, fingerprints: Collection[str]) -> list[Finding]:
        texts: list[str] = []
        conn = self._connection()
        try:
            for chunk in _rows.chunks(sorted(fingerprints)):
                texts += [
                    str(row[0])
                    for row in conn.execute(
                        self._sql(
                            "SELECT finding_json FROM {s}.audit_findings"
                            " WHERE audit_id = %s AND fingerprint = ANY(%s)"
                        ),
                        (audit_id, chunk),
                    ).fetchall()
                ]
        except self._psycopg.Error as exc:
            raise self._error("read", exc) from None
        return _rows.load_findings(texts, audit_id=audit_id, location=self.location)

    def list(self, limit: int = 20, scope: str | None = None) -> list[AuditRecord]:
        query = f"SELECT {_COLUMNS} FROM {{s}}.audits ORDER BY id DESC LIMIT %s"
        params: tuple[object, ...] = (limit,)
        if scope is not None:
            query = (
                f"SELECT {_COLUMNS} FROM {{s}}.audits WHERE scope = %s ORDER BY id DESC LIMIT %s"
            )
            params = (normalize_scope(scope), limit)
        try:
            rows = self._connection().execute(self._sql(query), params).fetchall()
        except self._psycopg.Error as exc:
            raise self._error("read", exc) from None
        return [_rows.record_from_row(tuple(r)) for r in rows]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __repr__(self) -> str:
        return f"PostgresStore({self.location!r})"

    # -- internals ---------------------------------------------------------------------

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            raise StoreError(f"The history store {self.location} is closed.")
        return self._conn

    def _sql(self, template: str) -> pgsql.Composed:
        from psycopg import sql

        return sql.SQL(template).format(s=sql.Identifier(self._schema))

    def _one(self, query: str, params: tuple[object, ...]) -> StoredAudit | None:
        try:
            row = self._connection().execute(self._sql(query), params).fetchone()
        except self._psycopg.Error as exc:
            raise self._error("read", exc) from None
        if row is None:
            return None
        record = _rows.record_from_row(tuple(row[:-2]))
        report = _rows.load_report(row[-2], row[-1], audit_id=record.id, location=self.location)
        return StoredAudit(record=record, report=report)

    def _schema_version(self) -> int:
        conn = self._connection()
        # A query of pg_tables, not to_regclass(): name lookups may use a catalog cache that
        # has not yet seen a schema another session just created (and committed).
        found = conn.execute(
            "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = 'meta'",
            (self._schema,),
        ).fetchone()
        if found is None:
            return 0
        row = conn.execute(
            self._sql("SELECT value FROM {s}.meta WHERE key = 'schema_version'")
        ).fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        if _rows.checked_version(self.location, self._schema_version()) == SCHEMA_VERSION:
            return
        conn = self._connection()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            # another one may have won
            version = _rows.checked_version(self.location, self._schema_version())
            conn.execute(self._sql("CREATE SCHEMA IF NOT EXISTS {s}"))
            conn.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {s}.meta"
                    " (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
            )
            for step in MIGRATIONS[version:]:
                for statement in step:
                    conn.execute(self._sql(statement))
            conn.execute(
                self._sql(
                    "INSERT INTO {s}.meta (key, value) VALUES ('schema_version', %s)"
                    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
                ),
                (str(SCHEMA_VERSION),),
            )

    def _error(self, action: str, exc: BaseException) -> StoreError:
        detail = redact(" ".join(str(exc).split())) or type(exc).__name__
        return StoreError(f"Could not {action} the history store {self.location}: {detail}.")
