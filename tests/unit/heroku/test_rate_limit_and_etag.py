"""Pacing against RateLimit-Remaining, and the optional ETag cache."""

from __future__ import annotations

import httpx
import pytest
import respx
from heroku_fakes import FakeTime, Runner

from gatekeeper.errors import ProtocolError
from gatekeeper.heroku.etag import CachedPage, EtagCache
from gatekeeper.heroku.ratelimit import RateLimitPacer, parse_remaining


def remaining(
    n: int, body: object = None, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status,
        json=body if body is not None else [],
        headers={"RateLimit-Remaining": str(n), **(headers or {})},
    )


def test_no_waiting_while_plenty_remains(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime
) -> None:
    api.get("/apps").mock(
        side_effect=[
            remaining(4000, status=206, headers={"Next-Range": "]a..; max=1000"}),
            remaining(3999),
        ]
    )
    _, client = run("list", "/apps")
    assert fake_time.sleeps == []
    assert client.rate_limit_remaining == 3999


def test_slows_down_as_remaining_approaches_zero(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime
) -> None:
    pages = [
        remaining(n, status=206, headers={"Next-Range": f"]p{n}..; max=1000"})
        for n in (80, 40, 10, 0)
    ] + [remaining(0)]
    api.get("/apps").mock(side_effect=pages)
    _, client = run("list", "/apps", slowdown_below=100)
    # No wait before the first request (nothing known yet); then waits that grow as the
    # bucket empties, reaching two refill periods (2 x 60/75 s) at zero.
    assert fake_time.sleeps == pytest.approx([0.32, 0.96, 1.44, 1.6])
    assert client.stats.paced_waits == 4
    assert client.stats.retries == 0
    assert client.rate_limit_remaining == 0


def test_pacer_spaces_concurrent_requests_on_one_schedule() -> None:
    pacer = RateLimitPacer(threshold=100)
    # Requests reserved at the same instant are sent one interval (0.8 s at 50 left) apart.
    waits = [pacer.reserve(50, now=10.0) for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.8, 1.6])
    # Time that has passed since the last send counts: no wait long after it.
    assert pacer.reserve(50, now=100.0) == 0.0
    assert pacer.reserve(50, now=100.5) == pytest.approx(0.3)
    assert pacer.reserve(500, now=100.5) == 0.0
    assert pacer.reserve(None, now=100.5) == 0.0


def test_a_retry_backoff_counts_towards_pacing(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime
) -> None:
    api.get("/account").mock(
        side_effect=[
            httpx.Response(
                429,
                json={"id": "rate_limit", "message": "x"},
                headers={"RateLimit-Remaining": "0", "Retry-After": "3"},
            ),
            remaining(0, body={}),
        ]
    )
    run("get", "/account")
    assert fake_time.sleeps == [3.0]  # Retry-After already spaced the retry out


@pytest.mark.parametrize(
    ("value", "expected"), [("4500", 4500), (" 12 ", 12), ("-1", 0), ("x", None), (None, None)]
)
def test_parse_remaining(value: str | None, expected: int | None) -> None:
    assert parse_remaining(value) == expected


def test_etag_cache_serves_the_cached_body_on_304(api: respx.MockRouter, run: Runner) -> None:
    route = api.get("/apps/survey").mock(
        side_effect=[
            httpx.Response(200, json={"name": "survey"}, headers={"ETag": '"v1"'}),
            httpx.Response(304, headers={"ETag": '"v1"'}),
        ]
    )
    cache = EtagCache()
    first, _ = run("get", "/apps/survey", etag_cache=cache)
    second, client = run("get", "/apps/survey", etag_cache=cache)
    assert first == second == {"name": "survey"}
    assert "If-None-Match" not in route.calls[0].request.headers
    assert route.calls[1].request.headers["If-None-Match"] == '"v1"'
    assert client.stats.not_modified == 1


def test_etag_cache_keeps_next_range_of_cached_pages(api: respx.MockRouter, run: Runner) -> None:
    route = api.get("/apps").mock(
        side_effect=[
            httpx.Response(206, json=[1], headers={"ETag": '"p1"', "Next-Range": "]1..; max=1000"}),
            httpx.Response(200, json=[2], headers={"ETag": '"p2"'}),
            httpx.Response(304),
            httpx.Response(304),
        ]
    )
    cache = EtagCache()
    assert run("list", "/apps", etag_cache=cache)[0] == [1, 2]
    items, client = run("list", "/apps", etag_cache=cache)
    assert items == [1, 2]
    assert client.stats.not_modified == 2
    assert [c.request.headers.get("If-None-Match") for c in route.calls] == [
        None,
        None,
        '"p1"',
        '"p2"',
    ]


def test_etag_cache_is_off_by_default(api: respx.MockRouter, run: Runner) -> None:
    route = api.get("/account").mock(
        return_value=httpx.Response(200, json={}, headers={"ETag": '"v1"'})
    )
    run("get", "/account")
    run("get", "/account")
    assert all("If-None-Match" not in c.request.headers for c in route.calls)


def test_304_without_a_cached_copy_is_a_protocol_error(api: respx.MockRouter, run: Runner) -> None:
    api.get("/account").mock(return_value=httpx.Response(304))
    with pytest.raises(ProtocolError, match="304"):
        run("get", "/account")


def test_cached_bodies_cannot_be_altered_by_callers(api: respx.MockRouter, run: Runner) -> None:
    api.get("/apps").mock(
        side_effect=[
            httpx.Response(200, json=[{"n": 1}], headers={"ETag": '"v"'}),
            httpx.Response(304),
        ]
    )
    cache = EtagCache()
    first, _ = run("list", "/apps", etag_cache=cache)
    first.append("mutated")
    second, _ = run("list", "/apps", etag_cache=cache)
    assert second == [{"n": 1}]


def test_etag_cache_is_bounded_lru() -> None:
    cache = EtagCache(max_entries=2)
    page = CachedPage(etag='"e"', status=200, content=b"[]", next_range=None)
    cache.put(("a", "v3", None), page)
    cache.put(("b", "v3", None), page)
    assert cache.get(("a", "v3", None)) is page  # "a" is now the most recent
    cache.put(("c", "v3", None), page)
    assert cache.get(("b", "v3", None)) is None
    assert len(cache) == 2
