"""What an audit covers (``AuditScope``) and what collecting it costs (``request_budget``).

``collect_estate`` uses bulk list endpoints only, so the cost grows with pages, not with
apps::

    requests = 1                              GET /account/rate-limits (free)
             + 1                              GET /regions
             + pages(spaces)                  GET /spaces
             + teams lookup                   1 per --team; pages(teams) per --enterprise;
                                              pages(teams) for --all (GET /teams)
             + per team: pages(apps) + pages(add-ons)     (--team / --enterprise)
               or pages(all apps) + pages(all add-ons)    (--all: GET /apps, GET /addons)
             + pages(attachments)             GET /addon-attachments (every attachment the
                                              token can see), when add-ons are judged
             + apps using add-ons owned elsewhere         GET /apps/{app}/addons
             + owners of those add-ons outside the listing  GET /apps/{owner}
             + apps x per-app details         GET /apps/{app}/log-drains, unless the run
                                              does not need drains (gatekeeper.needs)
             + Fir apps x Fir details         GET /apps/{app}/telemetry-drains
             + Fir spaces of apps             GET /spaces/{space}/telemetry-drains
             + Shield spaces of apps          GET /spaces/{space}/log-drain (Private Space
                                              Logging), unless the run does not need drains

where pages(n) = max(1, ceil(n / 1000)). The per-app and per-space details are the entries
of ``gatekeeper.collect.details`` that the run needs and that no bulk list holds (Heroku
offers no bulk endpoint for log drains or telemetry drains); a Fir-only detail is read for
Fir apps and spaces only. ``request_budget`` computes this formula; tests hold the collector
to it. No asyncio here: the CLI builds a scope without importing the collector.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from gatekeeper import facts
from gatekeeper.collect import details
from gatekeeper.errors import UsageError
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
    attachments: int | None = None,
) -> int:
    """The number of requests ``collect_estate`` makes for ``estate`` (the formula above).
    ``attachments``: how many attachments the token sees (default: those of ``estate``)."""
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
    if needs.wants("addons"):
        seen = sum(len(a.addons) for a in estate.apps) if attachments is None else attachments
        users = [a for a in estate.apps if any(a.attached_from_elsewhere(o) for o in a.addons)]
        listed = {a.name for a in estate.apps}
        owners = {o.app for a in users for o in a.addons if a.attached_from_elsewhere(o)}
        total += pages(seen) + len(users) + len(owners - listed)
    per_app = details.per_app_in_audit(needs)
    total += sum(len(details.applying(per_app, a.generation)) for a in estate.apps)
    per_space = details.wanted(details.SPACE_DETAILS, needs)
    for name in {a.space for a in estate.apps if a.space}:
        space = estate.space(name)
        total += len(details.applying(per_space, space.generation if space else None))
        total += bool(space and space.shield and needs.wants("log-drains"))
    return total
