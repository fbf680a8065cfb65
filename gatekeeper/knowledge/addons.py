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
