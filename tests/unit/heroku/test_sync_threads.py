"""The synchronous client shared between threads, as ``check`` uses it: every request
answered and counted once, the last rate limit kept (a smoke test of sharing: the races the
client's lock guards against are too rare to provoke reliably here)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import httpx
import pytest
from heroku_fakes import BASE, TOKEN

from gatekeeper.heroku.client import HerokuClient

THREADS = 8
REQUESTS = 40


@pytest.fixture
def eager_thread_switches() -> Iterator[None]:
    # Switch threads as often as possible, so that unguarded read-modify-writes would race.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def test_threads_sharing_one_client(eager_thread_switches: None) -> None:
    served = 0
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal served
        with lock:
            served += 1
            remaining = 4500 - served
        return httpx.Response(
            200,
            json={"path": request.url.path},
            headers={"RateLimit-Remaining": str(remaining), "ETag": f'"{request.url.path}"'},
        )

    failures: list[BaseException] = []

    with HerokuClient(
        BASE, TOKEN, transport=httpx.MockTransport(handler), etag_cache=True
    ) as client:

        def work(index: int) -> None:
            try:
                for n in range(REQUESTS):
                    path = f"/apps/app-{index}-{n}"
                    assert client.get(path) == {"path": path}
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert failures == []
        assert served == THREADS * REQUESTS
        assert client.stats.requests_sent == THREADS * REQUESTS
        assert client.stats.retries == 0
        remaining = client.rate_limit_remaining
        assert remaining is not None
        assert 4500 - THREADS * REQUESTS <= remaining < 4500
