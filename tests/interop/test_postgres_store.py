"""The PostgreSQL history store against a real PostgreSQL server.

``scripts/ci/setup-postgres.sh`` starts one and prints ``GATEKEEPER_TEST_DATABASE_URL``
(``.ci/run`` evals it). Without it the tests skip locally and fail in CI. Every test works in
its own PostgreSQL schema, dropped afterwards, so tests and runs never see each other's data.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from external_programs import require_program
from unit.store.test_live_store_contract import LiveContract
from unit.store.test_store_contract import Damage, StoreContract, StoreFactory, make_report

from gatekeeper import serial
from gatekeeper.cli import run
from gatekeeper.store import AuditStore, StoreError, StoreSchemaError, open_store
from gatekeeper.store.interface import SCHEMA_VERSION
from gatekeeper.store.postgres import PostgresDialect, PostgresStore
from gatekeeper.store.schema import MIGRATIONS
from gatekeeper.store.sql import render

pytestmark = pytest.mark.interop

URL_ENV = "GATEKEEPER_TEST_DATABASE_URL"


@pytest.fixture(scope="module")
def database_url() -> str:
    url = os.environ.get(URL_ENV)
    if not url:
        require_program(None, f"PostgreSQL server ({URL_ENV})")
    assert url is not None
    return url


@pytest.fixture
def schema(database_url: str) -> Iterator[str]:
    import psycopg

    name = f"gk_test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
def store_url(database_url: str, schema: str) -> str:
    return f"{database_url}?schema={schema}"


@pytest.fixture
def store_factory(store_url: str) -> Iterator[StoreFactory]:
    opened: list[AuditStore] = []

    def factory() -> AuditStore:
        store = open_store(store_url)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def damage(database_url: str, schema: str) -> Damage:
    import psycopg

    def run(statement: str, *params: object) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(render(PostgresDialect(database_url, schema=schema), statement), params)

    return run


class TestPostgresContract(StoreContract):
    pass


class TestPostgresLive(LiveContract):
    """The live state (gatekeeper serve): jobs claimed with FOR UPDATE SKIP LOCKED."""


def _password(url: str) -> str:
    password = urlsplit(url).password
    assert password, "the test server's URL should carry a password"
    return password


def test_it_is_really_postgres_in_its_own_schema(
    store_factory: StoreFactory, schema: str, database_url: str
) -> None:
    import psycopg

    store = store_factory()
    assert isinstance(store, PostgresStore)
    assert f"(schema {schema})" in store.location
    assert _password(database_url) not in store.location
    record = store.record(make_report(1), scope="all", source="s")
    with psycopg.connect(database_url) as conn:
        version = conn.execute(f"SELECT value FROM {schema}.meta").fetchone()
        count = conn.execute(f"SELECT count(*) FROM {schema}.audits").fetchone()
        stored_at = conn.execute(
            f"SELECT recorded_at FROM {schema}.audits WHERE id = %s", (record.id,)
        ).fetchone()
    assert version == (str(SCHEMA_VERSION),)
    assert count == (1,)
    assert stored_at is not None and stored_at[0] == record.recorded_at


def test_heroku_style_database_url(
    database_url: str, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Heroku sets DATABASE_URL with the postgres:// scheme."""
    parts = urlsplit(database_url)
    heroku_url = urlunsplit(("postgres", parts.netloc, parts.path, f"schema={schema}", ""))
    monkeypatch.setenv("DATABASE_URL", heroku_url)
    store = open_store(None)
    try:
        assert isinstance(store, PostgresStore)
        assert store.location.startswith("postgres://")
        record = store.record(make_report(1), scope="team:psych-lab", source="s")
        assert store.list() == [record]
    finally:
        store.close()


def test_two_auditors_starting_at_once_create_the_schema_once(store_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def opener() -> None:
        try:
            start.wait()
            open_store(store_url).close()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_store_from_a_newer_gatekeeper_is_refused(
    store_factory: StoreFactory, schema: str, database_url: str
) -> None:
    import psycopg

    store_factory().close()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"UPDATE {schema}.meta SET value = '42' WHERE key = 'schema_version'")
    with pytest.raises(StoreSchemaError) as info:
        store_factory()
    assert info.value.exit_code == 2 and "schema version 42" in str(info.value)


def test_a_wrong_password_never_shows(database_url: str) -> None:
    parts = urlsplit(database_url)
    wrong = "Wr0ng-passw0rd-for-test"
    netloc = f"{parts.username}:{wrong}@{parts.hostname}:{parts.port}"
    url = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert info.value.exit_code == 3
    assert wrong not in str(info.value) and wrong not in repr(info.value)
    assert "password authentication failed" in str(info.value)


def test_history_command_against_postgres(
    store_factory: StoreFactory,
    store_url: str,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = store_factory()
    first = store.record(make_report(1), scope="team:psych-lab", source="s")
    second = store.record(make_report(2), scope="all", source="s")
    assert run(["history", "--store", store_url]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[1].split()[0] == str(second.id) and lines[2].split()[0] == str(first.id)
    assert _password(database_url) not in out + err
    assert "[redacted]" in out
    assert run(["history", "--store", store_url, "--show", str(first.id)]) == 0
    out, _ = capsys.readouterr()
    assert f"Audit #{first.id} of" in out and "survey" in out


def test_a_version_1_schema_is_migrated_and_its_audits_still_compare(
    store_factory: StoreFactory, schema: str, database_url: str
) -> None:
    """Audits recorded before the finding rows have none: they are compared by report."""
    import psycopg
    from psycopg import sql

    from gatekeeper.compare import compare
    from gatekeeper.usecases.changes import compare_with_record as _since_last

    old = make_report(1)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {s}").format(s=sql.Identifier(schema)))
        conn.execute(
            sql.SQL("CREATE TABLE {s}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)").format(
                s=sql.Identifier(schema)
            )
        )
        dialect = PostgresDialect(database_url, schema=schema)
        for statement in MIGRATIONS[0]:
            conn.execute(render(dialect, statement))
        conn.execute(
            sql.SQL("INSERT INTO {s}.meta VALUES ('schema_version', '1')").format(
                s=sql.Identifier(schema)
            )
        )
        conn.execute(
            sql.SQL(
                "INSERT INTO {s}.audits (recorded_at, generated_at, scope, source, decision,"
                " allow_count, warn_count, block_count, findings_count, waived_count,"
                " policy_sha256,"
                " report_json) VALUES (now(), %s, 'all', 's', 'block', 1, 1, 1, 5, 1, NULL, %s)"
            ).format(s=sql.Identifier(schema)),
            (old.generated_at, serial.to_json(old)),
        )
    store = store_factory()
    last = store.latest_record("all")
    assert last is not None and store.open_fingerprints(last.id) is None
    current = make_report(2)
    assert _since_last(store, last, current) == compare(old, current, baseline=last.label)
    record = store.record(current, scope="all", source="s")
    assert store.open_fingerprints(record.id) is not None
    assert _since_last(store, record, make_report(3)) == compare(
        current, make_report(3), baseline=record.label
    )
    with psycopg.connect(database_url) as conn:
        version = conn.execute(f"SELECT value FROM {schema}.meta").fetchone()
    assert version == (str(SCHEMA_VERSION),)


def test_the_tables_are_those_every_earlier_gatekeeper_created(
    store_factory: StoreFactory, schema: str, database_url: str
) -> None:
    """The statements are written once for both dialects; rendered for PostgreSQL they must
    give the very tables the PostgreSQL store always had, column by column."""
    import psycopg

    store_factory().close()
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, is_identity"
            " FROM information_schema.columns WHERE table_schema = %s"
            # the tables of versions 1 to 3 (3 added register_zlib); 4 added the live state
            " AND table_name IN ('audits', 'audit_findings', 'meta')"
            " ORDER BY table_name, ordinal_position",
            (schema,),
        ).fetchall()
    assert rows == [
        ("audit_findings", "audit_id", "bigint", "NO", "NO"),
        ("audit_findings", "fingerprint", "text", "NO", "NO"),
        ("audit_findings", "finding_json", "text", "NO", "NO"),
        ("audits", "id", "bigint", "NO", "YES"),
        ("audits", "recorded_at", "timestamp with time zone", "NO", "NO"),
        ("audits", "generated_at", "timestamp with time zone", "NO", "NO"),
        ("audits", "scope", "text", "NO", "NO"),
        ("audits", "source", "text", "NO", "NO"),
        ("audits", "decision", "text", "NO", "NO"),
        ("audits", "allow_count", "integer", "NO", "NO"),
        ("audits", "warn_count", "integer", "NO", "NO"),
        ("audits", "block_count", "integer", "NO", "NO"),
        ("audits", "findings_count", "integer", "NO", "NO"),
        ("audits", "waived_count", "integer", "NO", "NO"),
        ("audits", "policy_sha256", "text", "YES", "NO"),
        ("audits", "report_json", "text", "NO", "NO"),
        ("audits", "report_zlib", "bytea", "YES", "NO"),
        ("audits", "open_findings_indexed", "boolean", "NO", "NO"),
        ("audits", "register_zlib", "bytea", "YES", "NO"),
        ("meta", "key", "text", "NO", "NO"),
        ("meta", "value", "text", "NO", "NO"),
    ]
