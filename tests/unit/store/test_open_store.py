"""Which store ``open_store`` opens, URL spellings, the default path, and password hygiene."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from gatekeeper.errors import UsageError
from gatekeeper.redact import redact
from gatekeeper.store import StoreError, normalize_scope, open_store, scope_of
from gatekeeper.store.sqlite import SQLiteStore
from gatekeeper.store.urls import (
    display_url,
    parse_store_url,
    user_data_dir,
)

PASSWORD = "s3cr3t-Pa55word-xyz"


def test_default_is_sqlite_in_the_user_data_directory(tmp_path: Path) -> None:
    store = open_store(None)
    try:
        assert isinstance(store, SQLiteStore)
        expected = Path.home() / ".local" / "share" / "gatekeeper" / "history.sqlite3"
        assert Path(store.location) == expected  # conftest points XDG_DATA_HOME there
        assert expected.is_file()
    finally:
        store.close()


def test_xdg_data_home_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = open_store(None)
    try:
        assert Path(store.location) == tmp_path / "xdg" / "gatekeeper" / "history.sqlite3"
    finally:
        store.close()


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {"XDG_DATA_HOME": "/data"}, "/data/gatekeeper"),
        ("linux", {"XDG_DATA_HOME": "relative/ignored"}, "/home/u/.local/share/gatekeeper"),
        ("linux", {}, "/home/u/.local/share/gatekeeper"),
        ("darwin", {"XDG_DATA_HOME": "/data"}, "/home/u/Library/Application Support/gatekeeper"),
        (
            "win32",
            {"LOCALAPPDATA": "/c/Users/u/AppData/Local"},
            "/c/Users/u/AppData/Local/gatekeeper",
        ),
        ("win32", {}, "/home/u/AppData/Local/gatekeeper"),
    ],
)
def test_user_data_dir_per_platform(platform: str, env: dict[str, str], expected: str) -> None:
    assert user_data_dir(env=env, platform=platform, home=Path("/home/u")) == Path(expected)


def test_database_url_is_used_when_no_store_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/from-env.sqlite3")
    store = open_store(None)
    try:
        assert store.location == f"{tmp_path}/from-env.sqlite3"
    finally:
        store.close()


def test_store_option_beats_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:1/db")
    store = open_store(str(tmp_path / "flag.sqlite3"))
    try:
        assert store.location == str(tmp_path / "flag.sqlite3")
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///relative/h.sqlite3", "relative/h.sqlite3"),
        ("sqlite:////abs/h.sqlite3", "/abs/h.sqlite3"),
        ("sqlite:///:memory:", ":memory:"),
        ("SQLite:////abs/with%20space.db", "/abs/with space.db"),
        ("plain/path.db", "plain/path.db"),
        ("  /abs/path.db ", "/abs/path.db"),
    ],
)
def test_sqlite_spellings(url: str, expected: str) -> None:
    target = parse_store_url(url)
    assert (target.kind, target.target) == ("sqlite", expected)


def test_a_home_relative_path_is_expanded() -> None:
    assert parse_store_url("~/h.db").target == str(Path.home() / "h.db")


def test_relative_sqlite_url_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite:///here.sqlite3")
    try:
        assert (tmp_path / "here.sqlite3").is_file()
    finally:
        store.close()


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "PostgreSQL"])
def test_postgres_urls(scheme: str) -> None:
    target = parse_store_url(f"{scheme}://u:{PASSWORD}@db.example:5432/d?sslmode=require")
    assert target.kind == "postgres"
    assert target.schema == "gatekeeper"
    # urlsplit lower-cases the scheme, which libpq needs anyway.
    assert target.target == (f"{scheme.lower()}://u:{PASSWORD}@db.example:5432/d?sslmode=require")


def test_the_schema_parameter_is_ours_not_libpqs() -> None:
    target = parse_store_url("postgresql://u@h/d?schema=audit_2026&sslmode=require")
    assert target.schema == "audit_2026"
    assert target.target == "postgresql://u@h/d?sslmode=require"


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "is empty"),
        ("sqlite://", "no usable path"),
        ("sqlite:///", "no usable path"),
        ("sqlite://host/x.db", "no usable path"),
        (f"mysql://root:{PASSWORD}@h/d", "unsupported scheme 'mysql'"),
        ("postgresql://h/d?schema=Robert');DROP", "not a plain lower-case identifier"),
    ],
)
def test_bad_urls_are_usage_errors(url: str, fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        open_store(url) if url else parse_store_url(url)
    assert info.value.exit_code == 2
    assert fragment in str(info.value)
    assert PASSWORD not in str(info.value)


def test_a_bad_database_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"redis://:{PASSWORD}@h:6379")
    with pytest.raises(UsageError) as info:
        open_store(None)
    assert "DATABASE_URL" in str(info.value)
    assert PASSWORD not in str(info.value)


def test_display_url_masks_passwords() -> None:
    assert display_url(f"postgres://u:{PASSWORD}@h:5432/d") == "postgres://u:[redacted]@h:5432/d"
    assert display_url("postgres://u@h/d") == "postgres://u@h/d"
    assert display_url(f"postgresql://h/d?user=u&password={PASSWORD}&sslmode=require") == (
        "postgresql://h/d?user=u&password=[redacted]&sslmode=require"
    )


def test_parsing_registers_the_password_raw_and_decoded() -> None:
    parse_store_url("postgres://u:p%40ss-w0rd-long@h/d")
    assert redact("p%40ss-w0rd-long and p@ss-w0rd-long") == "[redacted] and [redacted]"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_postgres_is_could_not_evaluate() -> None:
    url = f"postgresql://gatekeeper:{PASSWORD}@127.0.0.1:{_closed_port()}/db"
    with pytest.raises(StoreError) as info:
        open_store(url)
    message = str(info.value)
    assert info.value.exit_code == 3
    assert PASSWORD not in message and PASSWORD not in repr(info.value)
    assert "postgresql://gatekeeper:[redacted]@127.0.0.1" in message


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("team:b,team:a", "team:a,team:b"),
        (" team:a , team:a ", "team:a"),
        ("team:a,all", "all"),
        ("enterprise:uni,team:x", "enterprise:uni,team:x"),
    ],
)
def test_normalize_scope(scope: str, expected: str) -> None:
    assert normalize_scope(scope) == expected


@pytest.mark.parametrize("scope", ["", " , ", "psych-lab", "team:", ":x"])
def test_bad_scopes(scope: str) -> None:
    with pytest.raises(UsageError):
        normalize_scope(scope)


def test_scope_of_flags() -> None:
    assert scope_of(teams=["psych-lab", "bio-lab"]) == "team:bio-lab,team:psych-lab"
    assert scope_of(enterprises=("uni-example",), teams=("x",)) == "enterprise:uni-example,team:x"
    assert scope_of(teams=["x"], everything=True) == "all"
