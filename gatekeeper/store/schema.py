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
SCHEMA_VERSION = 4

# The words a dialect fills into the templates, each with what it stands for.
TYPE_WORDS: Mapping[str, str] = {
    "serial_key": "the auto-numbered primary key of a table",
    "audit_ref": "the type of a column that holds such a key (an audit id, an event id)",
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
    (
        # 4: gatekeeper serve (issue 14). The current state of each app, written by audits and
        # by re-checks after a Heroku webhook; every state written is also kept as one row of
        # the app's history. The received webhook events (the body without anything secret)
        # and the queue of jobs the worker claims.
        """
        CREATE TABLE {s}app_states (
            name TEXT PRIMARY KEY,
            team TEXT,
            region TEXT,
            decision TEXT NOT NULL CHECK (decision IN ('allow', 'warn', 'block')),
            previous_decision TEXT,
            checked_at {timestamp} NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('audit', 'event')),
            audit_id {audit_ref},
            app_json TEXT NOT NULL
        )
        """,
        "CREATE INDEX app_states_decision_name ON {s}app_states (decision, name)",
        "CREATE INDEX app_states_team_name ON {s}app_states (team, name)",
        "CREATE INDEX app_states_checked_at ON {s}app_states (checked_at)",
        """
        CREATE TABLE {s}app_checks (
            id {serial_key},
            name TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('allow', 'warn', 'block')),
            checked_at {timestamp} NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('audit', 'event')),
            audit_id {audit_ref}
        )
        """,
        "CREATE INDEX app_checks_name_id ON {s}app_checks (name, id)",
        """
        CREATE TABLE {s}webhook_events (
            id {serial_key},
            delivery_id TEXT UNIQUE,
            event_id TEXT UNIQUE,
            resource TEXT NOT NULL,
            action TEXT NOT NULL,
            app_name TEXT,
            received_at {timestamp} NOT NULL,
            body_json TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE {s}jobs (
            id {serial_key},
            kind TEXT NOT NULL CHECK (kind IN ('recheck', 'audit')),
            app_name TEXT,
            event_ref {audit_ref},
            state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
            queued_at {timestamp} NOT NULL,
            claimed_by TEXT,
            claimed_at {timestamp},
            attempts INTEGER NOT NULL DEFAULT 0,
            finished_at {timestamp},
            error TEXT
        )
        """,
        "CREATE INDEX jobs_state_id ON {s}jobs (state, id)",
    ),
)
if len(MIGRATIONS) != SCHEMA_VERSION:  # pragma: no cover - a development mistake
    raise RuntimeError("MIGRATIONS and SCHEMA_VERSION disagree")
