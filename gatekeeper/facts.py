"""The facts model: what the gatekeeper knows about an estate, independent of the API.

The Heroku client fills it (``gatekeeper.collect``), snapshots store it as JSON, tests build
it directly, and the pure engine (``gatekeeper.engine``) reads it. Nothing here does I/O.

Fail closed: a fact that could not be read is recorded in ``App.errors`` (the engine turns
each into an ``api-error`` block); it is never silently left out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ESTATE_SCHEMA = "gatekeeper.estate/v1"

#: The kinds of fact the collectors read and the rules judge. A ``FactError`` names the kind
#: that could not be read; ``gatekeeper.needs.Needs`` says which kinds a run collects.
FactKind = Literal[
    "app",
    "team",
    "enterprise-account",
    "space",
    "region",
    "addons",
    "log-drains",
]


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Region(_Fact):
    """A Heroku region as ``GET /regions`` describes it."""

    name: str  # "us", "eu", "frankfurt", ...
    country: str | None = None  # Heroku's own wording, e.g. "Germany"; evidence only
    provider_region: str | None = None  # the AWS region, e.g. "eu-central-1"
    private_capable: bool = False


class EnterpriseAccount(_Fact):
    id: str
    name: str


class Team(_Fact):
    id: str
    name: str
    enterprise_account: str | None = None  # name of the enterprise account, if any


class Space(_Fact):
    id: str
    name: str
    region: str  # region name
    shield: bool = False
    team: str | None = None


class AddOn(_Fact):
    id: str
    name: str  # e.g. "postgresql-curved-12345"
    service: str  # add-on service name, e.g. "heroku-postgresql"
    plan: str  # full plan name, e.g. "heroku-postgresql:essential-0"
    app: str | None = None  # name of the app that owns (bills) it


class LogDrain(_Fact):
    id: str
    host: str  # host the drain sends to; "" when the URL has none
    url: str  # the drain URL with credentials, query and fragment removed
    addon: str | None = None  # name of the add-on that created it; None = a custom drain


class FactError(_Fact):
    """A fact the collector could not read for one app."""

    fact: FactKind  # the kind of fact that could not be read
    message: str  # what went wrong, safe to show (never contains a token)
    status: int | None = None  # HTTP status, where there was one


class App(_Fact):
    id: str
    name: str
    owner: Literal["team", "person"]
    owner_email: str | None = None
    team: str | None = None  # team name; None for an app in a personal account
    region: str | None = None  # region name; None when the API did not say
    space: str | None = None  # space name; None for the common runtime
    addons: tuple[AddOn, ...] = ()
    # None: drains were not collected (the policy's [logs] switched the check off).
    log_drains: tuple[LogDrain, ...] | None = ()
    errors: tuple[FactError, ...] = ()


class Estate(_Fact):
    """Everything collected in one run: apps and the shared facts they refer to by name."""

    schema_: str = Field(default=ESTATE_SCHEMA, alias="schema")
    collected_at: datetime | None = None
    source: str = ""  # API base URL, "snapshot:<file>", or "test"
    apps: tuple[App, ...] = ()
    teams: tuple[Team, ...] = ()
    enterprise_accounts: tuple[EnterpriseAccount, ...] = ()
    spaces: tuple[Space, ...] = ()
    regions: tuple[Region, ...] = ()

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def team(self, name: str | None) -> Team | None:
        return next((t for t in self.teams if t.name == name), None) if name else None

    def space(self, name: str | None) -> Space | None:
        return next((s for s in self.spaces if s.name == name), None) if name else None

    def region(self, name: str | None) -> Region | None:
        return next((r for r in self.regions if r.name == name), None) if name else None
