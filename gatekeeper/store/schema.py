"""The tables of the history store, written once for every SQL dialect.

Statements are templates that ``SQLStore`` renders for its dialect: ``{s}`` is the prefix of
a table name (nothing in SQLite, the quoted schema and a dot in PostgreSQL), the other
``{words}`` are column types that differ between dialects (``Dialect.types``), and ``?`` is
a bound parameter. Rendered, each statement is exactly what the backends ran before they
shared this module, so stores created by any earlier gatekeeper open unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

# Bump together with a new entry in MIGRATIONS.
SCHEMA_VERSION = 3

# The words a dialect fills into the templates, each with what it stands for.
TYPE_WORDS: Mapping[str, str] = {
    "serial_key": "the auto-numbered primary key of audits",
    "audit_ref": "the type of a column that holds an audit id",
    "timestamp": "a moment with its time zone",
    "blob": "bytes",
    "flag": "a boolean",
    "false": "the false value of a flag",
}

CREATE_META = "CREATE TABLE IF NOT EXISTS {s}meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
READ_VERSION = "SELECT value FROM {s}meta WHERE key = 'schema_version'"
WRITE_VERSION = (
    "INSERT INTO {s}meta (key, value) VALUES ('schema_version', ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)

# MIGRATIONS[n] takes a store from schema version n to n + 1. Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE {s}audits (
            id {serial_key},
            recorded_at {timestamp} NOT NULL,
            generated_at {timestamp} NOT NULL,
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
        "CREATE INDEX audits_scope_id ON {s}audits (scope, id)",
    ),
    (
        # 2: the open findings of each audit in rows, so that --since-last compares with
        # fingerprints instead of loading the whole previous report. Audits recorded before
        # have no rows (open_findings_indexed false) and are compared by their report.
        "ALTER TABLE {s}audits ADD COLUMN report_zlib {blob}",
        "ALTER TABLE {s}audits ADD COLUMN open_findings_indexed {flag} NOT NULL DEFAULT {false}",
        """
        CREATE TABLE {s}audit_findings (
            audit_id {audit_ref} NOT NULL REFERENCES {s}audits (id),
            fingerprint TEXT NOT NULL,
            finding_json TEXT NOT NULL,
            PRIMARY KEY (audit_id, fingerprint)
        )
        """,
    ),
    (
        # 3: the DPO's register of the audit (issue 13), zlib-compressed pydantic JSON of
        # gatekeeper.register.model.Register, for `register --from-history` and the register's
        # changes since the last audit. Audits recorded before have none (NULL).
        "ALTER TABLE {s}audits ADD COLUMN register_zlib {blob}",
    ),
)
if len(MIGRATIONS) != SCHEMA_VERSION:  # pragma: no cover - a development mistake
    raise RuntimeError("MIGRATIONS and SCHEMA_VERSION disagree")
