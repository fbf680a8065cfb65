"""Add-on services: which ones Heroku operates, and where Heroku's data plans can live.

Update here when Heroku adds a first-party add-on or changes where a plan tier is offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.knowledge.inference import INFERENCE_SERVICE
from gatekeeper.knowledge.sources import (
    HEROKU_APPLINK_SERVICE,
    HEROKU_CONNECT_SERVICE,
    HEROKU_ELEMENTS_TERMS,
    HEROKU_KVS_SPACES,
    HEROKU_POSTGRES_SPACES,
    Source,
)

POSTGRES_SERVICE = "heroku-postgresql"
# Heroku Connect's add-on service. "heroku-connect" is only the name of its CLI plugin
# (heroku/heroku-connect-plugin): no add-on service has that name.
CONNECT_SERVICE = "herokuconnect"
CONNECT_SERVICE_SOURCE: Source = HEROKU_CONNECT_SERVICE
APPLINK_SERVICE = "heroku-applink"
APPLINK_SERVICE_SOURCE: Source = HEROKU_APPLINK_SERVICE

# Add-on services Heroku operates itself. They are covered by the Salesforce/Heroku DPA;
# every other service is a third party under its own contract (Heroku Elements Terms section
# 1.2). A policy can extend this list with [addons] operated_by_heroku. Operated by Heroku
# does not mean in the app's region: Connect and AppLink move data into a Salesforce org,
# Managed Inference serves each model from its own AWS regions (``inference.py``), and the
# data plan tiers below say where databases can live.
HEROKU_OPERATED_SERVICES: frozenset[str] = frozenset(
    {
        POSTGRES_SERVICE,
        "heroku-redis",
        "heroku-kafka",
        CONNECT_SERVICE,
        APPLINK_SERVICE,
        "scheduler",
        INFERENCE_SERVICE,
    }
)
HEROKU_OPERATED_SOURCE: Source = HEROKU_ELEMENTS_TERMS

# Heroku's data services: add-ons that store the app's data.
HEROKU_DATA_SERVICES: frozenset[str] = frozenset(
    {"heroku-postgresql", "heroku-redis", "heroku-kafka"}
)


@dataclass(frozen=True)
class PlanTier:
    """A tier of a Heroku data service's plans and the regions its databases can live in.

    ``regions`` is None when the tier can be created in (or next to) the app's own region;
    a set means the data lives in one of those regions whatever the app's region, so an app
    elsewhere (say in a ``frankfurt`` Private Space) keeps that data outside its region.
    ``region_choosable_in_space``: for an app in a Private Space the database defaults to the
    space's region but can be created in another one (``-- --region=us``), and the Platform
    API does not say which: gatekeeper cannot verify where such a database is.
    """

    service: str
    tier: str
    plan_prefixes: tuple[str, ...]  # plan names (after "service:") that belong to the tier
    regions: frozenset[str] | None
    source: Source
    region_choosable_in_space: bool = False


PLAN_TIERS: tuple[PlanTier, ...] = (
    # Essential (and the legacy mini, basic and hobby plans it replaced): multi-tenant,
    # only in the us and eu Common Runtime regions.
    PlanTier(
        "heroku-postgresql",
        "essential",
        ("essential-", "mini", "basic", "hobby-"),
        frozenset({"us", "eu"}),
        HEROKU_POSTGRES_SPACES,
    ),
    # Standard and Premium: in the app's region, but for an app in a Private Space they can be
    # created in another region (Dev Center "Heroku Postgres and Private Spaces").
    PlanTier("heroku-postgresql", "standard", ("standard-",), None, HEROKU_POSTGRES_SPACES, True),
    PlanTier("heroku-postgresql", "premium", ("premium-",), None, HEROKU_POSTGRES_SPACES, True),
    PlanTier("heroku-postgresql", "private", ("private-",), None, HEROKU_POSTGRES_SPACES),
    PlanTier("heroku-postgresql", "shield", ("shield-",), None, HEROKU_POSTGRES_SPACES),
    # Key-Value Store (heroku-redis) mini plans run in the Common Runtime only; inside a
    # space only the private tier runs.
    PlanTier("heroku-redis", "mini", ("mini",), frozenset({"us", "eu"}), HEROKU_KVS_SPACES),
    PlanTier("heroku-redis", "premium", ("premium-",), None, HEROKU_KVS_SPACES),
    PlanTier("heroku-redis", "private", ("private-",), None, HEROKU_KVS_SPACES),
    PlanTier("heroku-redis", "shield", ("shield-",), None, HEROKU_KVS_SPACES),
)


def plan_name(plan: str) -> str:
    """The plan part of ``service:plan``: ``essential-0`` of ``heroku-postgresql:essential-0``."""
    return plan.split(":", 1)[1] if ":" in plan else plan


def plan_tier(service: str, plan: str) -> PlanTier | None:
    """The tier a data add-on's plan belongs to, or None when gatekeeper does not know it."""
    name = plan_name(plan)
    for tier in PLAN_TIERS:
        if tier.service == service and any(
            name == p or (p.endswith("-") and name.startswith(p)) for p in tier.plan_prefixes
        ):
            return tier
    return None


# --- The plan Heroku provisions for an add-on named without one --------------------------
# app.json (and ``heroku addons:create SERVICE``) may name a service without a plan; Heroku
# then provisions the service's default plan (heroku/app.json schema.js), the one that
# ``heroku addons:plans SERVICE`` marks "default" (the Platform API's ``plan.default``). For an
# app in a Private or Shield Space, Heroku's data services take the smallest private or
# shield plan instead. Only these defaults are known; any other service named without a plan
# is judged by its service alone (``gatekeeper plan`` says so in a notice).

APP_JSON_DEFAULT_PLAN = Source(
    "heroku/app.json, schema.js (addons: 'If plan is omitted, that addon's default plan will be "
    "provisioned'), commit 06565a3",
    "https://github.com/app-json/app.json/blob/06565a38c8f6841317cc8af39a624f5e193a6152/schema.js",
)
HEROKU_POSTGRES_DEFAULT_PLAN = Source(
    "Heroku Dev Center, Supporting Review and CI Apps as an Add-on Partner (Heroku PostgreSQL "
    "has essential-0 set as the Common Runtime default) and Heroku Postgres and Private Spaces "
    "(in a Private or Shield Space the smallest available private or shield plan is the "
    "default)",
    "https://devcenter.heroku.com/articles/add-ons-supporting-review-and-ci-apps",
    "2024-05-08",
)
HEROKU_KVS_DEFAULT_PLAN = Source(
    "Heroku Dev Center, Heroku Key-Value Store Technical Characterization (mini is the smallest "
    "plan; private-7 and shield-7 the smallest private and shield plans) and Heroku Key-Value "
    "Store and Private Spaces (in a Private Space the lowest available private plan is used)",
    "https://devcenter.heroku.com/articles/heroku-redis-technical-characterization",
    "2024-10-11",
)


@dataclass(frozen=True)
class DefaultPlan:
    """The plans Heroku provisions for ``service`` named without a plan: in the Common
    Runtime, in a Private Space, in a Shield Space (plan names after ``service:``)."""

    service: str
    common_runtime: str
    private_space: str
    shield_space: str
    source: Source


DEFAULT_PLANS: dict[str, DefaultPlan] = {
    d.service: d
    for d in (
        DefaultPlan(
            POSTGRES_SERVICE, "essential-0", "private-0", "shield-0", HEROKU_POSTGRES_DEFAULT_PLAN
        ),
        # In the Common Runtime (us and eu) every Key-Value Store plan keeps its data in the
        # app's region, so taking its smallest plan there decides nothing about the place.
        DefaultPlan("heroku-redis", "mini", "private-7", "shield-7", HEROKU_KVS_DEFAULT_PLAN),
    )
}


def default_plan(service: str, *, space: bool, shield: bool) -> str | None:
    """The full plan (``service:plan``) Heroku provisions for ``service`` named without a plan
    for an app in the Common Runtime, a Private Space (``space``) or a Shield Space
    (``shield``); None when gatekeeper does not know it."""
    known = DEFAULT_PLANS.get(service)
    if known is None:
        return None
    if shield:
        return f"{service}:{known.shield_space}"
    return f"{service}:{known.private_space if space else known.common_runtime}"
