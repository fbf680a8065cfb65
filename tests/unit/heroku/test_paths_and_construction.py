"""Path quoting, and what the client refuses at construction."""

from __future__ import annotations

import httpx
import pytest
import respx
from heroku_fakes import TOKEN

from gatekeeper.errors import UsageError
from gatekeeper.heroku import quote_segment
from gatekeeper.heroku.client import HerokuClient


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("survey", "survey"),
        ("../account", "..%2Faccount"),
        ("a b", "a%20b"),
        ("x?y#z", "x%3Fy%23z"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("~", "~"),
        ("ä", "%C3%A4"),
    ],
)
def test_quote_segment(name: str, quoted: str) -> None:
    assert quote_segment(name) == quoted


def test_quote_segment_refuses_empty_names() -> None:
    with pytest.raises(UsageError):
        quote_segment("")


def test_a_quoted_name_cannot_reach_another_endpoint() -> None:
    with respx.mock(base_url="https://api.heroku.com", assert_all_mocked=True) as api:
        route = api.get(url__regex=r".*").mock(return_value=httpx.Response(200, json={}))
        with HerokuClient("https://api.heroku.com", TOKEN) as client:
            client.get(f"/apps/{quote_segment('../account')}")
        assert route.calls.last.request.url.raw_path == b"/apps/..%2Faccount"


@pytest.mark.parametrize("url", ["http://api.heroku.com", "http://10.0.0.1:5000", "ftp://x"])
def test_client_refuses_urls_that_may_not_carry_a_token(url: str) -> None:
    with pytest.raises(UsageError):
        HerokuClient(url, TOKEN)


def test_client_accepts_loopback_http() -> None:
    with HerokuClient("http://127.0.0.1:5000/", TOKEN) as client:
        assert client.base_url == "http://127.0.0.1:5000"


def test_paths_must_be_absolute() -> None:
    with HerokuClient("https://api.heroku.com", TOKEN) as client, pytest.raises(ValueError):
        client.get("apps")


def test_public_api_is_importable_lazily() -> None:
    import gatekeeper.heroku as heroku

    assert heroku.resolve_api_url(None) == "https://api.heroku.com"
    assert set(heroku.__all__) >= {
        "AsyncHerokuClient",
        "HerokuClient",
        "resolve_api_url",
        "resolve_token",
        "Credential",
        "quote_segment",
    }
    with pytest.raises(AttributeError):
        heroku.nothing_here  # noqa: B018
