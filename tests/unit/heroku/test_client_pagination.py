"""Lists: Range with max=1000, Next-Range followed until a 200, and the guards against a
server that loops or stops without saying where to go on. Each test runs with both clients."""

from __future__ import annotations

import httpx
import pytest
import respx
from heroku_fakes import TOKEN, Runner

from gatekeeper import __version__
from gatekeeper.errors import ProtocolError
from gatekeeper.heroku.models import App

FIRST = "id ..; max=1000"


def page(items: list[int], status: int = 200, next_range: str | None = None) -> httpx.Response:
    headers = {"Next-Range": next_range} if next_range else {}
    return httpx.Response(status, json=[{"n": i} for i in items], headers=headers)


def test_follows_next_range_until_200(api: respx.MockRouter, run: Runner) -> None:
    route = api.get("/apps").mock(
        side_effect=[
            page([1, 2], 206, "]2..; max=1000"),
            page([3, 4], 206, "]4..; max=1000"),
            page([5], 200),
        ]
    )
    items, client = run("list", "/apps")
    assert [i["n"] for i in items] == [1, 2, 3, 4, 5]
    ranges = [call.request.headers["Range"] for call in route.calls]
    assert ranges == [FIRST, "]2..; max=1000", "]4..; max=1000"]
    assert client.stats.requests_sent == 3
    assert client.stats.pages == 3


def test_single_page_list(api: respx.MockRouter, run: Runner) -> None:
    api.get("/regions").mock(return_value=page([1]))
    items, client = run("list", "/regions")
    assert items == [{"n": 1}]
    assert client.stats.pages == 1


def test_looping_next_range_is_a_clear_protocol_error(api: respx.MockRouter, run: Runner) -> None:
    route = api.get("/apps").mock(
        side_effect=[
            page([1], 206, "]1..; max=1000"),
            page([2], 206, "]2..; max=1000"),
            page([3], 206, "]1..; max=1000"),
        ]
    )
    with pytest.raises(ProtocolError) as caught:
        run("list", "/apps")
    message = str(caught.value)
    assert "Next-Range" in message and "repeats" in message and "/apps" in message
    assert route.call_count == 3


def test_next_range_pointing_back_at_the_first_range_is_caught(
    api: respx.MockRouter, run: Runner
) -> None:
    api.get("/apps").mock(side_effect=[page([1], 206, FIRST)])
    with pytest.raises(ProtocolError, match="repeats"):
        run("list", "/apps")


def test_206_without_next_range_is_a_protocol_error(api: respx.MockRouter, run: Runner) -> None:
    api.get("/apps").mock(side_effect=[page([1], 206)])
    with pytest.raises(ProtocolError, match="206 Partial Content but no Next-Range"):
        run("list", "/apps")


def test_a_list_that_is_not_an_array_is_a_protocol_error(
    api: respx.MockRouter, run: Runner
) -> None:
    api.get("/apps").mock(return_value=httpx.Response(200, json={"id": "x"}))
    with pytest.raises(ProtocolError, match="instead of an array"):
        run("list", "/apps")


def test_get_sends_no_range(api: respx.MockRouter, run: Runner) -> None:
    route = api.get("/account").mock(return_value=httpx.Response(200, json={"email": "a@b"}))
    body, _ = run("get", "/account")
    assert body == {"email": "a@b"}
    assert "Range" not in route.calls.last.request.headers


def test_every_request_carries_accept_authorization_and_user_agent(
    api: respx.MockRouter, run: Runner
) -> None:
    route = api.get("/apps").mock(return_value=page([]))
    run("list", "/apps")
    headers = route.calls.last.request.headers
    assert headers["Accept"] == "application/vnd.heroku+json; version=3"
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["User-Agent"].startswith(f"heroku-gatekeeper/{__version__}")


@pytest.mark.parametrize(
    ("variant", "accept"),
    [
        (None, "application/vnd.heroku+json; version=3"),
        ("3.sdk", "application/vnd.heroku+json; version=3.sdk"),
    ],
)
def test_variant_selects_the_accept_header(
    api: respx.MockRouter, run: Runner, variant: str | None, accept: str
) -> None:
    route = api.get("/apps/x/addons").mock(return_value=page([]))
    run("list", "/apps/x/addons", kwargs={"variant": variant})
    assert route.calls.last.request.headers["Accept"] == accept


def test_an_unknown_variant_is_refused(api: respx.MockRouter, run: Runner) -> None:
    with pytest.raises(ValueError, match="not a Heroku API version"):
        run("get", "/account", kwargs={"variant": "2; evil=1"})


def test_list_models_parses_every_item(api: respx.MockRouter, run: Runner) -> None:
    app = {
        "id": "a1",
        "name": "survey",
        "owner": {"id": "o1", "email": "t@example.org"},
        "team": {"id": "t1", "name": "psych-lab"},
        "region": {"id": "r1", "name": "eu"},
        "space": None,
        "generation": {"id": "g1", "name": "cedar"},
        "stack": {"id": "s", "name": "heroku-24"},
    }
    api.get("/apps").mock(
        side_effect=[
            httpx.Response(206, json=[app], headers={"Next-Range": "]survey..; max=1000"}),
            httpx.Response(200, json=[{**app, "id": "a2", "name": "otree"}]),
        ]
    )
    apps, _ = run("list_models", "/apps", App)
    assert [a.name for a in apps] == ["survey", "otree"]
    assert apps[0].team is not None and apps[0].team.name == "psych-lab"


def test_list_models_mismatch_is_a_protocol_error_naming_the_field(
    api: respx.MockRouter, run: Runner
) -> None:
    api.get("/apps").mock(return_value=httpx.Response(200, json=[{"id": "a", "name": 5}]))
    with pytest.raises(ProtocolError) as caught:
        run("list_models", "/apps", App)
    assert "App schema" in str(caught.value)
    assert "name" in str(caught.value)
