"""Collects the facts one ``gatekeeper check`` needs for one app, in two concurrent waves.

Wave 1 needs only the app name: the app, its add-ons, its log drains, the region list.
Wave 2 needs the app: its team (for the enterprise account) and its space (for Shield).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from gatekeeper import facts
from gatekeeper.collect import convert
from gatekeeper.collect.parse import broken_app, parse_item
from gatekeeper.errors import GatekeeperError, ProtocolError
from gatekeeper.heroku import models
from gatekeeper.heroku.interface import HerokuApi
from gatekeeper.heroku.paths import quote_segment


async def _attempt(coro: Any) -> Any:
    """The coroutine's result, or the expected failure it raised (bugs still propagate)."""
    try:
        return await coro
    except GatekeeperError as exc:
        return exc


async def collect_app(client: HerokuApi, app_name: str, *, check_drains: bool = True,
                      source: str = "") -> facts.Estate:
    """The estate of one app. An unreadable app raises; an unreadable detail becomes a
    ``FactError`` on the app, which the engine turns into an ``api-error`` block."""
    app_path = f"/apps/{quote_segment(app_name)}"
    drains_coro = (_attempt(client.list_models(f"{app_path}/log-drains", models.LogDrain))
                   if check_drains else _none())
    # Every request of the wave is awaited to its end, also when the app itself failed: a
    # gather that raised at once would leave the others running on a client about to close.
    raw_app, addons_r, drains_r, regions_r = await asyncio.gather(
        _attempt(client.get(app_path)),
        _attempt(client.list_models(f"{app_path}/addons", models.AddOn)),
        drains_coro,
        _attempt(client.list_models("/regions", models.Region)),
    )
    if isinstance(raw_app, GatekeeperError):
        raise raw_app
    errors: list[facts.FactError] = []
    parsed = parse_item(raw_app, models.App)
    if isinstance(parsed, str):
        team = raw_app.get("team") if isinstance(raw_app, dict) else None
        team_name = team.get("name") if isinstance(team, dict) else None
        broken = broken_app(raw_app, parsed,
                            team=team_name if isinstance(team_name, str) else None)
        if broken is None:
            raise ProtocolError(f"The API's answer for app {app_name!r} is unusable ({parsed}).")
        return facts.Estate(collected_at=datetime.now(UTC), source=source,
                            apps=(broken,))
    app = parsed

    team_r: Any = None
    space_r: Any = None
    wave2 = []
    if app.team is not None:
        wave2.append(_attempt(client.get_model(f"/teams/{quote_segment(app.team.id)}",
                                               models.Team)))
    if app.space is not None:
        wave2.append(_attempt(client.get_model(f"/spaces/{quote_segment(app.space.id)}",
                                               models.Space)))
    results = await asyncio.gather(*wave2)
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

    ea = ((facts.EnterpriseAccount(id=team_r.enterprise_account.id,
                                   name=team_r.enterprise_account.name),)
          if isinstance(team_r, models.Team) and team_r.enterprise_account else ())
    fact_app = convert.app(app, addons=addons, drains=drains, errors=errors)
    return facts.Estate(collected_at=datetime.now(UTC), source=source, apps=(fact_app,),
                        teams=teams, enterprise_accounts=ea, spaces=spaces, regions=regions)


async def _none() -> None:
    return None
