"""Heroku's public reference data as the simulator serves it: regions, add-on services, plans.

These are the resources every token can read (``GET /regions``, ``/addon-services``,
``/plans/{plan}``). The values follow what the real API answers (region countries and AWS
regions from ``GET /regions``, plan names and prices from the Elements marketplace); ids are
derived deterministically so that they are stable across runs.

A plan or add-on service that an estate names but this catalog does not know is synthesised
(``service_info`` / ``plan_info``): the simulator serves any ``service:plan`` an estate file
uses, the way the marketplace has many more services than we list here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from gatekeeper.simulator.naming import stable_id


@dataclass(frozen=True)
class RegionInfo:
    """One region as ``GET /regions`` describes it."""

    name: str
    country: str
    description: str
    locale: str
    provider_region: str  # the AWS region
    private_capable: bool

    @cached_property
    def id(self) -> str:
        return stable_id("region", self.name)


REGIONS: tuple[RegionInfo, ...] = (
    RegionInfo("eu", "Ireland", "Europe", "dublin", "eu-west-1", False),
    RegionInfo("us", "United States", "United States", "virginia", "us-east-1", False),
    RegionInfo("dublin", "Ireland", "Dublin, Ireland", "dublin", "eu-west-1", True),
    RegionInfo("frankfurt", "Germany", "Frankfurt, Germany", "frankfurt", "eu-central-1", True),
    RegionInfo("london", "United Kingdom", "London, United Kingdom", "london", "eu-west-2", True),
    RegionInfo("montreal", "Canada", "Montreal, Canada", "montreal", "ca-central-1", True),
    RegionInfo("mumbai", "India", "Mumbai, India", "mumbai", "ap-south-1", True),
    RegionInfo("oregon", "United States", "Oregon, United States", "oregon", "us-west-2", True),
    RegionInfo("singapore", "Singapore", "Singapore", "singapore", "ap-southeast-1", True),
    RegionInfo("sydney", "Australia", "Sydney, Australia", "sydney", "ap-southeast-2", True),
    RegionInfo("tokyo", "Japan", "Tokyo, Japan", "tokyo", "ap-northeast-1", True),
    RegionInfo(
        "virginia", "United States", "Virginia, United States", "virginia", "us-east-1", True
    ),
)
REGIONS_BY_NAME: dict[str, RegionInfo] = {r.name: r for r in REGIONS}
COMMON_RUNTIME_REGIONS = ("us", "eu")


@dataclass(frozen=True)
class PlanInfo:
    """One add-on plan as ``GET /plans/{plan}`` describes it."""

    service: str
    short_name: str  # "essential-0"
    human_name: str
    cents: int
    default: bool = False
    inside_private_network: bool = False
    outside_private_network: bool = True
    compliance: tuple[str, ...] | None = None
    contract: bool = False

    @property
    def name(self) -> str:
        return f"{self.service}:{self.short_name}"

    @cached_property
    def id(self) -> str:
        return stable_id("plan", self.name)


@dataclass(frozen=True)
class ServiceInfo:
    """One add-on service as ``GET /addon-services/{svc}`` describes it."""

    name: str
    human_name: str
    attachment_prefix: str  # the config var prefix Heroku gives the first attachment
    name_prefix: str  # the generated add-on name starts with it, e.g. "postgresql-..."
    supports_multiple_installations: bool = False
    supports_sharing: bool = True
    regions: tuple[str, ...] = ("us", "eu")
    cli_plugin_name: str | None = None
    creates_log_drain: bool = False  # logging add-ons add a drain to the app they are attached to

    @cached_property
    def id(self) -> str:
        return stable_id("addon-service", self.name)


_ALL_REGIONS = tuple(r.name for r in REGIONS)
_THIRD_PARTY_REGIONS = ("us", "eu", "virginia", "oregon", "dublin", "frankfurt")

SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo(
        "heroku-postgresql",
        "Heroku Postgres",
        "DATABASE",
        "postgresql",
        supports_multiple_installations=True,
        regions=_ALL_REGIONS,
        cli_plugin_name="pg",
    ),
    ServiceInfo(
        "heroku-redis",
        "Heroku Key-Value Store",
        "REDIS",
        "redis",
        supports_multiple_installations=True,
        regions=_ALL_REGIONS,
        cli_plugin_name="redis",
    ),
    ServiceInfo(
        "heroku-kafka",
        "Apache Kafka on Heroku",
        "KAFKA",
        "kafka",
        supports_multiple_installations=True,
        regions=_ALL_REGIONS,
        cli_plugin_name="kafka",
    ),
    # The add-on service is "herokuconnect"; "heroku-connect" is only its CLI plugin's name
    # (heroku/heroku-connect-plugin: `heroku addons:create herokuconnect`).
    ServiceInfo(
        "herokuconnect",
        "Heroku Connect",
        "HEROKUCONNECT",
        "herokuconnect",
        supports_sharing=False,
        regions=_ALL_REGIONS,
        cli_plugin_name="connect",
    ),
    ServiceInfo(
        "heroku-applink",
        "Heroku AppLink",
        "HEROKU_APPLINK",
        "heroku-applink",
        supports_sharing=False,
        regions=_ALL_REGIONS,
        cli_plugin_name="applink",
    ),
    ServiceInfo(
        "scheduler",
        "Heroku Scheduler",
        "SCHEDULER",
        "scheduler",
        supports_sharing=False,
        regions=_ALL_REGIONS,
    ),
    ServiceInfo(
        "heroku-inference",
        "Heroku Managed Inference and Agents",
        "INFERENCE",
        "inference",
        supports_multiple_installations=True,
        regions=("us", "eu"),
    ),
    ServiceInfo(
        "papertrail",
        "Papertrail",
        "PAPERTRAIL",
        "papertrail",
        regions=_THIRD_PARTY_REGIONS,
        creates_log_drain=True,
    ),
    ServiceInfo(
        "sendgrid", "Twilio SendGrid", "SENDGRID", "sendgrid", regions=_THIRD_PARTY_REGIONS
    ),
    ServiceInfo("sentry", "Sentry", "SENTRY", "sentry", regions=_THIRD_PARTY_REGIONS),
    ServiceInfo("mailgun", "Mailgun", "MAILGUN", "mailgun", regions=_THIRD_PARTY_REGIONS),
    ServiceInfo("newrelic", "New Relic APM", "NEW_RELIC", "newrelic", regions=_THIRD_PARTY_REGIONS),
    ServiceInfo("cloudamqp", "CloudAMQP", "CLOUDAMQP", "cloudamqp", regions=_THIRD_PARTY_REGIONS),
    ServiceInfo(
        "memcachier", "MemCachier", "MEMCACHIER", "memcachier", regions=_THIRD_PARTY_REGIONS
    ),
    ServiceInfo(
        "coralogix",
        "Coralogix Logging",
        "CORALOGIX",
        "coralogix",
        regions=_THIRD_PARTY_REGIONS,
        creates_log_drain=True,
    ),
)
SERVICES_BY_NAME: dict[str, ServiceInfo] = {s.name: s for s in SERVICES}


def _private(service: str, short: str, human: str, cents: int) -> PlanInfo:
    """A plan that installs only inside a Private Space network."""
    return PlanInfo(
        service, short, human, cents, inside_private_network=True, outside_private_network=False
    )


def _shield(service: str, short: str, human: str, cents: int) -> PlanInfo:
    """A Shield plan: inside a Shield Private Space only, HIPAA and PCI compliant."""
    return PlanInfo(
        service,
        short,
        human,
        cents,
        inside_private_network=True,
        outside_private_network=False,
        compliance=("HIPAA", "PCI"),
    )


PLANS: tuple[PlanInfo, ...] = (
    PlanInfo("heroku-postgresql", "essential-0", "Essential 0", 500, default=True),
    PlanInfo("heroku-postgresql", "essential-1", "Essential 1", 900),
    PlanInfo("heroku-postgresql", "essential-2", "Essential 2", 2000),
    PlanInfo("heroku-postgresql", "standard-0", "Standard 0", 5000),
    PlanInfo("heroku-postgresql", "standard-2", "Standard 2", 20000),
    PlanInfo("heroku-postgresql", "premium-0", "Premium 0", 20000),
    _private("heroku-postgresql", "private-0", "Private 0", 30000),
    _private("heroku-postgresql", "private-2", "Private 2", 60000),
    _shield("heroku-postgresql", "shield-0", "Shield 0", 35000),
    _shield("heroku-postgresql", "shield-2", "Shield 2", 70000),
    PlanInfo("heroku-redis", "mini", "Mini", 300, default=True),
    PlanInfo("heroku-redis", "premium-0", "Premium 0", 1500),
    _private("heroku-redis", "private-7", "Private 7", 75000),
    _shield("heroku-redis", "shield-7", "Shield 7", 90000),
    PlanInfo("heroku-kafka", "basic-0", "Basic 0", 10000, default=True),
    PlanInfo("heroku-kafka", "standard-0", "Standard 0", 150000),
    _private("heroku-kafka", "private-standard-0", "Private Standard 0", 180000),
    PlanInfo("herokuconnect", "demo", "Demo Edition", 0, default=True),
    PlanInfo("herokuconnect", "enterprise", "Enterprise Edition", 0, contract=True),
    PlanInfo("heroku-applink", "base", "Base", 0, default=True),  # the plan name is illustrative
    PlanInfo("scheduler", "standard", "Standard", 0, default=True),
    PlanInfo("heroku-inference", "claude-4-sonnet", "Claude 4 Sonnet", 0, default=True),
    PlanInfo("heroku-inference", "claude-3-5-haiku", "Claude 3.5 Haiku", 0),
    PlanInfo("heroku-inference", "claude-3-haiku", "Claude 3 Haiku", 0),
    PlanInfo("heroku-inference", "claude-3-5-sonnet", "Claude 3.5 Sonnet", 0),
    PlanInfo("heroku-inference", "cohere-embed-multilingual", "Cohere Embed Multilingual", 0),
    PlanInfo("papertrail", "choklad", "Choklad", 0, default=True),
    PlanInfo("papertrail", "fixa", "Fixa", 700),
    PlanInfo("papertrail", "volmar", "Volmar", 1800),
    PlanInfo("sendgrid", "starter", "Starter", 0, default=True),
    PlanInfo("sendgrid", "bronze", "Bronze", 1995),
    PlanInfo("sentry", "f1", "F1", 0, default=True),
    PlanInfo("sentry", "team", "Team", 2600),
    PlanInfo("mailgun", "starter", "Starter", 0, default=True),
    PlanInfo("newrelic", "wayne", "Wayne", 0, default=True),
    PlanInfo("cloudamqp", "lemur", "Little Lemur", 0, default=True),
    PlanInfo("memcachier", "dev", "Developer", 0, default=True),
    PlanInfo("coralogix", "free-trial", "Free Trial", 0, default=True),
)
PLANS_BY_NAME: dict[str, PlanInfo] = {p.name: p for p in PLANS}


def region_info(name: str) -> RegionInfo | None:
    """The region called ``name``, or None when Heroku has no such region."""
    return REGIONS_BY_NAME.get(name)


def service_info(name: str) -> ServiceInfo:
    """The add-on service called ``name``; one the catalog does not list is synthesised."""
    known = SERVICES_BY_NAME.get(name)
    if known is not None:
        return known
    prefix = name.upper().replace("-", "_")
    return ServiceInfo(
        name, name.replace("-", " ").title(), prefix, name, regions=_THIRD_PARTY_REGIONS
    )


def plan_info(full_name: str) -> PlanInfo:
    """The plan ``service:plan``; one the catalog does not list is synthesised (free, public)."""
    known = PLANS_BY_NAME.get(full_name)
    if known is not None:
        return known
    service, _, short = full_name.partition(":")
    return PlanInfo(service, short, short.replace("-", " ").title(), 0)


def split_plan(full_name: str) -> tuple[str, str]:
    """``"heroku-postgresql:essential-0"`` -> ``("heroku-postgresql", "essential-0")``."""
    service, sep, short = full_name.partition(":")
    if not sep or not service or not short:
        raise ValueError(f"a plan is written service:plan, got {full_name!r}")
    return service, short
