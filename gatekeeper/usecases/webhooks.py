"""``gatekeeper webhooks status``: which apps deliver their events to ``gatekeeper serve``.

Read scope only, and it never writes: it lists the apps of a team (or all the token can see),
reads each app's webhook subscriptions (``GET /apps/{app}/webhooks``) and sorts the apps into
subscribed (a subscription to the receiver's URL for every entity the re-check needs),
incomplete (subscribed for fewer entities), missing, and unreadable (fail closed: an app
whose subscriptions could not be read is never counted as subscribed). For each app that is
not subscribed it gives the exact ``heroku webhooks:add`` command, with ``SECRET`` as a
placeholder: the real secret is never printed.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gatekeeper.errors import CouldNotEvaluate

if TYPE_CHECKING:
    from gatekeeper.heroku.interface import SyncHerokuApi

#: The entities whose events change what the gatekeeper judges (issue 14).
ENTITIES = ("api:addon-attachment", "api:addon", "api:app", "api:release")
SECRET_PLACEHOLDER = "SECRET"


@dataclass(frozen=True)
class WebhookStatus:
    receiver: str
    subscribed: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # app, why

    def commands(self) -> list[str]:
        """``heroku webhooks:add`` for every app that has no complete subscription."""
        return [add_command(self.receiver, app) for app in (*self.incomplete, *self.missing)]


def add_command(receiver: str, app: str) -> str:
    return (
        f"heroku webhooks:add -i {','.join(ENTITIES)} -l notify -u {shlex.quote(receiver)} "
        f"-s {SECRET_PLACEHOLDER} -a {shlex.quote(app)}"
    )


def webhook_status(client: SyncHerokuApi, receiver: str, *, team: str | None) -> WebhookStatus:
    """The subscriptions of the apps of ``team`` (None: every app the token can see)."""
    from gatekeeper.heroku import endpoints, models

    if team is not None:
        path = endpoints.TEAM_APPS.path(team=team)
        apps = [a.name for a in client.list_models(path, models.TeamApp)]
    else:
        apps = [a.name for a in client.list_models(endpoints.APPS.path(), models.App)]
    status = WebhookStatus(receiver=receiver.rstrip("/"))
    for app in sorted(set(apps)):
        try:
            hooks = client.list_models(endpoints.APP_WEBHOOKS.path(app=app), models.AppWebhook)
        except CouldNotEvaluate as exc:
            status.unreadable.append((app, exc.message))
            continue
        mine = [h for h in hooks if h.url.rstrip("/") == status.receiver]
        if any(set(ENTITIES) <= set(h.include) for h in mine):
            status.subscribed.append(app)
        elif mine:
            status.incomplete.append(app)
        else:
            status.missing.append(app)
    return status


@contextmanager
def heroku_client(api_url: str | None) -> Iterator[SyncHerokuApi]:
    """The synchronous client on ``api_url`` (else ``$HEROKU_HOST``) with the resolved token,
    as ``check`` reads the API."""
    from gatekeeper.heroku import HerokuClient, resolve_token
    from gatekeeper.heroku.config import client_tuning, resolve_api_url

    url = resolve_api_url(api_url)
    with HerokuClient(url, resolve_token(url).token, **client_tuning()) as client:
        yield client
