"""Turns Heroku API response models into facts. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatekeeper import facts
from gatekeeper.drain_url import reduce_drain_url
from gatekeeper.errors import GatekeeperError
from gatekeeper.facts import FactKind
from gatekeeper.heroku import models
from gatekeeper.redact import redact

# Add-ons in these states hold no data for the app any more (or not yet any).
_GONE_STATES = frozenset({"deprovisioned"})


def region(r: models.Region) -> facts.Region:
    return facts.Region(
        name=r.name,
        country=r.country,
        provider_region=r.provider.region,
        private_capable=r.private_capable,
    )


def team(t: models.Team) -> facts.Team:
    ea = t.enterprise_account.name if t.enterprise_account else None
    return facts.Team(id=t.id, name=t.name, enterprise_account=ea)


def space(s: models.Space, fields: Mapping[str, Any] | None = None) -> facts.Space:
    """The space, with the ``fields`` its details were read into (``collect.details``)."""
    return facts.Space(
        id=s.id,
        name=s.name,
        region=s.region.name,
        shield=s.shield,
        team=s.team.name,
        **(fields or {}),
    )


def addon(a: models.AddOn) -> facts.AddOn | None:
    if a.state in _GONE_STATES:
        return None
    return facts.AddOn(
        id=a.id, name=a.name, service=a.addon_service.name, plan=a.plan.name, app=a.app.name
    )


def log_drain(d: models.LogDrain) -> facts.LogDrain:
    host, url = reduce_drain_url(d.url)
    return facts.LogDrain(id=d.id, host=host, url=url, addon=d.addon.name if d.addon else None)


def app(
    a: models.App | models.TeamApp,
    *,
    fields: Mapping[str, Any],
    errors: list[facts.FactError],
) -> facts.App:
    """The app, with the ``fields`` its details were read into (``collect.details``: its
    add-ons and log drains, each sorted by id or the value that says they were not read)."""
    team_name = a.team.name if a.team else None
    owner_email = a.owner.email if a.owner else None
    return facts.App(
        id=a.id,
        name=a.name,
        owner="team" if team_name else "person",
        owner_email=owner_email,
        team=team_name,
        region=a.region.name if a.region else None,
        space=a.space.name if a.space else None,
        errors=tuple(errors),
        **fields,
    )


def fact_error(fact: FactKind, exc: GatekeeperError) -> facts.FactError:
    status = getattr(exc, "status", None)
    return facts.FactError(
        fact=fact,
        message=redact(exc.user_message()),
        status=status if isinstance(status, int) else None,
    )
