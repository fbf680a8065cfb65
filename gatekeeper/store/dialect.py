"""What differs between the SQL backends of the history store, and nothing else.

``SQLStore`` holds every query, transaction and row of the store once; a ``Dialect`` tells it
how to connect, how its driver spells parameters, the DDL words that differ
(``gatekeeper.store.schema``), how a write and a migration take their locks, how a new
audit's id comes back, and which driver errors become ``StoreError``. A new backend is one
module with one such class (docs/architecture.md, "Recipe: a store backend").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol


class Cursor(Protocol):
    """What the store reads from the result of ``Connection.execute``."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    @property
    def rowcount(self) -> int: ...


class Connection(Protocol):
    """The part of a DB-API connection the store uses (sqlite3 and psycopg both have it)."""

    def execute(self, sql: str, params: Sequence[object] = ..., /) -> Cursor: ...

    def close(self) -> None: ...


class Dialect(Protocol):
    """One SQL backend: its driver, its SQL spellings and its locks."""

    @property
    def location(self) -> str:
        """Where the store is, safe to print (never a password)."""
        ...

    @property
    def max_connections(self) -> int:
        """How many connections the store may hold at once (1 for an in-memory database,
        which exists only inside its one connection)."""
        ...

    @property
    def mark(self) -> str:
        """The driver's bound-parameter mark ("?" or "%s"); statements are written with "?"."""
        ...

    @property
    def table_prefix(self) -> str:
        """What ``{s}`` becomes in the statement templates: the prefix of a table name."""
        ...

    @property
    def types(self) -> Mapping[str, str]:
        """The DDL words of ``gatekeeper.store.schema.TYPE_WORDS`` in this dialect."""
        ...

    @property
    def begin_write(self) -> Sequence[str]:
        """The statements that open a write transaction, taking the write lock at once."""
        ...

    @property
    def begin_migration(self) -> Sequence[str]:
        """The statements that open the migration transaction: the lock that lets one
        opener migrate while the others wait, then what the tables need to exist in."""
        ...

    @property
    def row_lock(self) -> str:
        """What ends a ``SELECT`` that claims a row for this transaction while others skip
        it (PostgreSQL: ``FOR UPDATE SKIP LOCKED``); empty where the write transaction
        already excludes every other writer (SQLite's ``BEGIN IMMEDIATE``)."""
        ...

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """The driver's errors: each becomes a ``StoreError`` naming the store."""
        ...

    def connect(self) -> Connection:
        """A new connection in autocommit mode (the store opens its transactions itself),
        usable from any thread, one at a time."""
        ...

    def prepare(self, conn: Connection) -> None:
        """Once per store, before the schema is checked (SQLite: switch to WAL)."""
        ...

    def meta_table_exists(self, conn: Connection) -> bool:
        """Whether the ``meta`` table (which holds the schema version) exists yet."""
        ...

    def insert(self, conn: Connection, sql: str, params: Sequence[object]) -> int:
        """Run one ``INSERT`` into ``audits`` and return the id it gave the new row."""
        ...

    def insert_many(self, conn: Connection, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one ``INSERT`` for each of ``rows`` (consumed one at a time)."""
        ...

    def timestamp(self, moment: datetime) -> object:
        """``moment`` (UTC) as the driver should bind it into a ``{timestamp}`` column."""
        ...

    def reusable(self, conn: Connection) -> bool:
        """Whether ``conn`` may serve the next unit of work (not broken, no transaction
        left open); one that may not is closed and replaced."""
        ...

    def hint(self, exc: Exception) -> str | None:
        """What the user can do about driver error ``exc``, if this dialect knows."""
        ...
