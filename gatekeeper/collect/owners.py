"""The apps that own the add-ons attached to an app: one step both collectors take.

``GET /apps/{app}/addons`` lists every add-on attached to the app, also those owned (billed)
by another app, possibly in another team, region or personal account (docs/design.md#3).
The data of such an add-on lives with its owner, so each add-on fact carries its owner's
region, team and kind of account (``facts.AddOn.owner_region`` ...). An owner that cannot be
read is a ``FactError("addon-attachments")`` of the attaching app (fail closed: the rules
would not know where the data is or whose contract covers it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gatekeeper import facts
from gatekeeper.collect import convert
from gatekeeper.collect.parse import parse_answer
from gatekeeper.errors import GatekeeperError
from gatekeeper.heroku import models

#: an owner app's facts, or the error that stands for them
Owner = facts.App | facts.FactError


def owner_from(answer: Any, path: str) -> Owner:
    """The owner app from the answer to ``GET path`` (``GET /apps/{app}``), or its error."""
    parsed = (
        answer if isinstance(answer, GatekeeperError) else parse_answer(answer, models.App, path)
    )
    if isinstance(parsed, GatekeeperError):
        return convert.fact_error("addon-attachments", parsed)
    return convert.app(parsed, fields={}, errors=[])


def owned_elsewhere(app_name: str, addons: object) -> tuple[str, ...]:
    """The names of the apps owning add-ons listed for ``app_name`` that it does not own
    (``addons``: the add-on detail's outcome; () when it failed)."""
    if not isinstance(addons, tuple):
        return ()
    return tuple(
        sorted(
            {
                a.app
                for a in addons
                if isinstance(a, facts.AddOn) and a.app is not None and a.app != app_name
            }
        )
    )


def with_owners(
    app: facts.App,
    addons: tuple[facts.AddOn, ...],
    owners: Mapping[str, Owner],
    errors: list[facts.FactError],
) -> tuple[facts.AddOn, ...]:
    """``addons`` of ``app`` with their owners' facts: ``app`` for its own, ``owners[name]``
    for the others. An owner that could not be read adds one error to ``errors``; an owner
    not in ``owners`` leaves the add-on's owner facts unknown (None)."""
    out = []
    reported: set[str] = set()
    for addon in addons:
        if not app.attached_from_elsewhere(addon):
            out.append(convert.with_owner(addon, app))
            continue
        owner = owners.get(addon.app or "")
        if isinstance(owner, facts.FactError):
            if addon.app not in reported:
                reported.add(addon.app or "")
                errors.append(
                    dataclasses.replace(
                        owner,
                        message=f"The app {addon.app} that owns the attached add-on "
                        f"{addon.name} could not be read: {owner.message}",
                    )
                )
            out.append(addon)
        else:
            out.append(convert.with_owner(addon, owner))
    return tuple(out)
