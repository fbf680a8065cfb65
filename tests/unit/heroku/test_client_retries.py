"""Retries: 429 and 5xx (and dropped connections) are retried with backoff and full jitter,
honouring Retry-After, bounded in attempts and in total wait; then the typed error."""

from __future__ import annotations

import random

import httpx
import pytest
import respx
from heroku_fakes import FakeTime, Runner

from gatekeeper.errors import (
    ApiError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from gatekeeper.heroku.ratelimit import RetryPolicy, parse_retry_after, retry_after_seconds

RATE_LIMITED = httpx.Response(
    429,
    json={"id": "rate_limit", "message": "Your account reached the API rate limit"},
    headers={"Retry-After": "7"},
)
OK = httpx.Response(200, json={"email": "admin@uni-example.edu"})


def test_429_waits_out_retry_after(api: respx.MockRouter, run: Runner, fake_time: FakeTime) -> None:
    route = api.get("/account").mock(side_effect=[RATE_LIMITED, OK])
    body, client = run("get", "/account")
    assert body == {"email": "admin@uni-example.edu"}
    assert fake_time.sleeps == [7.0]
    assert route.call_count == 2
    assert client.stats.retries == 1
    assert client.stats.requests_sent == 2


def test_5xx_is_retried_with_jittered_exponential_backoff(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime
) -> None:
    unavailable = httpx.Response(503, json={"id": "unavailable", "message": "down"})
    api.get("/apps").mock(
        side_effect=[unavailable, unavailable, unavailable, httpx.Response(200, json=[])]
    )
    items, client = run("list", "/apps")
    assert items == []
    assert client.stats.retries == 3
    assert len(fake_time.sleeps) == 3
    # Full jitter: each wait is within [0, 0.5 * 2**n].
    for n, slept in enumerate(fake_time.sleeps):
        assert 0.0 <= slept <= 0.5 * 2**n


def test_5xx_gives_up_after_max_retries_with_the_typed_error(
    api: respx.MockRouter, run: Runner
) -> None:
    route = api.get("/apps/survey").mock(
        return_value=httpx.Response(
            500,
            json={"id": "internal_server_error", "message": "Internal server error."},
            headers={"Request-Id": "req-500"},
        )
    )
    with pytest.raises(ServerError) as caught:
        run("get", "/apps/survey", max_retries=2)
    assert route.call_count == 3
    error = caught.value
    assert (error.status, error.error_id, error.request_id, error.path) == (
        500,
        "internal_server_error",
        "req-500",
        "/apps/survey",
    )
    assert "gave up after 3 attempts" in str(error)


def test_429_gives_up_as_rate_limit_error(api: respx.MockRouter, run: Runner) -> None:
    api.get("/account").mock(return_value=RATE_LIMITED)
    with pytest.raises(RateLimitError) as caught:
        run("get", "/account", max_retries=1)
    assert caught.value.error_id == "rate_limit"
    assert "rate limit" in str(caught.value)


def test_retry_after_beyond_the_budget_fails_at_once(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime
) -> None:
    route = api.get("/account").mock(
        return_value=httpx.Response(
            429, json={"id": "rate_limit", "message": "slow down"}, headers={"Retry-After": "3600"}
        )
    )
    with pytest.raises(RateLimitError) as caught:
        run("get", "/account", max_total_wait=60)
    assert route.call_count == 1
    assert fake_time.sleeps == []
    assert "Retry-After 3600s would exceed the 60s retry budget" in str(caught.value)


def test_total_wait_is_bounded(api: respx.MockRouter, run: Runner, fake_time: FakeTime) -> None:
    api.get("/account").mock(
        return_value=httpx.Response(
            503, json={"id": "unavailable", "message": "x"}, headers={"Retry-After": "4"}
        )
    )
    with pytest.raises(ServerError):
        run("get", "/account", max_retries=50, max_total_wait=10)
    assert fake_time.sleeps == [4.0, 4.0]
    assert sum(fake_time.sleeps) <= 10


@pytest.mark.parametrize("status", [400, 401, 403, 404, 406, 409, 422])
def test_client_errors_are_not_retried(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime, status: int
) -> None:
    route = api.get("/apps/x").mock(
        return_value=httpx.Response(status, json={"id": "nope", "message": "no"})
    )
    with pytest.raises(ApiError):
        run("get", "/apps/x")
    assert route.call_count == 1
    assert fake_time.sleeps == []


def test_connection_errors_on_get_are_retried(api: respx.MockRouter, run: Runner) -> None:
    route = api.get("/account").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.RemoteProtocolError("hung up"), OK]
    )
    body, client = run("get", "/account")
    assert body["email"] == "admin@uni-example.edu"
    assert route.call_count == 3
    assert client.stats.retries == 2


def test_connection_errors_give_up_as_transport_error(api: respx.MockRouter, run: Runner) -> None:
    api.get("/account").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TransportError) as caught:
        run("get", "/account", max_retries=2)
    assert "Timed out" in str(caught.value)
    assert "gave up after 3 attempts" in str(caught.value)


def test_not_found_is_immediate(api: respx.MockRouter, run: Runner) -> None:
    api.get("/apps/gone").mock(
        return_value=httpx.Response(
            404, json={"id": "not_found", "message": "Couldn't find that app."}
        )
    )
    with pytest.raises(NotFoundError, match="Couldn't find that app"):
        run("get", "/apps/gone")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        (None, None),
        ("soon", None),
        ("-3", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, rng=random.Random(1))
    delays = [policy.backoff(n, None) for n in range(20)]
    assert all(0.0 <= d <= 5.0 for d in delays)
    assert policy.backoff(3, 12.0) == 12.0


# -- Retry-After as an HTTP-date (RFC 9110) ---------------------------------------------------

SENT = "Wed, 21 Oct 2015 07:28:00 GMT"


def test_a_retry_after_date_is_waited_out_from_the_answers_date(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime
) -> None:
    limited = httpx.Response(
        429,
        json={"id": "rate_limit", "message": "slow down"},
        headers={"Retry-After": "Wed, 21 Oct 2015 07:28:02 GMT", "Date": SENT},
    )
    route = api.get("/account").mock(side_effect=[limited, OK])
    run("get", "/account")
    assert fake_time.sleeps == [2.0]
    assert route.call_count == 2


def test_a_retry_after_date_beyond_the_budget_fails_at_once(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime
) -> None:
    api.get("/account").mock(
        return_value=httpx.Response(
            503,
            json={"id": "unavailable", "message": "down"},
            headers={"Retry-After": "Wed, 21 Oct 2015 08:28:00 GMT", "Date": SENT},
        )
    )
    with pytest.raises(ServerError) as caught:
        run("get", "/account", max_total_wait=120)
    assert fake_time.sleeps == []
    assert "Retry-After 3600s would exceed the 120s retry budget" in str(caught.value)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:05 GMT", "date": SENT}, 5.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:27:00 GMT", "date": SENT}, 0.0),  # in the past
        ({"retry-after": "Wednesday, 21-Oct-15 07:28:03 GMT", "date": SENT}, 3.0),  # RFC 850
        ({"retry-after": "Wed Oct 21 07:28:04 2015", "date": SENT}, 4.0),  # asctime
        ({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, 10.0),  # no Date: the local clock
        ({"retry-after": "Wed, 32 Oct 2015 07:28:10 GMT"}, None),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_seconds(headers: dict[str, str], seconds: float | None) -> None:
    local_now = 1445412480.0  # 2015-10-21 07:28:00 UTC
    assert retry_after_seconds(headers, now=lambda: local_now) == seconds
