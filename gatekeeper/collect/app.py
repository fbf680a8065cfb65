"""Collects the facts one ``gatekeeper check`` needs for one app, in two concurrent waves.

Wave 1 needs only the app name: the app, its details (``APP_DETAILS``: add-ons, log drains),
the region list. Wave 2 needs the app: its team (for the enterprise account), its space (for
Shield) and the space's details (``SPACE_DETAILS``).

The collection itself is written once, as a plan (``_plan``) that yields each wave of named
requests and receives their answers by name; ``collect_app`` runs the waves on the
asynchronous client with asyncio, ``collect_app_sync`` on the synchronous client with one
thread a request (what ``check`` uses: it spares a short-lived process the import of asyncio
and anyio's backend, about a tenth of its time).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from gatekeeper import facts
from gatekeeper.collect import convert, details, owners
from gatekeeper.collect.owners import owned_elsewhere, with_owners
from gatekeeper.collect.parse import (
    REQUEST_FAILURES,
    broken_app,
    parse_answer,
    parse_item,
    request_error,
)
from gatekeeper.errors import GatekeeperError, ProtocolError
from gatekeeper.heroku import endpoints, models
from gatekeeper.needs import Needs

if TYPE_CHECKING:
    from gatekeeper.heroku.interface import HerokuApi, SyncHerokuApi
    from gatekeeper.heroku.models import HerokuModel

T = TypeVar("T")
M = TypeVar("M", bound="HerokuModel")


@dataclass(frozen=True)
class Fetch:
    """One request of a wave: the raw JSON of ``GET path`` (``many``: the whole list)."""

    path: str
    many: bool = False
    variant: str | None = None


# A wave of named requests. The plan yields one, receives the answers by the same names
# (each the raw JSON or the error that stands for it) and finally returns the estate.
Wave = dict[str, Fetch]
Plan = Generator[Wave, dict[str, Any], facts.Estate]


async def collect_app(
    client: HerokuApi, app_name: str, *, needs: Needs | None = None, source: str = ""
) -> facts.Estate:
    """The estate of one app. An unreadable app raises; an unreadable detail becomes a
    ``FactError`` on the app, which the engine turns into an ``api-error`` block."""
    import asyncio

    async def attempt(fetch: Fetch) -> Any:
        try:
            if fetch.many:
                return await client.list(fetch.path, variant=fetch.variant)
            return await client.get(fetch.path, variant=fetch.variant)
        except REQUEST_FAILURES as exc:
            return request_error(exc, fetch.path)

    plan = _plan(app_name, needs=needs or Needs.everything(), source=source)
    wave = next(plan)
    while True:
        # Every request of the wave is awaited to its end, also when the app itself failed:
        # a gather that raised at once would leave the others running on a client about to
        # close.
        answers = await asyncio.gather(*(attempt(fetch) for fetch in wave.values()))
        try:
            wave = plan.send(dict(zip(wave, answers, strict=True)))
        except StopIteration as stop:
            estate: facts.Estate = stop.value
            return estate


def collect_app_sync(
    client: SyncHerokuApi, app_name: str, *, needs: Needs | None = None, source: str = ""
) -> facts.Estate:
    """``collect_app`` on the synchronous client (which is safe to share between threads):
    the requests of a wave run at the same time, one thread each."""
    return drive_sync(client, _plan(app_name, needs=needs or Needs.everything(), source=source))


def drive_sync(client: SyncHerokuApi, plan: Generator[Wave, dict[str, Any], T]) -> T:
    """Runs ``plan`` on the synchronous client: each wave's requests at the same time, one
    thread each, their answers (or the errors standing for them) sent back by name."""

    def attempt(fetch: Fetch) -> Any:
        try:
            if fetch.many:
                return client.list(fetch.path, variant=fetch.variant)
            return client.get(fetch.path, variant=fetch.variant)
        except REQUEST_FAILURES as exc:
            return request_error(exc, fetch.path)

    wave = next(plan)
    while True:
        answers = run_concurrently([_bind(attempt, fetch) for fetch in wave.values()])
        try:
            wave = plan.send(dict(zip(wave, answers, strict=True)))
        except StopIteration as stop:
            result: T = stop.value
            return result


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
    app_details = details.wanted(details.APP_DETAILS, needs)
    space_details = details.wanted(details.SPACE_DETAILS, needs)
    first = tuple(d for d in app_details if not d.fir_only)
    wave1 = {"app": Fetch(endpoints.APP.path(app=app_name))}
    wave1 |= {d.kind: Fetch(d.path(app_name), many=True) for d in first}
    wave1["region"] = Fetch(endpoints.REGIONS.path(), many=True)
    got = yield wave1
    raw_app = got["app"]
    if isinstance(raw_app, GatekeeperError):
        raise raw_app
    app = parse_item(raw_app, models.App)
    if isinstance(app, str):
        broken = _broken(raw_app, app, app_name)
        return facts.Estate(collected_at=datetime.now(UTC), source=source, apps=(broken,))
    generation = models.generation_name(app.generation)
    later = tuple(d for d in details.applying(app_details, generation) if d.fir_only)
    space_details = details.applying(space_details, generation)
    outcomes = {d.kind: d.settle(got[d.kind], app_name) for d in first}
    owner_names = owned_elsewhere(app_name, outcomes.get("addons")) if needs.wants("addons") else ()
    wave2 = _wave2(app, app_name, later, space_details, owner_names, needs)
    if wave2:
        got |= yield wave2

    errors: list[facts.FactError] = []
    team = one_answer(got, "team", endpoints.TEAM, wave2, errors)
    spaces = space_facts(got, wave2, space_details, errors)
    regions = details.read_list(
        "region", endpoints.REGIONS, wave1["region"].path, got["region"], convert.region
    )
    if isinstance(regions, facts.FactError):
        errors.append(regions)
        regions = []
    outcomes |= {d.kind: d.settle(got[d.kind], app_name) for d in later}
    fields = details.fields(details.APP_DETAILS, outcomes, errors)
    this = convert.app(app, fields={}, errors=[], generation=generation)
    owner_facts = {name: _owner(got, name, wave2) for name in owner_names}
    if isinstance(fields.get("addons"), tuple):
        fields["addons"] = with_owners(this, fields["addons"], owner_facts, errors)
    ea = team.enterprise_account if team is not None else None
    return facts.Estate(
        collected_at=datetime.now(UTC),
        source=source,
        apps=(convert.app(app, fields=fields, errors=errors, generation=generation),),
        teams=(convert.team(team),) if team is not None else (),
        enterprise_accounts=(facts.EnterpriseAccount(id=ea.id, name=ea.name),) if ea else (),
        spaces=spaces,
        regions=tuple(r for r in regions if r.name == app.region.name),
    )


def _broken(raw_app: Any, problem: str, app_name: str) -> facts.App:
    """The app whose answer does not parse, kept with its error (the engine blocks it);
    an answer without even an id and a name to keep it under ends the check."""
    team = raw_app.get("team") if isinstance(raw_app, dict) else None
    team_name = team.get("name") if isinstance(team, dict) else None
    broken = broken_app(raw_app, problem, team=team_name if isinstance(team_name, str) else None)
    if broken is None:
        raise ProtocolError(f"The API's answer for app {app_name!r} is unusable ({problem}).")
    return broken


def _wave2(
    app: models.App,
    app_name: str,
    app_details: Sequence[details.Detail[Any]],
    space_details: Sequence[details.Detail[Any]],
    owners: Sequence[str],
    needs: Needs,
) -> Wave:
    """What needs the app: its team, its space and the space's details, the details of a
    Fir app, and the apps owning the add-ons attached to it."""
    wave: Wave = {}
    if app.team is not None:
        wave["team"] = Fetch(endpoints.TEAM.path(team=app.team.id))
    wave |= {d.kind: Fetch(d.path(app_name), many=True) for d in app_details}
    if app.space is not None:
        wave["space"] = Fetch(endpoints.SPACE.path(space=app.space.id))
        wave |= space_fetches(app.space.id, app.space.shield, space_details, needs)
    wave |= {_of_owner(name): Fetch(endpoints.APP.path(app=name)) for name in owners}
    return wave


def space_fetches(
    space_id: str, shield: bool, space_details: Sequence[details.Detail[Any]], needs: Needs
) -> Wave:
    """The requests for a space's details (read into its fact by ``space_facts``), and for
    its Private Space Logging drain when it is a Shield space."""
    wave = {_of_space(d): Fetch(d.path(space_id), many=True) for d in space_details}
    if shield and needs.wants("log-drains"):
        path = endpoints.SPACE_LOG_DRAIN.path(space=space_id)
        wave[SPACE_LOG_DRAIN] = Fetch(path, variant=endpoints.SPACE_LOG_DRAIN.variant)
    return wave


def space_facts(
    got: dict[str, Any],
    wave: Wave,
    space_details: Sequence[details.Detail[Any]],
    errors: list[facts.FactError],
) -> tuple[facts.Space, ...]:
    """The space read as ``"space"`` with its details (``space_fetches``, in ``got`` by
    the names of ``wave``); () when it was not requested or is unreadable."""
    space = one_answer(got, "space", endpoints.SPACE, wave, errors)
    if space is None:
        return ()
    outcomes = {d.kind: d.settle(got[_of_space(d)], space.id) for d in space_details}
    fields = details.fields(details.SPACE_DETAILS, outcomes, errors)
    if SPACE_LOG_DRAIN in wave and space.shield:
        fields["log_drain"] = convert.space_log_drain(
            got[SPACE_LOG_DRAIN], wave[SPACE_LOG_DRAIN].path
        )
    return (convert.space(space, fields),)


def _owner(got: dict[str, Any], name: str, wave: Wave) -> owners.Owner:
    """The app owning an add-on attached to the checked app, or the error that stands for it."""
    return owners.owner_from(got[_of_owner(name)], wave[_of_owner(name)].path)


def _of_owner(name: str) -> str:
    return f"owner {name}"


SPACE_LOG_DRAIN = "space log-drain"


def _of_space(detail: details.Detail[Any]) -> str:
    """The name of a space detail's request in wave 2 (apart from an app detail's)."""
    return f"space {detail.kind}"


def one_answer(
    got: dict[str, Any],
    kind: facts.FactKind,
    endpoint: endpoints.Endpoint[M],
    wave: Wave,
    errors: list[facts.FactError],
) -> M | None:
    """The answer to the request named ``kind`` as ``endpoint``'s model; None when it was
    not requested, or failed (then its FactError is added to ``errors``)."""
    if kind not in got:
        return None
    answer = got[kind]
    parsed = (
        answer
        if isinstance(answer, GatekeeperError)
        else parse_answer(answer, endpoint.model, wave[kind].path)
    )
    if isinstance(parsed, GatekeeperError):
        errors.append(convert.fact_error(kind, parsed))
        return None
    return parsed
