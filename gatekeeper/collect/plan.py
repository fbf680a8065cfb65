"""Collects what exists around an app that is not created yet (``gatekeeper plan``).

An app planned with ``--team``, ``--region`` or ``--space`` has no facts of its own to read;
what decides its fate already exists: the team (and through it the enterprise account), the
space (its region, Shield, generation and its drains) and the region list. Without a team or
a space the app would go to the token's personal account, which ``GET /account`` names.

Two waves, as ``collect_app`` runs them (``drive_sync``): first the team, the space, the
regions and (for a personal account) the account; then what needs the space: its details,
its Private Space Logging drain if it is a Shield space, and its team when no ``--team`` was
given (an app in a space belongs to the space's team). Reading the team, the space or the
regions may fail: each failure is a ``FactError`` for the planned app, which the engine turns
into an ``api-error`` block (fail closed); an account that cannot be read ends the run.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gatekeeper import facts
from gatekeeper.collect import convert, details
from gatekeeper.collect.app import Fetch, Wave, drive_sync, one_answer, space_facts, space_fetches
from gatekeeper.collect.parse import parse_answer
from gatekeeper.errors import GatekeeperError
from gatekeeper.heroku import endpoints, models
from gatekeeper.needs import Needs

if TYPE_CHECKING:
    from gatekeeper.heroku.interface import SyncHerokuApi


@dataclass(frozen=True)
class Surroundings:
    """What exists around a planned app, as the API answered."""

    #: the team, its enterprise account, the space and the regions; no apps
    estate: facts.Estate
    #: the owning team as the API names it (``--team``, else the space's); None: a person's
    team: str | None
    #: the personal account's e-mail address, when no team owns the app
    owner_email: str | None
    #: what could not be read; each is an ``api-error`` block on the planned app
    errors: tuple[facts.FactError, ...]


def collect_surroundings_sync(
    client: SyncHerokuApi,
    *,
    team: str | None,
    space: str | None,
    needs: Needs | None = None,
    source: str = "",
) -> Surroundings:
    """The team, space and regions of an app to be created in ``team`` or ``space``."""
    return drive_sync(client, _plan(team, space, needs=needs or Needs.everything(), source=source))


Plan = Generator[Wave, dict[str, Any], Surroundings]


def _plan(team: str | None, space: str | None, *, needs: Needs, source: str) -> Plan:
    wave1: Wave = {"region": Fetch(endpoints.REGIONS.path(), many=True)}
    if team is not None:
        wave1["team"] = Fetch(endpoints.TEAM.path(team=team))
    if space is not None:
        wave1["space"] = Fetch(endpoints.SPACE.path(space=space))
    if team is None and space is None:
        wave1["account"] = Fetch(endpoints.ACCOUNT.path())
    got = yield wave1
    errors: list[facts.FactError] = []
    owner_email = _account_email(got, wave1)

    wave2: Wave = {}
    space_details: tuple[details.Detail[Any], ...] = ()
    # Its error, if any, is recorded below, when the space is read with its details.
    read_space = one_answer(got, "space", endpoints.SPACE, wave1, [])
    if read_space is not None:
        generation = models.generation_name(read_space.generation)
        space_details = details.applying(details.wanted(details.SPACE_DETAILS, needs), generation)
        wave2 |= space_fetches(read_space.id, read_space.shield, space_details, needs)
        if team is None:
            wave2["team"] = Fetch(endpoints.TEAM.path(team=read_space.team.id))
    if wave2:
        got |= yield wave2

    everything = wave1 | wave2
    read_team = one_answer(got, "team", endpoints.TEAM, everything, errors)
    spaces = space_facts(got, everything, space_details, errors)
    regions = details.read_list(
        "region", endpoints.REGIONS, wave1["region"].path, got["region"], convert.region
    )
    if isinstance(regions, facts.FactError):
        errors.append(regions)
        regions = []
    ea = read_team.enterprise_account if read_team is not None else None
    estate = facts.Estate(
        collected_at=datetime.now(UTC),
        source=source,
        teams=(convert.team(read_team),) if read_team is not None else (),
        enterprise_accounts=(facts.EnterpriseAccount(id=ea.id, name=ea.name),) if ea else (),
        spaces=spaces,
        regions=tuple(regions),
    )
    owner_team = _owner_team(team, read_team, read_space)
    return Surroundings(
        estate=estate, team=owner_team, owner_email=owner_email, errors=tuple(errors)
    )


def _owner_team(
    asked: str | None, read: models.Team | None, space: models.Space | None
) -> str | None:
    """The team that would own the app: as the API names it when it was read, else as
    asked (its read failed, which blocks already), else the space's."""
    if read is not None:
        return read.name
    if asked is not None:
        return asked
    return space.team.name if space is not None else None


def _account_email(got: dict[str, Any], wave: Wave) -> str | None:
    """The personal account's e-mail; an account that cannot be read ends the run: without
    it there is no owner to judge."""
    if "account" not in got:
        return None
    answer = got["account"]
    if isinstance(answer, GatekeeperError):
        raise answer
    parsed = parse_answer(answer, models.Account, wave["account"].path)
    if isinstance(parsed, GatekeeperError):
        raise parsed
    return parsed.email
