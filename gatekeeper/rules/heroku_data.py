"""addon-outside-region, heroku-connect, heroku-applink, postgres-backups: Heroku's own add-ons.

Heroku states that a region is not a residency guarantee for its services and add-ons. These
rules name the known cases. They do not apply to apps of class ``none`` (no data about people).

- **addon-outside-region** (warn): a Heroku data add-on's plan tier exists only in some regions
  and the app is elsewhere, so the data is not where the app is. Example: Essential-tier
  Heroku Postgres exists only in ``us`` and ``eu``, so an essential database of an app in a
  ``frankfurt`` Private Space is not in Frankfurt (and not inside the space's network). The
  tier table is ``gatekeeper/knowledge/addons.py``. A plan of a service in that table that
  gatekeeper does not know fires too (fail closed): its data could be anywhere.
- **heroku-connect** (warn): Heroku Connect (add-on service ``herokuconnect``; ``heroku-connect``
  is only its CLI plugin's name) copies data between Heroku Postgres and a Salesforce org,
  which gatekeeper does not see: check that org's location and contract.
- **heroku-applink** (warn): Heroku AppLink (add-on service ``heroku-applink``) connects the
  app to Salesforce or Data Cloud orgs, which call the app and whose data it reads and
  writes; gatekeeper does not see them either.
- **postgres-backups** (info): Heroku Postgres logical backups (PGBackups, ``heroku
  pg:backups``) were reported stored in the US whatever the database region
  (heroku/roadmap#261). Raised when the app's class has ``countries`` that do not allow the
  US (for Heroku, ``"adequate"`` allows it only with a ``dpf`` Heroku agreement) and the app
  is not in the US. For a Standard or Premium database of an app in a Private Space the
  finding also says that the database itself may have been created in another region
  (``-- --region=us``), which the Platform API does not show: gatekeeper cannot verify it, and
  the DPO must confirm it (Dev Center "Heroku Postgres and Private Spaces").
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.codespan import code_span
from gatekeeper.facts import AddOn, FactKind
from gatekeeper.knowledge import (
    APPLINK_SERVICE,
    CONNECT_SERVICE,
    DPF_COUNTRY,
    HEROKU_OPERATED_SERVICES,
    PLAN_TIERS,
    POSTGRES_SERVICE,
    PlanTier,
    Source,
    country_allowed,
    plan_tier,
    region_fact,
    sources,
)
from gatekeeper.policy_values import PolicyTable
from gatekeeper.results import Evidence
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.metadata import RuleInfo, WaiverExample

ADDON_OUTSIDE_REGION = RuleInfo(
    "addon-outside-region",
    "warn",
    "A Heroku data add-on is known to live outside the app's region.",
    why="Heroku states that a region is not a residency guarantee for add-ons. "
    "Essential-tier Postgres (and Key-Value Store mini) exist only in us and eu, "
    "so such a database of an app in a Private Space is outside the space's "
    "region and network.",
    source="Heroku Dev Center 'Heroku Postgres on Private and Shield Spaces' and "
    "'Heroku Key-Value Store and Private Spaces'.",
    remedy="Use a plan that lives in the space (heroku addons:create "
    "heroku-postgresql:private-0 -a APP), copy the data, destroy the old add-on.",
    waiver=WaiverExample("frankfurt-exp", "heroku-postgresql", "Cache of public data only"),
    sources=(
        sources.HEROKU_POSTGRES_SPACES,
        sources.HEROKU_KVS_SPACES,
        sources.HEROKU_POSTGRES_PLANS,
    ),
)
HEROKU_CONNECT = RuleInfo(
    "heroku-connect",
    "warn",
    "Data is synced to a Salesforce org this tool does not see.",
    why="Heroku Connect copies data between Heroku Postgres and a Salesforce org; "
    "that org's location and contract are outside what gatekeeper can check.",
    source="Heroku Dev Center 'Heroku Connect'; the add-on service is herokuconnect "
    "(heroku/heroku-connect-plugin).",
    remedy="Confirm the org is covered by the institution's Salesforce agreement and keeps "
    "data in an allowed country, then record that as a waiver.",
    waiver=WaiverExample(
        "clinical-trial", None, "Org 00D... is the hospital's EU org under the Salesforce DPA"
    ),
    sources=(sources.HEROKU_CONNECT, sources.HEROKU_CONNECT_SERVICE),
)
HEROKU_APPLINK = RuleInfo(
    "heroku-applink",
    "warn",
    "Heroku AppLink connects the app to a Salesforce org this tool does not see.",
    why="Heroku AppLink connects an app to Salesforce and Data Cloud orgs: the org calls "
    "the app's published APIs and the app reads and writes the org's data. That org's "
    "location and contract are outside what gatekeeper can check.",
    source="Heroku Dev Center 'Working with Heroku AppLink'; the add-on service is "
    "heroku-applink (heroku/heroku-cli-plugin-applink).",
    remedy="Confirm each connected org (heroku applink:connections -a APP) is covered by "
    "the institution's Salesforce agreement and keeps data in an allowed country, then "
    "record that as a waiver.",
    waiver=WaiverExample(
        "frankfurt-exp", None, "Connected org 00D... is the university's EU org under its DPA"
    ),
    sources=(sources.HEROKU_APPLINK, sources.HEROKU_APPLINK_SERVICE),
)
POSTGRES_BACKUPS = RuleInfo(
    "postgres-backups",
    "info",
    "Heroku Postgres logical backups (PGBackups) may be stored in the US.",
    why="Logical backups of Heroku Postgres (PGBackups, heroku pg:backups) were reported "
    "stored in the US whatever the database's region. Raised when the class does not "
    "allow the US. For a Standard or Premium database of an app in a Private Space it also "
    "says that the database may have been created in another region (--region), which "
    "the Platform API does not show.",
    source="heroku/roadmap#261 (https://github.com/heroku/roadmap/issues/261); Heroku Dev "
    "Center 'Heroku Postgres and Private Spaces'.",
    remedy="Ask Heroku support where the backups (and, in a Private Space, the database) "
    "are kept and record the answer.",
    fix_by_severity=True,
    waiver=WaiverExample("*", None, "Accepted: backups covered by the Salesforce DPA (SCC)"),
    sources=(sources.HEROKU_POSTGRES_BACKUPS, sources.HEROKU_POSTGRES_SPACES),
)

RULES: tuple[RuleInfo, ...] = (
    ADDON_OUTSIDE_REGION,
    HEROKU_CONNECT,
    HEROKU_APPLINK,
    POSTGRES_BACKUPS,
)
NEEDS: frozenset[FactKind] = frozenset({"app", "addons", "region", "space"})
OPTIONS: type[PolicyTable] | None = None

# Services whose plan tiers gatekeeper knows: for these an unknown plan is an unknown place.
_TIERED_SERVICES = frozenset(t.service for t in PLAN_TIERS)


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Look at each Heroku-operated add-on of the app."""
    if ctx.data_class == "none" or ctx.unknown():
        return
    app = ctx.app.name
    us_allowed = country_allowed(DPF_COUNTRY, ctx.class_rule.countries, dpf=ctx.heroku_dpf)
    for addon in ctx.addons():
        if addon.service not in HEROKU_OPERATED_SERVICES:
            continue
        tier = plan_tier(addon.service, addon.plan)
        if (
            tier is not None
            and tier.regions is not None
            and ctx.region_fact is not None
            and ctx.region_fact.name not in tier.regions
        ):
            homes = sorted(tier.regions)
            places = " and ".join(
                f"{r} ({f.location})" if (f := region_fact(r)) else r for r in homes
            )
            yield ctx.candidate(
                ADDON_OUTSIDE_REGION,
                addon.name,
                f"Add-on {addon.name} ({addon.plan}) is on the {tier.tier} tier of "
                f"{addon.service}, which exists only in {places}, so its data is not in the app's "
                f"{ctx.region_words()}"
                + (" and not inside its Private Space." if ctx.space or ctx.app.space else "."),
                "Use a plan that lives with the app (in a Private Space: a private or shield "
                "plan, e.g. "
                + code_span(f"heroku addons:create {sh(addon.service + ':private-0')} -a {sh(app)}")
                + "), copy the data over, then "
                + code_span(f"heroku addons:destroy {sh(addon.name)} -a {sh(app)}")
                + f". If the data may be in {' or '.join(homes)}, waive this finding. "
                + ctx.ask(),
                (
                    *ctx.owner_evidence(),
                    *ctx.region_evidence(),
                    ctx.addon_evidence(addon),
                    Evidence(
                        kind="knowledge",
                        name=f"{addon.service} {tier.tier} tier",
                        detail=f"regions {', '.join(homes)}; source: {tier.source.url}",
                    ),
                ),
                (addon.service,),
            )
        if tier is None and addon.service in _TIERED_SERVICES:
            yield ctx.candidate(
                ADDON_OUTSIDE_REGION,
                addon.name,
                f"Add-on {addon.name} has the plan {addon.plan}, which gatekeeper does not "
                f"know, so it cannot tell whether its data is in the app's "
                f"{ctx.region_words()} (fail closed).",
                f"Check where this plan keeps its data "
                f"({code_span(f'heroku addons:info {sh(addon.name)}')}) and "
                "update gatekeeper, whose plan table (gatekeeper/knowledge/addons.py) may not "
                f"know it yet. If the data may be where it is, waive this finding for app {app}. "
                + ctx.ask(),
                (*ctx.owner_evidence(), *ctx.region_evidence(), ctx.addon_evidence(addon)),
                (addon.service,),
            )
        org = _SALESFORCE_ORG_RULES.get(addon.service)
        if org is not None:
            yield _salesforce_org(ctx, addon, *org)
        if addon.service == POSTGRES_SERVICE and not us_allowed and ctx.country != DPF_COUNTRY:
            yield _backups(ctx, addon, tier)


# The add-ons that connect the app to a Salesforce org: the rule, the product, what it does.
_SALESFORCE_ORG_RULES: dict[str, tuple[RuleInfo, str, str, Source]] = {
    CONNECT_SERVICE: (
        HEROKU_CONNECT,
        "Heroku Connect",
        "copies data between its Postgres database and a Salesforce org",
        sources.HEROKU_CONNECT,
    ),
    APPLINK_SERVICE: (
        HEROKU_APPLINK,
        "Heroku AppLink",
        "connects it to Salesforce or Data Cloud orgs, which call the app and whose data it "
        "reads and writes",
        sources.HEROKU_APPLINK,
    ),
}


def _salesforce_org(
    ctx: AppContext, addon: AddOn, rule: RuleInfo, product: str, does: str, source: Source
) -> Candidate:
    app = ctx.app.name
    return ctx.candidate(
        rule,
        addon.name,
        f"App {app} uses {product} ({addon.name}), which {does}. Gatekeeper does not see the "
        "org, its location or its contract.",
        "Make sure the Salesforce org it connects to is covered by the institution's "
        "Salesforce agreement and keeps data in an allowed country; then waive this "
        f'finding for app {app} with a [[waivers]] entry (rule = "{rule.id}"). ' + ctx.ask(),
        (
            *ctx.owner_evidence(),
            ctx.addon_evidence(addon),
            Evidence(kind="knowledge", name=addon.service, detail=f"source: {source.url}"),
        ),
        (addon.service,),
    )


def _backups(ctx: AppContext, addon: AddOn, tier: PlanTier | None) -> Candidate:
    in_space = bool(ctx.space or ctx.app.space)
    elsewhere = tier is not None and tier.region_choosable_in_space and in_space
    database = ""
    evidence = [
        Evidence(
            kind="knowledge",
            name="postgres backups",
            detail=f"source: {sources.HEROKU_POSTGRES_BACKUPS.url}",
        )
    ]
    if elsewhere:
        assert tier is not None
        database = (
            f" The database itself is on the {tier.tier} tier, which for an app in a Private "
            "Space can be created in another region (`-- --region=us`); the Platform API does "
            "not say which, so gatekeeper cannot verify that it is in the space's region."
        )
        evidence.append(
            Evidence(
                kind="knowledge",
                name=f"{addon.service} {tier.tier} tier",
                detail="region can be chosen at creation in a Private Space and is not in the "
                f"API; source: {tier.source.url}",
            )
        )
    confirm = (
        "ask Heroku support where this database and its backups are stored"
        if elsewhere
        else "ask Heroku support where this database's backups are stored"
    )
    return ctx.candidate(
        POSTGRES_BACKUPS,
        addon.name,
        f"Logical backups (PGBackups) of Heroku Postgres {addon.name} may be stored in the US "
        f"whatever the database's region (heroku/roadmap#261), and data of class "
        f"{ctx.data_class} may not be in the US.{database}",
        f"Informational: {confirm}, and record the answer. If the DPO accepts it, set "
        f'{POSTGRES_BACKUPS.id} = "off" in [rules], or waive it per app. ' + ctx.ask(),
        (
            *ctx.owner_evidence(),
            ctx.addon_evidence(addon),
            ctx.countries_evidence(),
            *evidence,
        ),
        (addon.service,),
    )
