"""Add-on services: which ones Heroku operates, and where Heroku's data plans can live.

Update here when Heroku adds a first-party add-on or changes where a plan tier is offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.knowledge.sources import (
    HEROKU_ELEMENTS_TERMS,
    HEROKU_KVS_SPACES,
    HEROKU_POSTGRES_PLANS,
    HEROKU_POSTGRES_SPACES,
    Source,
)

# Add-on services Heroku operates itself. They are covered by the Salesforce/Heroku DPA and
# keep their data in the app's region by default; every other service is a third party
# under its own contract (Heroku Elements Terms section 1.2). A policy can extend this list
# with [addons] operated_by_heroku.
HEROKU_OPERATED_SERVICES: frozenset[str] = frozenset(
    {
        "heroku-postgresql",
        "heroku-redis",
        "heroku-kafka",
        "heroku-connect",
        "scheduler",
        "heroku-inference",
    }
)
HEROKU_OPERATED_SOURCE: Source = HEROKU_ELEMENTS_TERMS

# Heroku's data services: add-ons that store the app's data.
HEROKU_DATA_SERVICES: frozenset[str] = frozenset(
    {"heroku-postgresql", "heroku-redis", "heroku-kafka"}
)

POSTGRES_SERVICE = "heroku-postgresql"
CONNECT_SERVICE = "heroku-connect"


@dataclass(frozen=True)
class PlanTier:
    """A tier of a Heroku data service's plans and the regions its databases can live in.

    ``regions`` is None when the tier can be created in (or next to) the app's own region;
    a set means the data lives in one of those regions whatever the app's region, so an app
    elsewhere (say in a ``frankfurt`` Private Space) keeps that data outside its region.
    """

    service: str
    tier: str
    plan_prefixes: tuple[str, ...]  # plan names (after "service:") that belong to the tier
    regions: frozenset[str] | None
    source: Source


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
    PlanTier("heroku-postgresql", "standard", ("standard-",), None, HEROKU_POSTGRES_PLANS),
    PlanTier("heroku-postgresql", "premium", ("premium-",), None, HEROKU_POSTGRES_PLANS),
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
