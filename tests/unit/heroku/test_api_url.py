"""Base URL resolution: --api-url, then HEROKU_HOST as the Heroku CLI reads it, then Heroku."""

from __future__ import annotations

import pytest

from gatekeeper.errors import EXIT_USAGE, UsageError
from gatekeeper.heroku.config import api_host, is_loopback, resolve_api_url


def test_default_is_heroku() -> None:
    assert resolve_api_url(None) == "https://api.heroku.com"


def test_blank_flag_falls_back_to_the_default() -> None:
    assert resolve_api_url("  ") == "https://api.heroku.com"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("heroku.com", "https://api.heroku.com"),
        ("staging.herokudev.com", "https://api.staging.herokudev.com"),
        ("https://api.example.org/", "https://api.example.org"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("http://localhost:8080/prefix/", "http://localhost:8080/prefix"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://127.9.8.7", "http://127.9.8.7"),
    ],
)
def test_heroku_host_is_read_like_the_heroku_cli(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("HEROKU_HOST", value)
    assert resolve_api_url(None) == expected


def test_flag_wins_over_heroku_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEROKU_HOST", "example.org")
    assert resolve_api_url("http://127.0.0.1:1234") == "http://127.0.0.1:1234"


@pytest.mark.parametrize(
    "url",
    [
        "http://api.heroku.com",
        "http://10.0.0.5:5000",
        "http://128.0.0.1",
        "http://localhost.example.com",
        "http://[::2]:80",
    ],
)
def test_plain_http_is_refused_unless_loopback(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_api_url(url)
    assert caught.value.exit_code == EXIT_USAGE
    assert "plain http" in str(caught.value)
    assert "loopback" in str(caught.value)


def test_plain_http_in_heroku_host_is_refused_and_names_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEROKU_HOST", "http://api.example.org")
    with pytest.raises(UsageError, match="HEROKU_HOST"):
        resolve_api_url(None)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://api.heroku.com",
        "https://",
        "https://api.heroku.com?x=1",
        "https://api.heroku.com#frag",
        "https://api.heroku.com:99999",
    ],
)
def test_malformed_urls_are_usage_errors(url: str) -> None:
    with pytest.raises(UsageError):
        resolve_api_url(url)


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_api_url("https://user:hunter2-secret@api.heroku.com")
    assert "hunter2-secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.255.0.9", True),
        ("::1", True),
        ("[::1]", True),
        ("LOCALHOST", True),
        ("api.heroku.com", False),
        ("10.1.1.1", False),
        ("0.0.0.0", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_api_host_drops_port_and_path() -> None:
    assert api_host("http://127.0.0.1:5000/x") == "127.0.0.1"
    assert api_host("https://API.Heroku.com") == "api.heroku.com"
