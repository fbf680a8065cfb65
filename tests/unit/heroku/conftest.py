"""Fakes for the Heroku client tests: a mocked API (respx), fake time, an in-memory keyring,
and a runner that drives the sync and the async client the same way."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any

import keyring
import pytest
import respx
from heroku_fakes import BASE, TOKEN, BrokenKeyring, FakeTime, MemoryKeyring, Runner

from gatekeeper.heroku.client import AsyncHerokuClient, HerokuClient


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def broken_keyring() -> Iterator[BrokenKeyring]:
    previous = keyring.get_keyring()
    backend = BrokenKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """The Heroku API, mocked: any request not routed by the test fails it."""
    with respx.mock(base_url=BASE, assert_all_mocked=True, assert_all_called=False) as router:
        yield router


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest, fake_time: FakeTime) -> Runner:
    """``run(method, *args, kwargs={...}, **client_options) -> (result, client)`` with the
    sync or the async client: both must behave the same. Exceptions propagate."""

    def run_sync(
        method: str, *args: Any, kwargs: dict[str, Any] | None = None, **options: Any
    ) -> tuple[Any, Any]:
        options.setdefault("rng", random.Random(7))
        with HerokuClient(
            BASE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, **options
        ) as client:
            return getattr(client, method)(*args, **(kwargs or {})), client

    def run_async(
        method: str, *args: Any, kwargs: dict[str, Any] | None = None, **options: Any
    ) -> tuple[Any, Any]:
        options.setdefault("rng", random.Random(7))

        async def main() -> tuple[Any, Any]:
            async with AsyncHerokuClient(
                BASE, TOKEN, sleep=fake_time.async_sleep, clock=fake_time.clock, **options
            ) as client:
                return await getattr(client, method)(*args, **(kwargs or {})), client

        return asyncio.run(main())

    return run_sync if request.param == "sync" else run_async
