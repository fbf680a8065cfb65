"""The audit history store: ``open_store(url)`` picks SQLite or PostgreSQL.

Which store (first match wins):

1. ``url`` (the ``--store`` option): ``postgres[ql]://...``, ``sqlite:///PATH`` or a path;
2. the ``DATABASE_URL`` environment variable (Heroku sets it for Heroku Postgres);
3. ``gatekeeper/history.sqlite3`` in the user data directory.

See ``gatekeeper.store.urls`` for the spellings and ``gatekeeper.store.interface`` for what a
store guarantees (thread safety included). Both backends are one ``SQLStore``
(``gatekeeper.store.sql``) over a dialect (``gatekeeper.store.dialect``).
"""

from __future__ import annotations

import os

from gatekeeper.errors import StoreError, StoreSchemaError
from gatekeeper.store.interface import (
    ALL_SCOPE,
    AuditRecord,
    AuditStore,
    StoredAudit,
    normalize_scope,
    scope_of,
)
from gatekeeper.store.live import LiveStore
from gatekeeper.store.urls import default_sqlite_path, parse_store_url

__all__ = [
    "ALL_SCOPE",
    "AuditRecord",
    "AuditStore",
    "LiveStore",
    "StoreError",
    "StoreSchemaError",
    "StoredAudit",
    "normalize_scope",
    "open_store",
    "scope_of",
]


def open_store(url: str | None = None) -> LiveStore:
    """Open (creating or migrating if needed) the history store ``url`` points to.

    Raises ``UsageError`` (exit 2) for a URL that cannot be used and ``StoreError``, a
    ``CouldNotEvaluate`` (exit 3), when the store cannot be reached or read.
    """
    origin = "--store"
    if not url:
        url = os.environ.get("DATABASE_URL") or None
        origin = "DATABASE_URL"
    if url is None:
        from gatekeeper.store.sqlite import SQLiteStore

        return SQLiteStore(default_sqlite_path())
    target = parse_store_url(url, origin=origin)
    if target.kind == "postgres":
        from gatekeeper.store.postgres import PostgresStore

        return PostgresStore(target.target, schema=target.schema)
    from gatekeeper.store.sqlite import SQLiteStore

    return SQLiteStore(target.target)
