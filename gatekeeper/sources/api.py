"""Facts read from the Heroku Platform API.

One app (``AppScope``, what ``check`` asks) is read with the synchronous client, one thread
a request: a check is 5 requests in two waves, and a process that never starts an event loop
is spared importing asyncio and anyio's asyncio backend (about a tenth of the whole check).
An audit's scope is read with the asynchronous client and the bulk list endpoints
(``gatekeeper.collect.estate``).

The API URL and the token are resolved when facts are first collected, not when the source is
made, so that a bad policy or flag is reported before a missing token.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from gatekeeper.sources.interface import AppScope

if TYPE_CHECKING:
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.plan import Surroundings
    from gatekeeper.collect.progress import Progress
    from gatekeeper.facts import Estate
    from gatekeeper.heroku.client import AsyncHerokuClient, HerokuClient
    from gatekeeper.needs import Needs

T = TypeVar("T")


class ApiSource:
    """The Heroku API at ``api_url`` (resolved as the Heroku CLI does: the flag, else
    ``$HEROKU_HOST``, else api.heroku.com), with ``token`` or the resolved one."""

    def __init__(
        self, api_url: str | None = None, *, token: str | None = None, max_in_flight: int = 8
    ) -> None:
        self._flag = api_url
        self._token = token
        self._max_in_flight = max_in_flight
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            from gatekeeper.heroku.config import resolve_api_url

            self._url = resolve_api_url(self._flag)
        return self._url

    @property
    def origin(self) -> str:
        return f"api {self.url}"

    def scope_key(self, scope: AuditScope | None) -> str:
        return _audit_scope(scope).describe()

    def collect(
        self,
        scope: AppScope | AuditScope | None,
        needs: Needs,
        *,
        progress: Progress | None = None,
    ) -> Estate:
        if isinstance(scope, AppScope):
            return self._collect_app(scope.app, needs)
        return self._collect_estate(_audit_scope(scope), needs, progress)

    def _collect_app(self, app: str, needs: Needs) -> Estate:
        from gatekeeper.collect.app import collect_app_sync

        with self._sync_client() as client:
            return collect_app_sync(client, app, needs=needs, source=self.url)

    def _sync_client(self) -> HerokuClient:
        from gatekeeper.heroku import HerokuClient, resolve_token
        from gatekeeper.heroku.config import client_tuning

        url = self.url
        secret = self._token or resolve_token(url).token
        return HerokuClient(url, secret, **client_tuning())

    def surroundings(self, *, team: str | None, space: str | None, needs: Needs) -> Surroundings:
        """What exists around an app to be created in ``team`` or ``space`` (``plan``): read
        with the synchronous client, as a check is."""
        from gatekeeper.collect.plan import collect_surroundings_sync

        with self._sync_client() as client:
            return collect_surroundings_sync(
                client, team=team, space=space, needs=needs, source=self.url
            )

    def _collect_estate(self, scope: AuditScope, needs: Needs, progress: Progress | None) -> Estate:
        from gatekeeper.collect.estate import collect_estate
        from gatekeeper.collect.progress import NullProgress

        url = self.url
        client = make_async_client(url, token=self._token, max_in_flight=self._max_in_flight)

        async def collect() -> Estate:
            async with client:
                return await collect_estate(
                    client, scope, needs=needs, progress=progress or NullProgress(), source=url
                )

        return run_async(collect)


def _audit_scope(scope: AuditScope | None) -> AuditScope:
    """The API has no "everything this source holds" but the token's reach, which must be
    asked for (``--all``): no scope is the audit's usage error "Nothing to audit"."""
    from gatekeeper.collect.estate import AuditScope

    return AuditScope() if scope is None else scope


def make_async_client(
    api_url: str | None, *, token: str | None = None, max_in_flight: int = 8
) -> AsyncHerokuClient:
    """A client for ``api_url`` (resolved as the Heroku CLI does) with the resolved token."""
    from gatekeeper.heroku import AsyncHerokuClient, resolve_api_url, resolve_token
    from gatekeeper.heroku.config import client_tuning

    url = resolve_api_url(api_url)
    secret = token or resolve_token(url).token
    return AsyncHerokuClient(url, secret, max_in_flight=max_in_flight, **client_tuning())


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    # The result travels in a box, not as the main task's result: Python 3.11's asyncio.run
    # formats repr(task) (result included) twice when it restores the SIGINT handler
    # (python/cpython#112559), which costs seconds and megabytes for a large estate.
    import asyncio  # here, not at the top: check runs without an event loop

    box: list[T] = []

    async def main() -> None:
        box.append(await factory())

    asyncio.run(main())
    return box[0]
