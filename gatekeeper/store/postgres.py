"""The PostgreSQL history store, for the nightly auditor on Heroku (``DATABASE_URL``).

The tables live in their own schema (``gatekeeper`` unless the URL says ``?schema=NAME``), so
the store can share a database with other data; every statement names it, because a
``search_path`` set on the session would not survive PgBouncer in transaction mode (Heroku
connection pooling), which is also why prepared statements are off. psycopg 3 is imported
only when this store is opened: SQLite users need not install the ``postgres`` extra.

Each write is one transaction; schema migrations take a transaction-level advisory lock, so
two auditors starting at once do not both create the tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from gatekeeper.errors import UsageError, missing_extra_hint
from gatekeeper.store.dialect import Connection
from gatekeeper.store.sql import SQLStore
from gatekeeper.store.urls import DEFAULT_PG_SCHEMA, display_url, register_url_secrets

# Any constant works; it only has to be the same for every gatekeeper.
_MIGRATION_LOCK = 0x6761_7465  # "gate"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise UsageError(
            "The PostgreSQL history store needs psycopg, which is not installed.",
            hint=missing_extra_hint("postgres", "psycopg[binary]"),
        ) from None
    return psycopg


class PostgresDialect:
    """PostgreSQL through psycopg 3, given a libpq URL and the schema of the tables."""

    mark = "%s"
    types = {
        "serial_key": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "audit_ref": "BIGINT",
        "timestamp": "TIMESTAMPTZ",
        "blob": "BYTEA",
        "flag": "BOOLEAN",
        "false": "FALSE",
    }
    begin_write = ("BEGIN",)
    max_connections = 4
    row_lock = " FOR UPDATE SKIP LOCKED"

    def __init__(
        self, url: str, *, schema: str = DEFAULT_PG_SCHEMA, connect_timeout: int = 10
    ) -> None:
        register_url_secrets(url)
        self._url = url
        self._connect_timeout = connect_timeout
        self._schema = schema
        self._psycopg = _psycopg()
        self.errors: tuple[type[Exception], ...] = (self._psycopg.Error,)
        quoted = '"' + schema.replace('"', '""') + '"'
        self.table_prefix = quoted + "."
        self.begin_migration = (
            "BEGIN",
            # Openers that find the store out of date queue here; the first one migrates.
            f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})",
            f"CREATE SCHEMA IF NOT EXISTS {quoted}",
        )
        suffix = "" if schema == DEFAULT_PG_SCHEMA else f" (schema {schema})"
        self.location = display_url(url) + suffix

    def connect(self) -> Connection:
        conn: Connection = self._psycopg.connect(
            self._url,
            autocommit=True,
            connect_timeout=self._connect_timeout,
            prepare_threshold=None,
            application_name="gatekeeper",
        )
        return conn

    def prepare(self, conn: Connection) -> None:
        pass

    def meta_table_exists(self, conn: Connection) -> bool:
        # A query of pg_tables, not to_regclass(): name lookups may use a catalog cache that
        # has not yet seen a schema another session just created (and committed).
        query = "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = 'meta'"
        return conn.execute(query, (self._schema,)).fetchone() is not None

    def insert(self, conn: Connection, sql: str, params: Sequence[object]) -> int:
        row = conn.execute(sql + " RETURNING id", params).fetchone()
        if row is None:  # pragma: no cover - INSERT ... RETURNING returns a row
            raise self._psycopg.DataError("the INSERT returned no id")
        return int(row[0])

    def insert_many(self, conn: Connection, sql: str, rows: Iterable[Sequence[object]]) -> None:
        pg: Any = conn
        with pg.cursor() as cursor:
            cursor.executemany(sql, rows)

    def timestamp(self, moment: datetime) -> object:
        return moment

    def reusable(self, conn: Connection) -> bool:
        pg: Any = conn
        idle = self._psycopg.pq.TransactionStatus.IDLE
        return not pg.closed and not pg.broken and pg.info.transaction_status == idle

    def hint(self, exc: Exception) -> str | None:
        return None


class PostgresStore(SQLStore):
    """An ``AuditStore`` in a PostgreSQL database, given a libpq URL."""

    def __init__(
        self, url: str, *, schema: str = DEFAULT_PG_SCHEMA, connect_timeout: int = 10
    ) -> None:
        super().__init__(PostgresDialect(url, schema=schema, connect_timeout=connect_timeout))
