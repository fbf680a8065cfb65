"""Lists: Range with max=1000, Next-Range followed until a 200, and the guards against a
server that loops, goes backwards, repeats a range in another spelling, never ends, or stops
without saying where to go on. Each test runs with both clients."""

from __future__ import annotations

import httpx
import pytest
import respx
from heroku_fakes import TOKEN, Runner

from gatekeeper import __version__
from gatekeeper.errors import ProtocolError
from gatekeeper.heroku.models import App
from gatekeeper.heroku.pagination import MAX_LIST_ITEMS, MAX_PAGES, PAGE_MARGIN, Range

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


# -- a list must move forward, and end ----------------------------------------------------


def id_page(ids: list[str], status: int = 206, next_range: str | None = None) -> httpx.Response:
    headers = {"Next-Range": next_range} if next_range else {}
    return httpx.Response(status, json=[{"id": i} for i in ids], headers=headers)


def test_a_next_range_after_the_last_id_is_followed(api: respx.MockRouter, run: Runner) -> None:
    api.get("/apps").mock(
        side_effect=[
            id_page(["a1", "a2"], 206, "id ]a2..; max=1000"),
            id_page(["b1"], 200),
        ]
    )
    items, _ = run("list", "/apps")
    assert [i["id"] for i in items] == ["a1", "a2", "b1"]


@pytest.mark.parametrize(
    "next_range",
    ["id ]a1..; max=1000", "id ]0..; max=1000", "id a2..; max=1000", "]A1..; max=1000"],
)
def test_a_next_range_that_goes_backwards_stops_at_once(
    api: respx.MockRouter, run: Runner, next_range: str
) -> None:
    route = api.get("/apps").mock(side_effect=[id_page(["a1", "a2"], 206, next_range)])
    with pytest.raises(ProtocolError) as caught:
        run("list", "/apps")
    message = str(caught.value)
    assert "goes backwards" in message and "not after the last id returned ('a2')" in message
    assert "/apps" in message and "fail closed" in message
    assert route.call_count == 1


@pytest.mark.parametrize(
    "respelled", ["id  ..; max=1000", "id ..;max=1000", " id .. ; max=1000", "..; max=1000"]
)
def test_the_first_range_respelled_is_a_repeat(
    api: respx.MockRouter, run: Runner, respelled: str
) -> None:
    route = api.get("/apps").mock(side_effect=[id_page(["a1"], 206, respelled)])
    with pytest.raises(ProtocolError) as caught:
        run("list", "/apps")
    assert "repeats a range already fetched" in str(caught.value)
    assert "spelled differently from 'id ..; max=1000'" in str(caught.value)
    assert route.call_count == 1


def test_a_repeat_in_another_spelling_later_in_the_list(api: respx.MockRouter, run: Runner) -> None:
    route = api.get("/apps").mock(
        side_effect=[
            id_page(["a1"], 206, "id ]a1..; max=1000"),
            id_page(["a1"], 206, "id  ]a1..;  max=1000"),
        ]
    )
    with pytest.raises(ProtocolError, match="repeats a range already fetched"):
        run("list", "/apps")
    assert route.call_count == 2


def test_a_next_range_on_another_field_is_refused(api: respx.MockRouter, run: Runner) -> None:
    api.get("/apps").mock(side_effect=[id_page(["a1"], 206, "name ]zzz..; max=1000")])
    with pytest.raises(ProtocolError, match="is not a range of ids"):
        run("list", "/apps")


def _endless(request: httpx.Request) -> httpx.Response:
    """Full pages of fresh ids after the range asked for, forever."""
    asked = request.headers["Range"]
    start = int(asked.split("]")[1].split("..")[0]) if "]" in asked else 0
    ids = [f"{n:08d}" for n in range(start + 1, start + 1 + 1000)]
    return id_page(ids, 206, f"id ]{ids[-1]}..; max=1000")


def test_an_endless_list_stops_at_the_bound_its_first_page_implies(
    api: respx.MockRouter, run: Runner
) -> None:
    route = api.get("/apps").mock(side_effect=_endless)
    with pytest.raises(ProtocolError) as caught:
        run("list", "/apps")
    assert route.call_count == MAX_LIST_ITEMS // 1000
    message = str(caught.value)
    assert f"did not end after {route.call_count} pages" in message
    assert f"at most {MAX_LIST_ITEMS:,} items" in message


def test_small_pages_after_a_full_first_page_stop_at_the_page_bound(
    api: respx.MockRouter, run: Runner
) -> None:
    first = id_page([f"{n:08d}" for n in range(1, 1001)], 206, "id ]00001000..; max=1000")

    def one_more(request: httpx.Request) -> httpx.Response:
        start = int(request.headers["Range"].split("]")[1].split("..")[0])
        return id_page([f"{start + 1:08d}"], 206, f"id ]{start + 1:08d}..; max=1000")

    route = api.get("/apps").mock(side_effect=[first] + [one_more] * (MAX_PAGES + 5))
    with pytest.raises(ProtocolError, match="did not end after"):
        run("list", "/apps")
    assert route.call_count == MAX_LIST_ITEMS // 1000 + PAGE_MARGIN


def test_the_page_bound_never_exceeds_max_pages(api: respx.MockRouter, run: Runner) -> None:
    def tiny(request: httpx.Request) -> httpx.Response:
        asked = request.headers["Range"]
        start = int(asked.split("]")[1].split("..")[0]) if "]" in asked else 0
        return id_page([f"{start + 1:08d}"], 206, f"id ]{start + 1:08d}..; max=1000")

    route = api.get("/apps").mock(side_effect=tiny)
    with pytest.raises(ProtocolError, match="did not end after"):
        run("list", "/apps")
    assert route.call_count == MAX_PAGES


def test_range_spellings_reduce_to_one_meaning() -> None:
    assert Range.parse("id ..; max=1000") == Range.parse(" id  .. ;max=1000 ")
    assert Range.parse("]abc..; max=1000") == Range.parse("id ]ABC..; max=1000")
    assert Range.parse("id ]abc..; max=1000") != Range.parse("id abc..; max=1000")
    assert Range.parse("no range here") is None
