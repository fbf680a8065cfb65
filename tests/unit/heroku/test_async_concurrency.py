"""The asynchronous client bounds the number of requests in flight."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from heroku_fakes import BASE, TOKEN

from gatekeeper.heroku.client import AsyncHerokuClient


class CountingTransport(httpx.AsyncBaseTransport):
    """Answers every request after a few event-loop turns, counting concurrent requests."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.total = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.total += 1
        self.peak = max(self.peak, self.in_flight)
        for _ in range(5):
            await asyncio.sleep(0)
        self.in_flight -= 1
        return httpx.Response(200, json=[{"path": request.url.path}])


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_requests_in_flight_never_exceed_the_limit(limit: int) -> None:
    transport = CountingTransport()

    async def main() -> list[list[Any]]:
        async with AsyncHerokuClient(
            BASE, TOKEN, transport=transport, max_in_flight=limit
        ) as client:
            return list(
                await asyncio.gather(*(client.list(f"/apps/app-{i}/addons") for i in range(30)))
            )

    results = asyncio.run(main())
    assert transport.total == 30
    assert transport.peak == limit
    assert results[7] == [{"path": "/apps/app-7/addons"}]


def test_default_limit_is_eight() -> None:
    client = AsyncHerokuClient(BASE, TOKEN)
    assert client.max_in_flight == 8
    with pytest.raises(ValueError):
        AsyncHerokuClient(BASE, TOKEN, max_in_flight=0)
