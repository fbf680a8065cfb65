"""Collects whole teams, enterprise accounts or everything a token can see (``audit``).

Bulk list endpoints only, so the cost grows with pages, not with apps::

    requests = 1                              GET /account/rate-limits (free)
             + 1                              GET /regions
             + pages(spaces)                  GET /spaces
             + teams lookup                   1 per --team; pages(teams) per --enterprise;
                                              pages(teams) for --all (GET /teams)
             + per team: pages(apps) + pages(add-ons)     (--team / --enterprise)
               or pages(all apps) + pages(all add-ons)    (--all: GET /apps, GET /addons)
             + apps                           GET /apps/{app}/log-drains, unless the policy
                                              sets [logs] check_drains = false

where pages(n) = max(1, ceil(n / 1000)). Log drains are the only per-app request: Heroku
offers no bulk endpoint for them. ``request_budget`` computes this formula; tests hold the
collector to it.
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gatekeeper import facts
from gatekeeper.collect import convert
from gatekeeper.collect.parse import broken_app, parse_item, unnamed_app
from gatekeeper.collect.progress import NullProgress, Progress
from gatekeeper.errors import GatekeeperError, UsageError
from gatekeeper.heroku import models
from gatekeeper.heroku.interface import HerokuApi
from gatekeeper.heroku.paths import quote_segment
from gatekeeper.needs import Needs

PAGE_MAX = 1000


@dataclass(frozen=True)
class AuditScope:
    """What an audit covers: named teams, all teams of enterprise accounts, or everything."""

    teams: tuple[str, ...] = ()
    enterprises: tuple[str, ...] = ()
    everything: bool = False

    def __post_init__(self) -> None:
        if not (self.teams or self.enterprises or self.everything):
            raise UsageError("Nothing to audit.", hint="Name --team, --enterprise or --all.")

    def describe(self) -> str:
        """A stable key for the history store, e.g. ``enterprise:uni,team:psych-lab``."""
        if self.everything:
            return "all"
        parts = [f"enterprise:{e}" for e in sorted(set(self.enterprises))]
        parts += [f"team:{t}" for t in sorted(set(self.teams))]
        return ",".join(parts)


def pages(n: int) -> int:
    return max(1, math.ceil(n / PAGE_MAX))


def request_budget(
    *,
    scope: AuditScope,
    estate: facts.Estate,
    needs: Needs,
    teams_per_enterprise: dict[str, int] | None = None,
) -> int:
    """The number of requests ``collect_estate`` makes for ``estate`` (the formula above)."""
    check_drains = needs.wants("log-drains")
    apps_by_team: dict[str | None, int] = defaultdict(int)
    for app in estate.apps:
        apps_by_team[app.team] += 1
    addons_by_team: dict[str | None, int] = defaultdict(int)
    for app in estate.apps:
        addons_by_team[app.team] += len(app.addons)
    total = 1 + 1 + pages(len(estate.spaces))
    if scope.everything:
        total += pages(len(estate.teams)) + pages(len(estate.apps))
        total += pages(sum(len(a.addons) for a in estate.apps))
    else:
        total += len(set(scope.teams))
        for ea in set(scope.enterprises):
            total += pages((teams_per_enterprise or {}).get(ea, 0))
        for team in {t.name for t in estate.teams}:
            total += pages(apps_by_team[team]) + pages(addons_by_team[team])
    if check_drains:
        total += len(estate.apps)
    return total


@dataclass
class _Collected:
    teams: dict[str, models.Team] = field(default_factory=dict)
    # (payload, team name, the model the endpoint's items follow)
    raw_apps: list[tuple[Any, str | None, type[models.App] | type[models.TeamApp]]] = field(
        default_factory=list
    )
    addons: dict[str, list[facts.AddOn]] = field(default_factory=lambda: defaultdict(list))
    addon_errors: dict[str | None, GatekeeperError] = field(default_factory=dict)


async def collect_estate(
    client: HerokuApi,
    scope: AuditScope,
    *,
    needs: Needs | None = None,
    progress: Progress | None = None,
    source: str = "",
) -> facts.Estate:
    """The estate of ``scope``. A scope that cannot be listed (team unknown, team apps
    unreadable) raises; a detail that cannot be read becomes a ``FactError`` on its apps."""
    check_drains = (needs or Needs.everything()).wants("log-drains")
    progress = progress or NullProgress()
    # Free: tells the progress display how much rate budget this run starts with.
    await _attempt(client.get("/account/rate-limits"))
    progress.phase("listing teams, apps and add-ons")
    regions_task = asyncio.ensure_future(_attempt(client.list_models("/regions", models.Region)))
    spaces_task = asyncio.ensure_future(_attempt(client.list_models("/spaces", models.Space)))

    got = _Collected()
    try:
        await _resolve_teams(client, scope, got)
        if scope.everything:
            await _list_everything(client, got, progress)
        else:
            await _settled(*(_list_team(client, name, got, progress) for name in got.teams))
    except BaseException:
        # The scope cannot be listed: stop the side requests before the client closes.
        for task in (regions_task, spaces_task):
            task.cancel()
        await asyncio.gather(regions_task, spaces_task, return_exceptions=True)
        raise
    regions_r, spaces_r = await asyncio.gather(regions_task, spaces_task)
    _report(progress, client)

    apps: list[tuple[models.App | models.TeamApp | facts.App, str | None]] = []
    for position, (raw, team, model) in enumerate(got.raw_apps):
        parsed = parse_item(raw, model)
        if isinstance(parsed, str):
            broken = broken_app(raw, parsed, team=team)
            # Fail closed: an entry without even an id and a name still gets a decision
            # (block), under a stand-in name, instead of silently leaving the report.
            apps.append((broken or unnamed_app(position, parsed, team=team), team))
        else:
            apps.append((parsed, team))

    drains: dict[str, list[facts.LogDrain] | GatekeeperError] = {}
    if check_drains:
        progress.phase("log drains", total=len(apps))
        names = [a.name for a, _ in apps if not isinstance(a, facts.App)]
        results = await asyncio.gather(*(_drains(client, n, progress) for n in names))
        drains = dict(zip(names, results, strict=True))
        _report(progress, client)

    out_apps = [
        _to_fact(app, team, got, drains, regions_r, spaces_r, check_drains) for app, team in apps
    ]
    progress.close()
    return facts.Estate(
        collected_at=datetime.now(UTC),
        source=source,
        apps=tuple(sorted(out_apps, key=lambda a: a.name)),
        teams=tuple(sorted((convert.team(t) for t in got.teams.values()), key=lambda t: t.name)),
        enterprise_accounts=_enterprise_accounts(got.teams.values()),
        spaces=()
        if isinstance(spaces_r, GatekeeperError)
        else tuple(sorted((convert.space(s) for s in spaces_r), key=lambda s: s.name)),
        regions=()
        if isinstance(regions_r, GatekeeperError)
        else tuple(sorted((convert.region(r) for r in regions_r), key=lambda r: r.name)),
    )


async def _attempt(coro: Any) -> Any:
    try:
        return await coro
    except GatekeeperError as exc:
        return exc


async def _settled(*aws: Any) -> list[Any]:
    """Like ``asyncio.gather``, but every awaitable runs to its end before the first error is
    raised: none is left running (or never awaited) on a client that is about to close."""

    async def outcome(awaitable: Any) -> tuple[bool, Any]:
        try:
            return True, await awaitable
        except Exception as exc:  # noqa: BLE001 - re-raised below, once all have ended
            return False, exc

    results = await asyncio.gather(*(outcome(a) for a in aws))
    for ok, value in results:
        if not ok:
            raise value
    return [value for _, value in results]


def _report(progress: Progress, client: HerokuApi) -> None:
    stats = client.stats
    progress.status(
        requests=stats.requests_sent, rate_remaining=client.rate_limit_remaining, pages=stats.pages
    )


async def _resolve_teams(client: HerokuApi, scope: AuditScope, got: _Collected) -> None:
    """Fills ``got.teams``. Raises when a named team or enterprise account cannot be read:
    without it the audit would not know which apps it owes a decision on."""
    if scope.everything:
        for team in await client.list_models("/teams", models.Team):
            got.teams[team.name] = team
        return
    lookups = [
        client.list_models(f"/enterprise-accounts/{quote_segment(ea)}/teams", models.Team)
        for ea in sorted(set(scope.enterprises))
    ]
    singles = [
        client.get_model(f"/teams/{quote_segment(t)}", models.Team)
        for t in sorted(set(scope.teams))
    ]
    found = await _settled(*lookups, *singles)
    for listed in found[: len(lookups)]:
        for team in listed:
            got.teams[team.name] = team
    for team in found[len(lookups) :]:
        got.teams[team.name] = team


async def _list_team(client: HerokuApi, team: str, got: _Collected, progress: Progress) -> None:
    path = f"/teams/{quote_segment(team)}"
    raw_apps, addons = await _settled(
        client.list(f"{path}/apps"), _attempt(client.list_models(f"{path}/addons", models.AddOn))
    )
    got.raw_apps.extend((raw, team, models.TeamApp) for raw in raw_apps)
    _file_addons(got, addons, team)
    progress.advance(len(raw_apps))
    _report(progress, client)


async def _list_everything(client: HerokuApi, got: _Collected, progress: Progress) -> None:
    raw_apps, addons = await _settled(
        client.list("/apps"), _attempt(client.list_models("/addons", models.AddOn))
    )
    for raw in raw_apps:
        team = raw.get("team") if isinstance(raw, dict) else None
        team_name = team.get("name") if isinstance(team, dict) else None
        got.raw_apps.append((raw, team_name if isinstance(team_name, str) else None, models.App))
    _file_addons(got, addons, None)
    progress.advance(len(raw_apps))


def _file_addons(
    got: _Collected, addons: list[models.AddOn] | GatekeeperError, team: str | None
) -> None:
    if isinstance(addons, GatekeeperError):
        got.addon_errors[team] = addons
        return
    for item in addons:
        fact = convert.addon(item)
        if fact is not None and fact.app:
            got.addons[fact.app].append(fact)


async def _drains(
    client: HerokuApi, app: str, progress: Progress
) -> list[facts.LogDrain] | GatekeeperError:
    result = await _attempt(
        client.list_models(f"/apps/{quote_segment(app)}/log-drains", models.LogDrain)
    )
    progress.advance()
    _report(progress, client)  # the longest phase: keep requests and rate budget current
    if isinstance(result, GatekeeperError):
        return result
    return [convert.log_drain(d) for d in result]


def _to_fact(
    app: models.App | models.TeamApp | facts.App,
    team: str | None,
    got: _Collected,
    drains: dict[str, list[facts.LogDrain] | GatekeeperError],
    regions: list[models.Region] | GatekeeperError,
    spaces: list[models.Space] | GatekeeperError,
    check_drains: bool,
) -> facts.App:
    if isinstance(app, facts.App):
        return app  # its payload was broken; it already carries the error
    errors: list[facts.FactError] = []
    addons: list[facts.AddOn] | None = got.addons.get(app.name, [])
    # --all lists add-ons once (key None); --team/--enterprise once per team.
    addon_error = got.addon_errors.get(None) or got.addon_errors.get(team)
    if addon_error is not None:
        errors.append(convert.fact_error("addons", addon_error))
        addons = None
    app_drains: list[facts.LogDrain] | None = None
    if check_drains:
        result = drains.get(app.name)
        if isinstance(result, GatekeeperError):
            errors.append(convert.fact_error("log-drains", result))
        else:
            app_drains = result or []
    if isinstance(regions, GatekeeperError):
        errors.append(convert.fact_error("region", regions))
    if app.space is not None and isinstance(spaces, GatekeeperError):
        errors.append(convert.fact_error("space", spaces))
    if team is not None and team not in got.teams:
        errors.append(facts.FactError(fact="team", message=f"Team {team!r} was not listed."))
    return convert.app(app, addons=addons, drains=app_drains, errors=errors)


def _enterprise_accounts(teams: Any) -> tuple[facts.EnterpriseAccount, ...]:
    seen: dict[str, facts.EnterpriseAccount] = {}
    for team in teams:
        ea = team.enterprise_account
        if ea is not None:
            seen[ea.name] = facts.EnterpriseAccount(id=ea.id, name=ea.name)
    return tuple(sorted(seen.values(), key=lambda e: e.name))
