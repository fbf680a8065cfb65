"""The facts model: what the gatekeeper knows about an estate, independent of the API.

The Heroku client fills it (``gatekeeper.collect``), snapshots store it as JSON, tests build
it directly, and the pure engine (``gatekeeper.engine``) reads it. Nothing here does I/O.

Fail closed: a fact that could not be read is recorded in ``App.errors`` (the engine turns
each into an ``api-error`` block); it is never silently left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

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
    "telemetry-drains",
    "addon-attachments",
]

#: ``generation`` of an app or space: Heroku's platform generation ("cedar", "fir"; Heroku
#: may add names). None: the API did not say (an older snapshot).
Generation = str


class _Fact:
    """Facts are frozen dataclasses (``gatekeeper.records``): no pydantic on a check's path.
    Snapshots read them back through pydantic (``gatekeeper.serial``), refusing unknown keys."""

    __pydantic_config__ = {"extra": "forbid"}


@dataclass(frozen=True, kw_only=True)
class Region(_Fact):
    """A Heroku region as ``GET /regions`` describes it."""

    name: str  # "us", "eu", "frankfurt", ...
    country: str | None = None  # Heroku's own wording, e.g. "Germany"; evidence only
    provider_region: str | None = None  # the AWS region, e.g. "eu-central-1"
    private_capable: bool = False


@dataclass(frozen=True, kw_only=True)
class EnterpriseAccount(_Fact):
    id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class Team(_Fact):
    id: str
    name: str
    enterprise_account: str | None = None  # name of the enterprise account, if any


@dataclass(frozen=True, kw_only=True)
class TelemetryDrain(_Fact):
    """An OpenTelemetry drain of a Fir app or space. The exporter's headers (ingest keys) are
    never read; the endpoint keeps only scheme, host, port and path (``drain_url``)."""

    id: str
    host: str  # host the exporter sends to; "" when the endpoint has none
    url: str  # the exporter endpoint without credentials, query or fragment
    signals: tuple[str, ...] = ()  # "traces", "metrics", "logs"


@dataclass(frozen=True, kw_only=True)
class SpaceLogDrain(_Fact):
    """The Private Space Logging drain of a Shield space (``GET /spaces/{space}/log-drain``,
    variant 3.dogwood). ``state`` "set": the API named a drain; "unknown": it answered
    something else (no drain shown, 403, 404), which never reads as "no drain"."""

    state: Literal["set", "unknown"]
    host: str = ""  # "set": the host the space's logs go to ("" when the URL has none)
    url: str = ""  # "set": the URL without credentials, query or fragment
    reason: str = ""  # "unknown": what the API answered, safe to show


@dataclass(frozen=True, kw_only=True)
class Space(_Fact):
    id: str
    name: str
    region: str  # region name
    shield: bool = False
    team: str | None = None
    generation: Generation | None = None
    # None: not collected (an older snapshot, or the policy does not judge them).
    telemetry_drains: tuple[TelemetryDrain, ...] | None = ()
    # None: not a Shield space (Private Space Logging exists only there), or not collected.
    log_drain: SpaceLogDrain | None = None


@dataclass(frozen=True, kw_only=True)
class AddOn(_Fact):
    id: str
    name: str  # e.g. "postgresql-curved-12345"
    service: str  # add-on service name, e.g. "heroku-postgresql"
    plan: str  # full plan name, e.g. "heroku-postgresql:essential-0"
    app: str | None = None  # name of the app that owns (bills) it
    # The owning app's facts, as collected for the app the add-on is listed under (an add-on
    # attached from another app lives with its owner): its region (where a Heroku data
    # add-on keeps its data), its team and whether it is a team's or a person's. None: not
    # known (an older snapshot); ``App.addon_region`` resolves an add-on the app owns itself.
    owner_region: str | None = None
    owner_team: str | None = None
    owner_account: Literal["team", "person"] | None = None


@dataclass(frozen=True, kw_only=True)
class LogDrain(_Fact):
    id: str
    host: str  # host the drain sends to; "" when the URL has none
    url: str  # the drain URL with credentials, query and fragment removed
    addon: str | None = None  # name of the add-on that created it; None = a custom drain


@dataclass(frozen=True, kw_only=True)
class FactError(_Fact):
    """A fact the collector could not read for one app."""

    fact: FactKind  # the kind of fact that could not be read
    message: str  # what went wrong, safe to show (never contains a token)
    status: int | None = None  # HTTP status, where there was one


@dataclass(frozen=True, kw_only=True)
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
    generation: Generation | None = None
    # None: not collected (an older snapshot, or the policy does not judge them). A Cedar
    # app has none (telemetry drains are for Fir apps only).
    telemetry_drains: tuple[TelemetryDrain, ...] | None = ()
    errors: tuple[FactError, ...] = ()

    def attached_from_elsewhere(self, addon: AddOn) -> bool:
        """Whether ``addon`` is owned (billed) by another app and only attached to this one."""
        return addon.app is not None and addon.app != self.name

    def addon_region(self, addon: AddOn) -> str | None:
        """The region of the app owning ``addon``: where a Heroku data add-on keeps its data
        (docs/design.md#3). None: not known (an attached add-on whose owner was not read)."""
        if addon.owner_region is not None:
            return addon.owner_region
        return None if self.attached_from_elsewhere(addon) else self.region


@dataclass(frozen=True, kw_only=True)
class Estate(_Fact):
    """Everything collected in one run: apps and the shared facts they refer to by name."""

    schema: str = ESTATE_SCHEMA
    collected_at: datetime | None = None
    source: str = ""  # API base URL, "snapshot:<file>", or "test"
    apps: tuple[App, ...] = ()
    teams: tuple[Team, ...] = ()
    enterprise_accounts: tuple[EnterpriseAccount, ...] = ()
    spaces: tuple[Space, ...] = ()
    regions: tuple[Region, ...] = ()

    def team(self, name: str | None) -> Team | None:
        return next((t for t in self.teams if t.name == name), None) if name else None

    def space(self, name: str | None) -> Space | None:
        return next((s for s in self.spaces if s.name == name), None) if name else None

    def region(self, name: str | None) -> Region | None:
        return next((r for r in self.regions if r.name == name), None) if name else None
