"""Collects the facts one ``gatekeeper check`` needs for one app, in two concurrent waves.

Wave 1 needs only the app name: the app, its add-ons, its log drains, the region list.
Wave 2 needs the app: its team (for the enterprise account) and its space (for Shield).

The collection itself is written once, as a plan (``_plan``) that yields each wave of
requests and receives their results; ``collect_app`` runs the waves on the asynchronous
client with asyncio, ``collect_app_sync`` on the synchronous client with one thread a request
(what ``check`` uses: it spares a short-lived process the import of asyncio and anyio's
backend, about a tenth of its time).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from gatekeeper import facts
from gatekeeper.collect import convert
from gatekeeper.collect.parse import broken_app, parse_item
from gatekeeper.errors import GatekeeperError, ProtocolError
from gatekeeper.heroku import models
from gatekeeper.heroku.paths import quote_segment
from gatekeeper.needs import Needs

if TYPE_CHECKING:
    from pydantic import BaseModel

    from gatekeeper.heroku.interface import HerokuApi, SyncHerokuApi

T = TypeVar("T")


@dataclass(frozen=True)
class Fetch:
    """One request of a wave: ``GET path`` as raw JSON (no ``model``), parsed into ``model``,
    or (``many``) the whole list at ``path`` with each item parsed into ``model``."""

    path: str
    model: type[BaseModel] | None = None
    many: bool = False


# Yields a wave of requests, receives their results in the same order (each the answer or
# the expected failure it raised), returns the estate.
Plan = Generator[list[Fetch], list[Any], facts.Estate]


async def collect_app(
    client: HerokuApi, app_name: str, *, needs: Needs | None = None, source: str = ""
) -> facts.Estate:
    """The estate of one app. An unreadable app raises; an unreadable detail becomes a
    ``FactError`` on the app, which the engine turns into an ``api-error`` block."""
    import asyncio

    async def attempt(fetch: Fetch) -> Any:
        try:
            if fetch.model is None:
                return await client.get(fetch.path)
            if fetch.many:
                return await client.list_models(fetch.path, fetch.model)
            return await client.get_model(fetch.path, fetch.model)
        except GatekeeperError as exc:
            return exc

    plan = _plan(app_name, needs=needs or Needs.everything(), source=source)
    wave = next(plan)
    while True:
        # Every request of the wave is awaited to its end, also when the app itself failed:
        # a gather that raised at once would leave the others running on a client about to
        # close.
        results = list(await asyncio.gather(*(attempt(fetch) for fetch in wave)))
        try:
            wave = plan.send(results)
        except StopIteration as stop:
            estate: facts.Estate = stop.value
            return estate


def collect_app_sync(
    client: SyncHerokuApi, app_name: str, *, needs: Needs | None = None, source: str = ""
) -> facts.Estate:
    """``collect_app`` on the synchronous client (which is safe to share between threads):
    the requests of a wave run at the same time, one thread each."""

    def attempt(fetch: Fetch) -> Any:
        try:
            if fetch.model is None:
                return client.get(fetch.path)
            if fetch.many:
                return client.list_models(fetch.path, fetch.model)
            return client.get_model(fetch.path, fetch.model)
        except GatekeeperError as exc:
            return exc

    plan = _plan(app_name, needs=needs or Needs.everything(), source=source)
    wave = next(plan)
    while True:
        results = run_concurrently([_bind(attempt, fetch) for fetch in wave])
        try:
            wave = plan.send(results)
        except StopIteration as stop:
            estate: facts.Estate = stop.value
            return estate


def _bind(function: Callable[[Fetch], T], fetch: Fetch) -> Callable[[], T]:
    return lambda: function(fetch)


def run_concurrently(calls: Sequence[Callable[[], T]]) -> list[T]:
    """The results of ``calls``, run at the same time (the first in this thread, the others
    in threads of their own), in order. Every call runs to its end before this returns (none
    is left running on a client about to close); if any raised, the first one's exception
    is raised then. Only a Ctrl-C comes through at once: the process is ending."""
    unfinished = RuntimeError("A concurrent call ended without a result.")
    outcomes: list[tuple[bool, Any]] = [(False, unfinished)] * len(calls)

    def run(index: int) -> None:
        # Exception, not BaseException: a Ctrl-C (KeyboardInterrupt, raised in the main
        # thread) must end the wait at once, not after the other requests' answers.
        try:
            outcomes[index] = (True, calls[index]())
        except Exception as exc:  # noqa: BLE001 - handed to the calling thread
            outcomes[index] = (False, exc)

    # Daemon threads: a Ctrl-C in the main thread ends the process without waiting for them.
    threads = [
        threading.Thread(target=run, args=(index,), daemon=True, name=f"gatekeeper-request-{index}")
        for index in range(1, len(calls))
    ]
    for thread in threads:
        thread.start()
    if calls:
        run(0)
    for thread in threads:
        thread.join()
    results: list[T] = []
    for succeeded, value in outcomes:
        if not succeeded:
            raise value
        results.append(value)
    return results


def _plan(app_name: str, *, needs: Needs, source: str) -> Plan:
    check_drains = needs.wants("log-drains")
    app_path = f"/apps/{quote_segment(app_name)}"
    wave1 = [Fetch(app_path), Fetch(f"{app_path}/addons", models.AddOn, many=True)]
    if check_drains:
        wave1.append(Fetch(f"{app_path}/log-drains", models.LogDrain, many=True))
    wave1.append(Fetch("/regions", models.Region, many=True))
    raw_app, addons_r, *rest = yield wave1
    drains_r: Any = rest[0] if check_drains else None
    regions_r: Any = rest[-1]
    if isinstance(raw_app, GatekeeperError):
        raise raw_app
    errors: list[facts.FactError] = []
    parsed = parse_item(raw_app, models.App)
    if isinstance(parsed, str):
        team = raw_app.get("team") if isinstance(raw_app, dict) else None
        team_name = team.get("name") if isinstance(team, dict) else None
        broken = broken_app(raw_app, parsed, team=team_name if isinstance(team_name, str) else None)
        if broken is None:
            raise ProtocolError(f"The API's answer for app {app_name!r} is unusable ({parsed}).")
        return facts.Estate(collected_at=datetime.now(UTC), source=source, apps=(broken,))
    app = parsed

    team_r: Any = None
    space_r: Any = None
    wave2 = []
    if app.team is not None:
        wave2.append(Fetch(f"/teams/{quote_segment(app.team.id)}", models.Team))
    if app.space is not None:
        wave2.append(Fetch(f"/spaces/{quote_segment(app.space.id)}", models.Space))
    results = (yield wave2) if wave2 else []
    if app.team is not None:
        team_r = results[0]
    if app.space is not None:
        space_r = results[-1]

    teams: tuple[facts.Team, ...] = ()
    if isinstance(team_r, GatekeeperError):
        errors.append(convert.fact_error("team", team_r))
    elif team_r is not None:
        teams = (convert.team(team_r),)
    spaces: tuple[facts.Space, ...] = ()
    if isinstance(space_r, GatekeeperError):
        errors.append(convert.fact_error("space", space_r))
    elif space_r is not None:
        spaces = (convert.space(space_r),)
    regions: tuple[facts.Region, ...] = ()
    if isinstance(regions_r, GatekeeperError):
        errors.append(convert.fact_error("region", regions_r))
    else:
        regions = tuple(convert.region(r) for r in regions_r if r.name == app.region.name)

    addons: list[facts.AddOn] | None = None
    if isinstance(addons_r, GatekeeperError):
        errors.append(convert.fact_error("addons", addons_r))
    else:
        addons = [a for a in (convert.addon(x) for x in addons_r) if a is not None]
    drains: list[facts.LogDrain] | None = None
    if isinstance(drains_r, GatekeeperError):
        errors.append(convert.fact_error("log-drains", drains_r))
    elif drains_r is not None:
        drains = [convert.log_drain(d) for d in drains_r]

    ea = (
        (
            facts.EnterpriseAccount(
                id=team_r.enterprise_account.id, name=team_r.enterprise_account.name
            ),
        )
        if isinstance(team_r, models.Team) and team_r.enterprise_account
        else ()
    )
    fact_app = convert.app(app, addons=addons, drains=drains, errors=errors)
    return facts.Estate(
        collected_at=datetime.now(UTC),
        source=source,
        apps=(fact_app,),
        teams=teams,
        enterprise_accounts=ea,
        spaces=spaces,
        regions=regions,
    )
