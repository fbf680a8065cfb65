"""Response models for the Heroku Platform API resources the gatekeeper reads.

Each model covers only the fields the gatekeeper uses, typed strictly (no coercion: a number
where the schema says string is a protocol error, not a guess), nullable exactly where the
official schema (``heroku-platform-api-schema.json``) says ``"null"``, and ignoring every other
field because Heroku adds fields over time. Fields are required: a response that lacks one is
reported as a protocol error rather than read as "absent" (fail closed).

Schema definition names are noted on each model; the tests parse payloads generated from the
schema's examples (``scripts/gen_fixtures.py``) and check nullability against it.
"""

from __future__ import annotations

from dataclasses import dataclass


class HerokuModel:
    """Base of all response models: strict types, unknown fields ignored, immutable; read
    with ``gatekeeper.records`` (``parse_model``), not pydantic, as a check reads them.

    Text must be Unicode that can be written out: JSON's ``\\uD800`` escapes can spell a
    lone surrogate, which no report, store or terminal can encode. Such an answer is broken
    (the item fails validation, and its app gets an ``api-error``), not a crash later on."""

    record_extra = "ignore"
    record_unicode = True


# -- references embedded in other resources -------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class IdNameRef(HerokuModel):
    """``{"id", "name"}`` identity of another resource (team, region, space, app, plan, ...)."""

    id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class NameRef(HerokuModel):
    """``{"name"}`` identity, where the schema gives no id (``team-app.team``)."""

    name: str


@dataclass(frozen=True, kw_only=True)
class OwnerRef(HerokuModel):
    """``app.owner``: the account that owns an app (a team's own account for team apps)."""

    id: str
    email: str


@dataclass(frozen=True, kw_only=True)
class AddOnRef(HerokuModel):
    """``log-drain.addon`` / ``add-on-attachment.addon``: an add-on and the app billed for it."""

    id: str
    name: str
    app: IdNameRef


@dataclass(frozen=True, kw_only=True)
class AppSpaceRef(HerokuModel):
    """``app.space``: the app's space and whether it is a Shield space."""

    id: str
    name: str
    shield: bool


def generation_name(generation: IdNameRef | str) -> str:
    """``generation`` as a name: an object ``{id, name}`` in version 3, a string in ``3.sdk``."""
    return generation if isinstance(generation, str) else generation.name


@dataclass(frozen=True, kw_only=True)
class RegionProvider(HerokuModel):
    """``region.provider``: the infrastructure provider and its region id."""

    name: str  # e.g. "amazon-web-services"
    region: str  # e.g. "eu-central-1"


# -- resources -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Account(HerokuModel):
    """``account`` (``GET /account``): who the token belongs to."""

    id: str
    email: str
    name: str | None


@dataclass(frozen=True, kw_only=True)
class RateLimits(HerokuModel):
    """``rate-limit`` (``GET /account/rate-limits``, free): the requests left in the bucket."""

    remaining: int


@dataclass(frozen=True, kw_only=True)
class OAuthAuthorization(HerokuModel):
    """``oauth-authorization`` (``GET /oauth/authorizations``): a token of the account and
    its scope (``doctor`` tells a global token from a read one)."""

    id: str
    scope: list[str]


@dataclass(frozen=True, kw_only=True)
class App(HerokuModel):
    """``app`` (``GET /apps``, ``/apps/{app}``)."""

    id: str
    name: str
    owner: OwnerRef
    team: IdNameRef | None  # None: a personal app
    region: IdNameRef
    space: AppSpaceRef | None  # None: the common runtime
    generation: IdNameRef | str  # {id, name} in version 3, a name in 3.sdk


@dataclass(frozen=True, kw_only=True)
class TeamApp(HerokuModel):
    """``team-app`` (``GET /teams/{team}/apps``)."""

    id: str
    name: str
    owner: OwnerRef | None
    team: NameRef | None
    region: IdNameRef
    space: IdNameRef | None


@dataclass(frozen=True, kw_only=True)
class Team(HerokuModel):
    """``team`` (``GET /teams``, ``/teams/{team}``, ``/enterprise-accounts/{ea}/teams``)."""

    id: str
    name: str
    enterprise_account: IdNameRef | None  # None: a team outside any enterprise account
    type: str  # "enterprise" or "team"; Heroku may add values
    role: str | None  # the token's role in the team


@dataclass(frozen=True, kw_only=True)
class EnterpriseAccount(HerokuModel):
    """``enterprise-account`` (``GET /enterprise-accounts``)."""

    id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class Space(HerokuModel):
    """``space`` (``GET /spaces``, ``/spaces/{space}``): a Private or Shield Space."""

    id: str
    name: str
    team: IdNameRef
    region: IdNameRef
    shield: bool
    state: str  # "allocating", "allocated", "deleting"
    generation: IdNameRef | str  # {id, name} in version 3, a name in 3.sdk


@dataclass(frozen=True, kw_only=True)
class Region(HerokuModel):
    """``region`` (``GET /regions``): where a region is, as Heroku describes it."""

    id: str
    name: str  # "us", "eu", "frankfurt", ...
    country: str  # Heroku's wording, e.g. "Germany"
    locale: str  # e.g. "Frankfurt"
    description: str
    private_capable: bool
    provider: RegionProvider


@dataclass(frozen=True, kw_only=True)
class AddOn(HerokuModel):
    """``add-on`` (``GET /apps/{app}/addons``, ``/addons``, ``/teams/{team}/addons``)."""

    id: str
    name: str
    addon_service: IdNameRef
    plan: IdNameRef  # plan.name is "service:plan"
    app: IdNameRef  # the app billed for the add-on
    state: str  # "provisioning", "provisioned", "deprovisioned"


@dataclass(frozen=True, kw_only=True)
class AddOnService(HerokuModel):
    """``add-on-service`` (``GET /addon-services/{svc}``)."""

    id: str
    name: str
    human_name: str
    state: str


@dataclass(frozen=True, kw_only=True)
class Plan(HerokuModel):
    """``plan`` (``GET /plans/{plan}``): what an add-on plan promises."""

    id: str
    name: str
    addon_service: IdNameRef
    compliance: list[str] | None  # e.g. ["HIPAA"]
    installable_inside_private_network: bool
    installable_outside_private_network: bool


@dataclass(frozen=True, kw_only=True)
class RegionCapability(HerokuModel):
    """``add-on-region-capability`` (``GET /addon-services/{svc}/region-capabilities``)."""

    id: str
    supports_private_networking: bool
    addon_service: AddOnService
    region: Region


@dataclass(frozen=True, kw_only=True)
class LogDrain(HerokuModel):
    """``log-drain`` (``GET /apps/{app}/log-drains``). ``url`` may hold credentials: the
    collector keeps only scheme, host and path."""

    id: str
    url: str
    addon: AddOnRef | None  # None: a custom drain, not created by an add-on
    app: IdNameRef | None


@dataclass(frozen=True, kw_only=True)
class AppWebhook(HerokuModel):
    """``app-webhook`` (``GET /apps/{app}/webhooks``): a subscription's URL and entities, for
    ``gatekeeper webhooks status``. Heroku never answers with its secret."""

    id: str
    url: str
    include: list[str]
    level: str


@dataclass(frozen=True, kw_only=True)
class TelemetryExporter(HerokuModel):
    """``telemetry-drain.exporter`` without its ``headers``: they hold ingest keys, so the
    model does not even keep them (unknown fields are dropped)."""

    type: str  # "otlphttp" or "otlp"
    endpoint: str  # may hold credentials: the collector keeps only scheme, host and path


@dataclass(frozen=True, kw_only=True)
class TelemetryDrain(HerokuModel):
    """``telemetry-drain`` (``GET /apps/{app}/telemetry-drains``,
    ``/spaces/{space}/telemetry-drains``): an OpenTelemetry drain of a Fir app or space."""

    id: str
    signals: list[str]  # "traces", "metrics", "logs"
    exporter: TelemetryExporter


@dataclass(frozen=True, kw_only=True)
class SpaceLogDrain(HerokuModel):
    """``GET /spaces/{space}/log-drain`` (variant 3.dogwood; the 3.sdk schema's
    ``space-log-drain`` answers a ``log-drain``, without an ``app`` for a space): the Private
    Space Logging drain of a Shield space. ``url`` may hold credentials. Only a URL counts as
    a drain; what the API answers without one is not documented (docs/heroku-facts.md)."""

    url: str | None


@dataclass(frozen=True, kw_only=True)
class AddOnAttachment(HerokuModel):
    """``add-on-attachment`` (``GET /addon-attachments``, ``/apps/{app}/addon-attachments``):
    an add-on an app uses, possibly owned (and billed) by another app."""

    id: str
    name: str  # e.g. "DATABASE"
    addon: AddOnRef
    app: IdNameRef
    namespace: str | None


@dataclass(frozen=True, kw_only=True)
class ErrorBody(HerokuModel):
    """Heroku's error body: ``{"id": "not_found", "message": "...", "url"?: "..."}``."""

    id: str
    message: str
    url: str | None = None
