"""Add-ons attached from other apps, for the audit (``collect_estate``).

A team's or the estate's add-on list files each add-on under the app that owns it, so an
app never sees an add-on it only has attached. ``GET /addon-attachments`` (every attachment
the token can see, a few pages) says which apps use add-ons they do not own. For each such
app the audit reads ``GET /apps/{app}/addons``, the list ``check`` reads, so both judge the
same add-ons; and each owner outside the listed apps with ``GET /apps/{app}`` (its region and
team), as ``check`` does. ``request_budget`` counts these requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gatekeeper import facts
from gatekeeper.collect import convert, details, owners, reading
from gatekeeper.heroku import endpoints, models
from gatekeeper.heroku.interface import HerokuApi

_Listed = models.App | models.TeamApp


@dataclass
class Attached:
    """What the audit learnt about attachments: the add-on lists of the apps that use
    add-ons owned elsewhere, the owners' facts, or the error that stands for them all."""

    lists: dict[str, details.Outcome] = field(default_factory=dict)
    owners: dict[str, owners.Owner] = field(default_factory=dict)
    error: facts.FactError | None = None

    def addons_of(self, app: str, own: details.Outcome) -> details.Outcome:
        """The add-ons attached to ``app``: its own list, or the whole one of an app that
        uses add-ons owned elsewhere."""
        return self.lists.get(app, own)

    def with_owners(
        self, app: facts.App, addons: tuple[facts.AddOn, ...], errors: list[facts.FactError]
    ) -> tuple[facts.AddOn, ...]:
        if self.error is not None:
            errors.append(self.error)
        return owners.with_owners(app, addons, self.owners, errors)


def attaching_apps(listed: Sequence[models.AddOnAttachment], apps: Mapping[str, Any]) -> list[str]:
    """The names of the listed ``apps`` that have an add-on attached that another app owns."""
    return sorted(
        {a.app.name for a in listed if a.app.name in apps and a.addon.app.name != a.app.name}
    )


async def collect(
    client: HerokuApi, answer: list[Any] | facts.FactError, apps: Mapping[str, _Listed]
) -> Attached:
    """Reads what ``answer`` (the parsed ``GET /addon-attachments``, or its error) says is
    attached from elsewhere to the listed ``apps`` (by name)."""
    if isinstance(answer, facts.FactError):
        return Attached(error=answer)
    users = attaching_apps(answer, apps)
    paths = [endpoints.APP_ADDONS.path(app=name) for name in users]
    raw = await asyncio.gather(*(reading.attempt(client.list(p), p) for p in paths))
    lists: dict[str, details.Outcome] = {}
    for name, path, got in zip(users, paths, raw, strict=True):
        read = details.read_list("addons", endpoints.APP_ADDONS, path, got, convert.addon)
        lists[name] = read if isinstance(read, facts.FactError) else tuple(sorted(read, key=_by_id))
    needed = sorted({o for name in users for o in owners.owned_elsewhere(name, lists[name])})
    found: dict[str, owners.Owner] = {
        name: convert.app(apps[name], fields={}, errors=[]) for name in needed if name in apps
    }
    missing = [name for name in needed if name not in apps]
    answers = await asyncio.gather(
        *(
            reading.attempt(client.get(endpoints.APP.path(app=n)), endpoints.APP.path(app=n))
            for n in missing
        )
    )
    for name, got in zip(missing, answers, strict=True):
        found[name] = owners.owner_from(got, endpoints.APP.path(app=name))
    return Attached(lists=lists, owners=found)


def _by_id(fact: facts.AddOn) -> str:
    return fact.id
