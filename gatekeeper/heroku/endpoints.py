"""The Heroku Platform API endpoints the gatekeeper reads: one table, one entry each.

Each entry names the path template (``{name}`` is one path segment), the response model,
whether the answer is ``one`` object or a ``list`` (paged with ``Range``), the schema
definition the model follows, and the ``Accept`` variant (None: version 3). The collectors
build every path from here (``APP_LOG_DRAINS.path(app=name)``), so a user-supplied name always
goes through ``quote_segment``. ``tests/e2e/test_simulator_endpoints.py`` holds the table
against the official schema (``tests/fixtures/heroku-platform-api-schema.json``: the link's
href, method and answer, the model's fields) and against the simulator's routes.

To read a new endpoint, add an entry here and a model in ``gatekeeper.heroku.models``
(docs/architecture.md, "Recipe: a resource kind").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from gatekeeper.heroku import models
from gatekeeper.heroku.models import HerokuModel
from gatekeeper.heroku.paths import quote_segment

M = TypeVar("M", bound=HerokuModel)

_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Endpoint(Generic[M]):
    """``GET template``: ``answer`` is ``"one"`` object or a ``"list"`` of ``model``."""

    template: str
    model: type[M]
    answer: Literal["one", "list"]
    resource: str  # the official schema's definition name, e.g. "team-app"
    variant: str | None = None

    @property
    def many(self) -> bool:
        return self.answer == "list"

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(_PARAMETER.findall(self.template))

    def path(self, **values: str) -> str:
        """The API path with each ``{name}`` replaced by ``values[name]``, quoted as one path
        segment (so a name can never reach another endpoint)."""
        if set(values) != set(self.parameters):
            raise TypeError(f"{self.template} takes {self.parameters}, not {tuple(values)}")
        return _PARAMETER.sub(lambda m: quote_segment(values[m.group(1)]), self.template)


def _one(template: str, model: type[M], resource: str) -> Endpoint[M]:
    return Endpoint(template, model, "one", resource)


def _list(template: str, model: type[M], resource: str) -> Endpoint[M]:
    return Endpoint(template, model, "list", resource)


def _one_of(template: str, model: type[M], resource: str, variant: str) -> Endpoint[M]:
    return Endpoint(template, model, "one", resource, variant)


# -- the account (login, doctor; the audit's free look at its rate budget) -----------------
ACCOUNT = _one("/account", models.Account, "account")
RATE_LIMITS = _one("/account/rate-limits", models.RateLimits, "rate-limit")
OAUTH_AUTHORIZATIONS = _list(
    "/oauth/authorizations", models.OAuthAuthorization, "oauth-authorization"
)

# -- estate-wide lists (the audit) -------------------------------------------------------------
REGIONS = _list("/regions", models.Region, "region")
SPACES = _list("/spaces", models.Space, "space")
TEAMS = _list("/teams", models.Team, "team")
APPS = _list("/apps", models.App, "app")
ADDONS = _list("/addons", models.AddOn, "add-on")
ADDON_ATTACHMENTS = _list("/addon-attachments", models.AddOnAttachment, "add-on-attachment")

# -- one team or enterprise account --------------------------------------------------------
TEAM = _one("/teams/{team}", models.Team, "team")
TEAM_APPS = _list("/teams/{team}/apps", models.TeamApp, "team-app")
TEAM_ADDONS = _list("/teams/{team}/addons", models.AddOn, "add-on")
ENTERPRISE_ACCOUNT_TEAMS = _list("/enterprise-accounts/{ea}/teams", models.Team, "team")

# -- one app and one space (check; the per-app and per-space details of an audit) -----------
APP = _one("/apps/{app}", models.App, "app")
APP_ADDONS = _list("/apps/{app}/addons", models.AddOn, "add-on")
APP_LOG_DRAINS = _list("/apps/{app}/log-drains", models.LogDrain, "log-drain")
APP_TELEMETRY_DRAINS = _list(
    "/apps/{app}/telemetry-drains", models.TelemetryDrain, "telemetry-drain"
)
# `gatekeeper webhooks status`: which apps deliver their events to `gatekeeper serve`.
APP_WEBHOOKS = _list("/apps/{app}/webhooks", models.AppWebhook, "app-webhook")
SPACE = _one("/spaces/{space}", models.Space, "space")
SPACE_TELEMETRY_DRAINS = _list(
    "/spaces/{space}/telemetry-drains", models.TelemetryDrain, "telemetry-drain"
)
# Private Space Logging (Shield spaces): only in the 3.dogwood variant, as `heroku
# spaces:drains:get` asks for it; the answer is a log-drain (docs/heroku-facts.md).
SPACE_LOG_DRAIN = _one_of(
    "/spaces/{space}/log-drain", models.SpaceLogDrain, "space-log-drain", "3.dogwood"
)

#: every entry, for the tests that hold the table against the schema and the simulator
ALL: tuple[Endpoint[Any], ...] = tuple(
    value for value in tuple(globals().values()) if isinstance(value, Endpoint)
)
