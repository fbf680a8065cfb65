"""``AsyncHerokuClient`` and ``HerokuClient``: the Heroku Platform API over HTTP.

Both drive the same flows (``gatekeeper.heroku.protocol``): headers, ``Range`` pagination,
retries with backoff, rate-limit pacing, the ETag cache and error mapping behave identically.
The asynchronous client bounds the requests in flight with a semaphore, so an audit can fetch
many lists at once without flooding the API. ``sleep`` and ``clock`` are injectable so tests
never really wait.

    async with AsyncHerokuClient(resolve_api_url(None), resolve_token().token) as api:
        apps = await api.list_models("/apps", App)
"""

from __future__ import annotations

import builtins
import random
import threading
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from gatekeeper.heroku.config import validate_api_url
from gatekeeper.heroku.credentials import check_token
from gatekeeper.heroku.etag import EtagCache
from gatekeeper.heroku.interface import ClientStats
from gatekeeper.heroku.models import HerokuModel
from gatekeeper.heroku.protocol import (
    ApiProtocol,
    Flow,
    Outcome,
    OutgoingRequest,
    Sleep,
    parse_model,
)
from gatekeeper.heroku.ratelimit import RateLimitPacer, RetryPolicy
from gatekeeper.transport import AsyncSender, SyncSender, Timeouts, user_agent

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=HerokuModel)

DEFAULT_MAX_IN_FLIGHT = 8
DEFAULT_MAX_RETRIES = 5


def _protocol(
    base_url: str,
    token: str,
    *,
    max_retries: int,
    max_total_wait: float,
    slowdown_below: int,
    clock: Callable[[], float] | None,
    rng: random.Random | None,
    etag_cache: bool | EtagCache,
    run_timeout: float | None,
) -> ApiProtocol:
    token = check_token(token, "given to the client")
    if isinstance(etag_cache, EtagCache):
        cache: EtagCache | None = etag_cache
    else:
        cache = EtagCache() if etag_cache else None
    return ApiProtocol(
        validate_api_url(base_url, origin="the client's base URL"),
        token,
        user_agent=user_agent(),
        retry=RetryPolicy(
            max_retries=max_retries, max_total_wait=max_total_wait, rng=rng or random.Random()
        ),
        pacer=RateLimitPacer(threshold=slowdown_below),
        clock=clock or time.monotonic,
        etag_cache=cache,
        run_timeout=run_timeout,
    )


def _timeouts(timeout: float | Timeouts) -> Timeouts:
    return timeout if isinstance(timeout, Timeouts) else Timeouts(connect=timeout, read=timeout)


class AsyncHerokuClient:
    """Asynchronous Heroku Platform API client; use as ``async with``.

    ``max_in_flight`` bounds concurrent requests; ``max_retries`` and ``max_total_wait`` bound
    retries of one request; below ``slowdown_below`` remaining rate-limit tokens requests are
    spaced out; ``etag_cache`` (True, or a shared ``EtagCache``) turns on conditional GETs;
    ``run_timeout`` bounds all requests of the client together, from its creation on.
    ``transport`` (an httpx async transport) and ``sleep``/``clock``/``rng`` are for tests.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        timeout: float | Timeouts = Timeouts(),  # noqa: B008 - immutable
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_total_wait: float = 120.0,
        slowdown_below: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        etag_cache: bool | EtagCache = False,
        run_timeout: float | None = None,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._protocol = _protocol(
            base_url,
            token,
            max_retries=max_retries,
            max_total_wait=max_total_wait,
            slowdown_below=slowdown_below,
            clock=clock,
            rng=rng,
            etag_cache=etag_cache,
            run_timeout=run_timeout,
        )
        # asyncio is imported here, not with the module: the synchronous client (check's) is
        # used in processes that never start an event loop, and asyncio costs ~30 ms to import.
        import asyncio

        self._sender = AsyncSender(self._protocol.base_url, _timeouts(timeout), transport)
        self._sleep = sleep or asyncio.sleep
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self.max_in_flight = max_in_flight

    @property
    def base_url(self) -> str:
        return self._protocol.base_url

    @property
    def stats(self) -> ClientStats:
        """Counters: requests sent, retries, pages, 304s, pacing waits."""
        return self._protocol.stats

    @property
    def rate_limit_remaining(self) -> int | None:
        """The last ``RateLimit-Remaining`` Heroku reported (None before the first answer)."""
        return self._protocol.rate_limit_remaining

    async def get(self, path: str, *, variant: str | None = None) -> Any:
        """The decoded JSON body of ``GET path``."""
        return await self._run(self._protocol.get(path, variant))

    async def get_model(
        self, path: str, model: type[ModelT], *, variant: str | None = None
    ) -> ModelT:
        """``GET path`` parsed into ``model`` (a mismatch is a ``ProtocolError``)."""
        return parse_model(await self.get(path, variant=variant), model, path)

    async def list(self, path: str, *, variant: str | None = None) -> builtins.list[Any]:
        """Every item of the list at ``path`` (``Range`` pages of 1,000, to the end)."""
        return await self._run(self._protocol.list(path, variant))

    async def list_models(
        self, path: str, model: type[ModelT], *, variant: str | None = None
    ) -> builtins.list[ModelT]:
        """Every item of the list at ``path``, each parsed into ``model``."""
        items = await self.list(path, variant=variant)
        return [parse_model(item, model, path) for item in items]

    async def _run(self, flow: Flow[T]) -> T:
        outcome: Outcome | None = None
        # The slot is held for the whole call (its pages, pacing waits and retries), and taken
        # before the flow decides whether to wait: that decision must see the latest
        # RateLimit-Remaining. Calls queued for a slot would otherwise all have decided "no
        # need to wait" when they were queued, and together run the bucket dry (429s).
        async with self._in_flight:
            try:
                while True:
                    action = flow.send(outcome)
                    if isinstance(action, Sleep):
                        await self._sleep(action.seconds)
                        outcome = None
                    else:
                        outcome = await self._send(action)
            except StopIteration as stop:
                return cast(T, stop.value)
            finally:
                flow.close()

    async def _send(self, request: OutgoingRequest) -> Outcome:
        return await self._sender.send(request)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._sender.aclose()

    async def __aenter__(self) -> AsyncHerokuClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncHerokuClient(base_url={self.base_url!r}, max_in_flight={self.max_in_flight})"


class HerokuClient:
    """Synchronous Heroku Platform API client with the same methods; use as ``with``.

    It may be shared between threads (``check`` fetches an app's details in parallel
    threads): the HTTP client is thread-safe, and the shared bookkeeping (counters,
    rate-limit pacing, the ETag cache) is changed under a lock.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float | Timeouts = Timeouts(),  # noqa: B008 - immutable
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_total_wait: float = 120.0,
        slowdown_below: int = 100,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        etag_cache: bool | EtagCache = False,
        run_timeout: float | None = None,
    ) -> None:
        self._protocol = _protocol(
            base_url,
            token,
            max_retries=max_retries,
            max_total_wait=max_total_wait,
            slowdown_below=slowdown_below,
            clock=clock,
            rng=rng,
            etag_cache=etag_cache,
            run_timeout=run_timeout,
        )
        self._sender = SyncSender(self._protocol.base_url, _timeouts(timeout), transport)
        self._sleep = sleep or time.sleep
        # Held while a flow decides (it reads and updates the protocol's shared state), never
        # while a request is on the wire or a wait is taken.
        self._state_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return self._protocol.base_url

    @property
    def stats(self) -> ClientStats:
        """Counters: requests sent, retries, pages, 304s, pacing waits."""
        return self._protocol.stats

    @property
    def rate_limit_remaining(self) -> int | None:
        """The last ``RateLimit-Remaining`` Heroku reported (None before the first answer)."""
        return self._protocol.rate_limit_remaining

    def get(self, path: str, *, variant: str | None = None) -> Any:
        """The decoded JSON body of ``GET path``."""
        return self._run(self._protocol.get(path, variant))

    def get_model(self, path: str, model: type[ModelT], *, variant: str | None = None) -> ModelT:
        """``GET path`` parsed into ``model`` (a mismatch is a ``ProtocolError``)."""
        return parse_model(self.get(path, variant=variant), model, path)

    def list(self, path: str, *, variant: str | None = None) -> builtins.list[Any]:
        """Every item of the list at ``path`` (``Range`` pages of 1,000, to the end)."""
        return self._run(self._protocol.list(path, variant))

    def list_models(
        self, path: str, model: type[ModelT], *, variant: str | None = None
    ) -> builtins.list[ModelT]:
        """Every item of the list at ``path``, each parsed into ``model``."""
        return [parse_model(item, model, path) for item in self.list(path, variant=variant)]

    def _run(self, flow: Flow[T]) -> T:
        outcome: Outcome | None = None
        try:
            while True:
                with self._state_lock:
                    action = flow.send(outcome)
                if isinstance(action, Sleep):
                    self._sleep(action.seconds)
                    outcome = None
                else:
                    outcome = self._sender.send(action)
        except StopIteration as stop:
            return cast(T, stop.value)
        finally:
            flow.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._sender.close()

    def __enter__(self) -> HerokuClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HerokuClient(base_url={self.base_url!r})"
