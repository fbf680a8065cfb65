"""Turns Heroku API response models into facts. Pure functions, no I/O."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gatekeeper import facts
from gatekeeper.collect.parse import parse_answer
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


FIR = "fir"  # the generation whose apps and spaces have telemetry drains


def space(s: models.Space, fields: Mapping[str, Any] | None = None) -> facts.Space:
    """The space, with the ``fields`` its details were read into (``collect.details``)."""
    return facts.Space(
        id=s.id,
        name=s.name,
        region=s.region.name,
        shield=s.shield,
        team=s.team.name,
        generation=models.generation_name(s.generation),
        **(fields or {}),
    )


def addon(a: models.AddOn) -> facts.AddOn | None:
    if a.state in _GONE_STATES:
        return None
    return facts.AddOn(
        id=a.id, name=a.name, service=a.addon_service.name, plan=a.plan.name, app=a.app.name
    )


def with_owner(addon: facts.AddOn, owner: facts.App | None) -> facts.AddOn:
    """``addon`` with the facts of the app that owns it (None: the owner was not read)."""
    if owner is None:
        return addon
    return dataclasses.replace(
        addon, owner_region=owner.region, owner_team=owner.team, owner_account=owner.owner
    )


def space_log_drain(answer: Any, path: str) -> facts.SpaceLogDrain:
    """The Private Space Logging drain from the answer to ``GET path`` (the raw JSON, or the
    error that stands for it). Only an answer that names a URL is a drain; anything else
    (an error status, a body without a URL) is "unknown", never "no drain": the Heroku CLI's
    ``spaces:drains:get`` handles no other answer (docs/heroku-facts.md)."""
    if isinstance(answer, GatekeeperError):
        status = getattr(answer, "status", None)
        said = f"HTTP {status}" if isinstance(status, int) else "no usable answer"
        return facts.SpaceLogDrain(state="unknown", reason=f"the API answered {said}")
    parsed = parse_answer(answer, models.SpaceLogDrain, path)
    if isinstance(parsed, GatekeeperError):
        return facts.SpaceLogDrain(state="unknown", reason="the answer is not a log drain")
    if not parsed.url:
        return facts.SpaceLogDrain(state="unknown", reason="the answer names no drain URL")
    host, url = reduce_drain_url(parsed.url)
    return facts.SpaceLogDrain(state="set", host=host, url=url)


def generation(a: models.App | models.TeamApp, space: models.Space | None) -> str | None:
    """The app's generation: ``GET /apps`` says it; a team's app list does not, so there it
    is its space's (Fir runs only in Fir Private Spaces; an app outside a space is Cedar,
    Dev Center "Heroku Generations"). None: its space was not read."""
    if isinstance(a, models.App):
        return models.generation_name(a.generation)
    if a.space is None:
        return "cedar"
    return models.generation_name(space.generation) if space is not None else None


def app(
    a: models.App | models.TeamApp,
    *,
    fields: Mapping[str, Any],
    errors: list[facts.FactError],
    generation: str | None = None,
) -> facts.App:
    """The app, with the ``fields`` its details were read into (``collect.details``: its
    add-ons and log drains, each sorted by id or the value that says they were not read)."""
    team_name = a.team.name if a.team else None
    owner_email = a.owner.email if a.owner else None
    return facts.App(
        generation=generation,
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
