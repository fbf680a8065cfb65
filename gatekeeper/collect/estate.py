"""Collects whole teams, enterprise accounts or everything a token can see (``audit``).

Bulk list endpoints only, so the cost grows with pages, not with apps; the formula, and
``AuditScope``, are in ``gatekeeper.collect.scope`` (``request_budget``), and tests hold this
collector to it. The per-app and per-space details (``gatekeeper.collect.details``) are the
only requests made per app or space.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from gatekeeper import facts
from gatekeeper.collect import attachments, convert, details, reading
from gatekeeper.collect.parse import (
    broken_app,
    parse_answer,
    parse_item,
    unnamed_app,
)
from gatekeeper.collect.progress import NullProgress, Progress
from gatekeeper.collect.scope import PAGE_MAX, AuditScope, pages, request_budget
from gatekeeper.errors import GatekeeperError
from gatekeeper.facts import FactKind
from gatekeeper.heroku import endpoints, models
from gatekeeper.heroku.interface import HerokuApi
from gatekeeper.heroku.models import HerokuModel
from gatekeeper.needs import Needs

__all__ = ["PAGE_MAX", "AuditScope", "collect_estate", "pages", "request_budget"]

T = TypeVar("T")
M = TypeVar("M", bound=HerokuModel)


# A listed app: parsed, or kept broken (a facts.App that carries its error).
_Listed = models.App | models.TeamApp | facts.App


@dataclass
class _Collected:
    teams: dict[str, models.Team] = field(default_factory=dict)
    # (payload, team name, the model the endpoint's items follow)
    raw_apps: list[tuple[Any, str | None, type[models.App] | type[models.TeamApp]]] = field(
        default_factory=list
    )
    addons: dict[str, list[facts.AddOn]] = field(default_factory=lambda: defaultdict(list))
    # a listing whose add-ons cannot be told apart (None: GET /addons); one app's add-on
    addon_errors: dict[str | None, facts.FactError] = field(default_factory=dict)
    app_addon_errors: dict[str, facts.FactError] = field(default_factory=dict)


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
    needs = needs or Needs.everything()
    per_app = details.per_app_in_audit(needs)
    per_space = details.wanted(details.SPACE_DETAILS, needs)
    progress = progress or NullProgress()
    # Free: tells the progress display how much rate budget this run starts with.
    await reading.attempt(client.get(endpoints.RATE_LIMITS.path()), endpoints.RATE_LIMITS.path())
    progress.phase("listing teams, apps and add-ons")
    regions_task = asyncio.ensure_future(reading.read_list(client, "region", endpoints.REGIONS))
    spaces_task = asyncio.ensure_future(reading.read_list(client, "space", endpoints.SPACES))

    attachments_task = (
        asyncio.ensure_future(
            reading.read_list(client, "addon-attachments", endpoints.ADDON_ATTACHMENTS)
        )
        if needs.wants("addons")
        else None
    )
    side_tasks = [t for t in (regions_task, spaces_task, attachments_task) if t is not None]

    got = _Collected()
    try:
        await _resolve_teams(client, scope, got)
        if scope.everything:
            await _list_everything(client, got, progress)
        else:
            await reading.settled(*(_list_team(client, name, got, progress) for name in got.teams))
    except BaseException:
        # The scope cannot be listed: stop the side requests before the client closes.
        for task in side_tasks:
            task.cancel()
        await asyncio.gather(*side_tasks, return_exceptions=True)
        raise
    regions_r, spaces_r = await asyncio.gather(regions_task, spaces_task)
    attachments_r = await attachments_task if attachments_task is not None else []
    _report(progress, client)

    apps = _parse_apps(got)
    read = [a for a, _ in apps if not isinstance(a, facts.App)]
    listed_spaces = {} if isinstance(spaces_r, facts.FactError) else {s.id: s for s in spaces_r}
    generations = {a.name: convert.generation(a, _space_of(a, listed_spaces)) for a in read}
    app_outcomes: dict[str, dict[FactKind, details.Outcome]] = {}
    if per_app:
        wanted = {a.name: details.applying(per_app, generations[a.name]) for a in read}
        used = {d.kind for ds in wanted.values() for d in ds}
        labels = [d.label for d in per_app if d.kind in used] or [per_app[0].label]
        progress.phase(", ".join(labels), total=len(apps))
        app_outcomes = await _details_of(client, wanted, progress)
        _report(progress, client)
    space_ids = sorted({a.space.id for a in read if a.space is not None})
    wanted_spaces = {
        key: details.applying(per_space, _space_generation(listed_spaces.get(key)))
        for key in space_ids
    }
    space_outcomes = await _details_of(client, wanted_spaces, None) if per_space else {}
    space_logs = await _space_log_drains(client, space_ids, listed_spaces, needs)
    attached = (
        await attachments.collect(client, attachments_r, {a.name: a for a in read})
        if needs.wants("addons")
        else attachments.Attached()
    )

    world = _World(
        got, regions_r, spaces_r, app_outcomes, space_outcomes, space_logs, generations, attached
    )
    out_apps = [world.app(app, team) for app, team in apps]
    progress.close()
    return facts.Estate(
        collected_at=datetime.now(UTC),
        source=source,
        apps=tuple(sorted(out_apps, key=lambda a: a.name)),
        teams=tuple(sorted((convert.team(t) for t in got.teams.values()), key=lambda t: t.name)),
        enterprise_accounts=_enterprise_accounts(got.teams.values()),
        spaces=world.spaces(),
        regions=()
        if isinstance(regions_r, facts.FactError)
        else tuple(sorted((convert.region(r) for r in regions_r), key=lambda r: r.name)),
    )


def _space_of(
    app: models.App | models.TeamApp, spaces: dict[str, models.Space]
) -> models.Space | None:
    return spaces.get(app.space.id) if app.space is not None else None


def _space_generation(space: models.Space | None) -> str | None:
    return models.generation_name(space.generation) if space is not None else None


async def _space_log_drains(
    client: HerokuApi, space_ids: Sequence[str], spaces: dict[str, models.Space], needs: Needs
) -> dict[str, facts.SpaceLogDrain]:
    """The Private Space Logging drain of each Shield space of the audited apps."""
    if not needs.wants("log-drains"):
        return {}
    shield = [key for key in space_ids if key in spaces and spaces[key].shield]
    endpoint = endpoints.SPACE_LOG_DRAIN
    paths = [endpoint.path(space=key) for key in shield]
    answers = await asyncio.gather(
        *(reading.attempt(client.get(p, variant=endpoint.variant), p) for p in paths)
    )
    return {
        key: convert.space_log_drain(answer, path)
        for key, path, answer in zip(shield, paths, answers, strict=True)
    }


def _report(progress: Progress, client: HerokuApi) -> None:
    stats = client.stats
    progress.status(
        requests=stats.requests_sent, rate_remaining=client.rate_limit_remaining, pages=stats.pages
    )


async def _resolve_teams(client: HerokuApi, scope: AuditScope, got: _Collected) -> None:
    """Fills ``got.teams``. Raises when a named team or enterprise account cannot be read:
    without it the audit would not know which apps it owes a decision on."""
    if scope.everything:
        for team in await reading.models_of(client, endpoints.TEAMS):
            got.teams[team.name] = team
        return
    lookups = [
        reading.models_of(client, endpoints.ENTERPRISE_ACCOUNT_TEAMS, ea=ea)
        for ea in sorted(set(scope.enterprises))
    ]
    singles = [reading.model_of(client, endpoints.TEAM, team=t) for t in sorted(set(scope.teams))]
    found = await reading.settled(*lookups, *singles)
    for listed in found[: len(lookups)]:
        for team in listed:
            got.teams[team.name] = team
    for team in found[len(lookups) :]:
        got.teams[team.name] = team


async def _list_team(client: HerokuApi, team: str, got: _Collected, progress: Progress) -> None:
    addons_path = endpoints.TEAM_ADDONS.path(team=team)
    raw_apps, addons = await reading.settled(
        client.list(endpoints.TEAM_APPS.path(team=team)),
        reading.attempt(client.list(addons_path), addons_path),
    )
    got.raw_apps.extend((raw, team, models.TeamApp) for raw in raw_apps)
    _file_addons(got, addons, team, addons_path)
    progress.advance(len(raw_apps))
    _report(progress, client)


async def _list_everything(client: HerokuApi, got: _Collected, progress: Progress) -> None:
    addons_path = endpoints.ADDONS.path()
    raw_apps, addons = await reading.settled(
        client.list(endpoints.APPS.path()), reading.attempt(client.list(addons_path), addons_path)
    )
    for raw in raw_apps:
        got.raw_apps.append((raw, _team_name(raw), models.App))
    _file_addons(got, addons, None, addons_path)
    progress.advance(len(raw_apps))


def _team_name(raw: Any) -> str | None:
    team = raw.get("team") if isinstance(raw, dict) else None
    name = team.get("name") if isinstance(team, dict) else None
    return name if isinstance(name, str) else None


def _file_addons(
    got: _Collected, addons: list[Any] | GatekeeperError, team: str | None, path: str
) -> None:
    """Files each add-on under its app. An add-on that does not parse is an error of its
    app only, when its app can be told; otherwise of every app of the listing."""
    if isinstance(addons, GatekeeperError):
        got.addon_errors[team] = convert.fact_error("addons", addons)
        return
    for raw in addons:
        item = parse_answer(raw, models.AddOn, path)
        if isinstance(item, GatekeeperError):
            owner = raw.get("app") if isinstance(raw, dict) else None
            name = owner.get("name") if isinstance(owner, dict) else None
            if isinstance(name, str):
                got.app_addon_errors.setdefault(name, convert.fact_error("addons", item))
            else:
                got.addon_errors.setdefault(team, convert.fact_error("addons", item))
            continue
        fact = convert.addon(item)
        if fact is not None and fact.app:
            got.addons[fact.app].append(fact)


def _parse_apps(got: _Collected) -> list[tuple[_Listed, str | None]]:
    """Each listed app parsed, with its team; an app that does not parse is kept broken."""
    apps: list[tuple[_Listed, str | None]] = []
    for position, (raw, team, model) in enumerate(got.raw_apps):
        parsed = parse_item(raw, model)
        if isinstance(parsed, str):
            broken = broken_app(raw, parsed, team=team)
            # Fail closed: an entry without even an id and a name still gets a decision
            # (block), under a stand-in name, instead of silently leaving the report.
            apps.append((broken or unnamed_app(position, parsed, team=team), team))
        else:
            apps.append((parsed, team))
    return apps


async def _details_of(
    client: HerokuApi,
    wanted: Mapping[str, Sequence[details.Detail[Any]]],
    progress: Progress | None,
) -> dict[str, dict[FactKind, details.Outcome]]:
    """The ``wanted[key]`` details of each app or space ``key``, all requested at once (the
    client bounds how many are in flight)."""
    keys = list(wanted)
    results = await asyncio.gather(*(_details(client, wanted[k], k, progress) for k in keys))
    return dict(zip(keys, results, strict=True))


async def _details(
    client: HerokuApi, wanted: Sequence[details.Detail[Any]], key: str, progress: Progress | None
) -> dict[FactKind, details.Outcome]:
    """The ``wanted`` details of one app or space (``key``: its name or id), read at once."""
    paths = [d.path(key) for d in wanted]
    answers = await asyncio.gather(*(reading.attempt(client.list(p), p) for p in paths))
    if progress is not None:
        progress.advance()
        _report(progress, client)  # the longest phase: keep requests and rate budget current
    return {d.kind: d.settle(a, key) for d, a in zip(wanted, answers, strict=True)}


@dataclass
class _World:
    """What was collected, to turn each listed app into its facts."""

    got: _Collected
    regions: list[models.Region] | facts.FactError
    spaces_listed: list[models.Space] | facts.FactError
    app_outcomes: dict[str, dict[FactKind, details.Outcome]]
    space_outcomes: dict[str, dict[FactKind, details.Outcome]]
    space_logs: dict[str, facts.SpaceLogDrain]
    generations: dict[str, str | None]
    attached: attachments.Attached

    def app(self, app: _Listed, team: str | None) -> facts.App:
        if isinstance(app, facts.App):
            return app  # its payload was broken; it already carries the error
        errors: list[facts.FactError] = []
        got = self.got
        # --all lists add-ons once (key None); --team/--enterprise once per team.
        addon_error = (
            got.addon_errors.get(None)
            or got.addon_errors.get(team)
            or got.app_addon_errors.get(app.name)
        )
        own: details.Outcome = addon_error or tuple(
            sorted(got.addons.get(app.name, []), key=_by_id)
        )
        outcomes: dict[FactKind, details.Outcome] = {
            "addons": self.attached.addons_of(app.name, own)
        }
        outcomes |= self.app_outcomes.get(app.name, {})
        fields = details.fields(details.APP_DETAILS, outcomes, errors)
        generation = self.generations.get(app.name)
        this = convert.app(app, fields={}, errors=[], generation=generation)
        if isinstance(fields.get("addons"), tuple):
            fields["addons"] = self.attached.with_owners(this, fields["addons"], errors)
        if isinstance(self.regions, facts.FactError):
            errors.append(self.regions)
        if app.space is not None:
            if isinstance(self.spaces_listed, facts.FactError):
                errors.append(self.spaces_listed)
            details.fields(details.SPACE_DETAILS, self.space_outcomes.get(app.space.id, {}), errors)
        if team is not None and team not in got.teams:
            errors.append(facts.FactError(fact="team", message=f"Team {team!r} was not listed."))
        return convert.app(app, fields=fields, errors=errors, generation=generation)

    def spaces(self) -> tuple[facts.Space, ...]:
        if isinstance(self.spaces_listed, facts.FactError):
            return ()
        out = []
        for space in self.spaces_listed:
            outcomes = self.space_outcomes.get(space.id, {})
            fields = details.fields(details.SPACE_DETAILS, outcomes, [])
            if space.id in self.space_logs:
                fields["log_drain"] = self.space_logs[space.id]
            out.append(convert.space(space, fields))
        return tuple(sorted(out, key=lambda s: s.name))


def _by_id(fact: facts.AddOn) -> str:
    return fact.id


def _enterprise_accounts(teams: Any) -> tuple[facts.EnterpriseAccount, ...]:
    seen: dict[str, facts.EnterpriseAccount] = {}
    for team in teams:
        ea = team.enterprise_account
        if ea is not None:
            seen[ea.name] = facts.EnterpriseAccount(id=ea.id, name=ea.name)
    return tuple(sorted(seen.values(), key=lambda e: e.name))
