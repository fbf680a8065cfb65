"""Deadlines: a request must be over within its total deadline however slowly its body comes
(``gatekeeper.transport``), and all requests of a run within the run's time limit
(``run_timeout``, ``GATEKEEPER_RUN_TIMEOUT``). Clocks are fakes: nothing here waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx
from heroku_fakes import BASE, TOKEN, FakeTime, Runner

from gatekeeper.errors import TransportError, UsageError
from gatekeeper.heroku.config import DEFAULT_RUN_TIMEOUT, client_tuning
from gatekeeper.transport import (
    AsyncSender,
    IncomingResponse,
    OutgoingRequest,
    SyncSender,
    Timeouts,
    TransportFailure,
)

REQUEST = OutgoingRequest(url=f"{BASE}/account", path="/account", headers={})


class Trickle(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives one byte a "second" of a fake clock."""

    def __init__(self, clock: list[float], size: int = 100) -> None:
        self.clock, self.size, self.sent = clock, size, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.size):
            self.clock[0] += 1.0
            self.sent += 1
            yield b" "

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def _send(mode: str, stream: Trickle, clock: list[float], request: OutgoingRequest) -> object:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream)

    timeouts = Timeouts(connect=2.0, read=3.0)  # the whole request: 5 "seconds"
    if mode == "sync":
        sender = SyncSender(BASE, timeouts, httpx.MockTransport(handler), clock=lambda: clock[0])
        try:
            return sender.send(request)
        finally:
            sender.close()

    async def main() -> object:
        sender = AsyncSender(BASE, timeouts, httpx.MockTransport(handler), clock=lambda: clock[0])
        try:
            return await sender.send(request)
        finally:
            await sender.aclose()

    return asyncio.run(main())


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_trickling_body_ends_at_the_total_deadline(mode: str) -> None:
    clock = [0.0]
    stream = Trickle(clock)
    outcome = _send(mode, stream, clock, REQUEST)
    assert isinstance(outcome, TransportFailure)
    assert outcome.retryable
    assert isinstance(outcome.error, TransportError)
    assert "did not send the whole answer to GET /account within 5s" in str(outcome.error)
    assert stream.sent == 6  # the first byte past the deadline stops the read


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_callers_shorter_deadline_wins(mode: str) -> None:
    clock = [0.0]
    request = OutgoingRequest(url=REQUEST.url, path=REQUEST.path, headers={}, deadline=2.0)
    outcome = _send(mode, Trickle(clock), clock, request)
    assert isinstance(outcome, TransportFailure)
    assert "within 2s" in str(outcome.error)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_body_in_time_is_read_whole(mode: str) -> None:
    clock = [0.0]
    outcome = _send(mode, Trickle(clock, size=4), clock, REQUEST)
    assert isinstance(outcome, IncomingResponse)
    assert outcome.content == b"    "


def test_the_whole_request_defaults_to_connect_plus_read() -> None:
    assert Timeouts().whole_request == 40.0
    assert Timeouts(connect=1, read=2, total=9).whole_request == 9
    # No single wait is longer than the time left for the request.
    assert Timeouts(connect=10, read=30).as_httpx(budget=4).read == 4


# -- the run's time limit -------------------------------------------------------------------


def test_retries_stop_at_the_runs_time_limit(
    api: respx.MockRouter, run: Runner, fake_time: FakeTime
) -> None:
    api.get("/account").mock(
        return_value=httpx.Response(
            503, json={"id": "unavailable", "message": "down"}, headers={"Retry-After": "4"}
        )
    )
    with pytest.raises(TransportError) as caught:
        run("get", "/account", max_retries=50, max_total_wait=1000, run_timeout=10)
    assert fake_time.sleeps == [4.0, 4.0]  # a third wait would end past the limit
    message = str(caught.value)
    assert "the run's time limit of 10s (GATEKEEPER_RUN_TIMEOUT) ran out during GET /account" in (
        message
    )
    assert "Raise GATEKEEPER_RUN_TIMEOUT" in message


def test_a_request_gets_only_the_time_left_of_the_run() -> None:
    from gatekeeper.heroku.client import HerokuClient

    now = [100.0]
    client = HerokuClient(BASE, TOKEN, clock=lambda: now[0], run_timeout=30)
    flow = client._protocol.get("/account")
    now[0] += 12.5
    request = flow.send(None)
    assert isinstance(request, OutgoingRequest)
    assert request.deadline == pytest.approx(17.5)
    now[0] += 20
    with pytest.raises(TransportError, match="run's time limit of 30s"):
        flow.send(TransportFailure(TransportError("slow"), retryable=True))
    client.close()


def test_without_a_run_limit_requests_have_no_deadline_of_their_own() -> None:
    from gatekeeper.heroku.client import HerokuClient

    with HerokuClient(BASE, TOKEN) as client:
        request = client._protocol.get("/account").send(None)
    assert isinstance(request, OutgoingRequest) and request.deadline is None


def test_client_tuning_reads_the_run_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GATEKEEPER_TIMEOUT", "GATEKEEPER_MAX_RETRIES", "GATEKEEPER_RUN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    assert client_tuning() == {"run_timeout": DEFAULT_RUN_TIMEOUT}
    monkeypatch.setenv("GATEKEEPER_RUN_TIMEOUT", "90")
    monkeypatch.setenv("GATEKEEPER_TIMEOUT", "5")
    tuning = client_tuning()
    assert tuning["run_timeout"] == 90.0
    assert tuning["timeout"].whole_request == 10.0
    monkeypatch.setenv("GATEKEEPER_RUN_TIMEOUT", "0")
    with pytest.raises(UsageError, match="GATEKEEPER_RUN_TIMEOUT must be a number"):
        client_tuning()
