"""unknown-region and region-not-allowed: is the app's data in a country its class allows?

**unknown-region** (block) fires when the app's region (or its Private Space's region) is not
in gatekeeper's region table, so the country of its data is unknown. Gatekeeper never guesses
a country (fail closed); a newer gatekeeper knows more regions (the table is
``gatekeeper/knowledge/regions.py``).

**region-not-allowed** (block) fires when the region's country is not allowed by the
``countries`` of the app's data class (``[classes.<class>]``). Country semantics: an ISO code
allows that country, ``"EEA"`` the 30 EEA countries, ``"adequate"`` the countries with an EU
adequacy decision. The US is adequate only for recipients certified under the EU-US Data
Privacy Framework, so a US region is allowed through ``"adequate"`` only when an active Heroku
agreement covering the app has ``mechanism = "dpf"``; list ``"US"`` to allow it outright.
A class without ``countries`` allows every country.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.codespan import code_span
from gatekeeper.facts import FactKind
from gatekeeper.knowledge import DPF_COUNTRY, REGIONS, country_allowed, describe_countries, sources
from gatekeeper.policy_values import PolicyTable
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.metadata import RuleInfo, WaiverExample

UNKNOWN_REGION = RuleInfo(
    "unknown-region",
    "block",
    "The app's region cannot be mapped to a country.",
    why="Where the data lives decides which law applies. Gatekeeper never guesses a "
    "country: a region missing from its table blocks (fail closed).",
    source="Heroku Dev Center 'Regions' and GET /regions; the table is "
    "gatekeeper/knowledge/regions.py.",
    remedy="Update gatekeeper (newer versions know more regions), or report the region.",
    waiver=WaiverExample(
        "new-region-app",
        None,
        "Region confirmed to be in Germany by Heroku support",
    ),
    sources=(sources.HEROKU_REGIONS,),
)
REGION_NOT_ALLOWED = RuleInfo(
    "region-not-allowed",
    "block",
    "The region's country is not allowed for the app's data class.",
    why="[classes.<class>] countries lists where data of that class may be (GDPR "
    "Chapter V restricts transfers outside the EEA). 'EEA' is the 30 EEA "
    "countries, 'adequate' the countries with an EU adequacy decision; the US "
    "counts as adequate only when the covering Heroku agreement has mechanism = "
    "\"dpf\" (EU-US Data Privacy Framework certification), or when 'US' is listed.",
    source="Region -> country: Heroku Dev Center 'Regions'. Adequacy: European "
    "Commission adequacy decisions; Implementing Decision (EU) 2023/1795 (DPF).",
    remedy="Heroku cannot move an app between regions: create a new app in an allowed "
    "region (heroku apps:create NEW --region eu --team TEAM), move code and data, "
    "destroy the old one. Or classify the app with an [[apps]] entry if its data "
    "is less sensitive.",
    waiver=WaiverExample(
        "experiment-us",
        "us",
        "Only synthetic test data until the move on 2027-06-01",
    ),
    sources=(
        sources.HEROKU_REGIONS,
        sources.GDPR_ART_44,
        sources.ADEQUACY_DECISIONS,
        sources.DPF_ADEQUACY,
    ),
)

RULES: tuple[RuleInfo, ...] = (UNKNOWN_REGION, REGION_NOT_ALLOWED)
NEEDS: frozenset[FactKind] = frozenset({"app", "region", "space"})
OPTIONS: type[PolicyTable] | None = None


def _allowed_regions(ctx: AppContext) -> list[str]:
    """Regions whose country the class allows: Common Runtime first, then space regions."""
    fits = [
        r
        for r in REGIONS.values()
        if country_allowed(r.country, ctx.class_rule.countries, dpf=ctx.heroku_dpf)
    ]
    fits.sort(key=lambda r: (r.runtime != "common", r.name))
    return [r.name for r in fits]


def _move_command(ctx: AppContext, region: str) -> str:
    team = f" --team {sh(ctx.app.team)}" if ctx.app.team else ""
    if REGIONS[region].runtime == "common":
        return f"heroku apps:create NEW-NAME --region {region}{team}"
    # Only when no Common Runtime region fits: a space needs a Heroku Enterprise account, which
    # new customers cannot buy since 2026-02-06 (docs/design.md#3-heroku-facts-the-code-relies-on).
    return (
        f"heroku spaces:create --space NEW-SPACE --region {region}{team}, then "
        "heroku apps:create NEW-NAME --space NEW-SPACE (a Private Space needs a Heroku "
        "Enterprise account; Heroku offers no new Enterprise Account contracts to new "
        "customers since 2026-02-06)"
    )


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Map the region to a country and hold it against the class's countries."""
    if ctx.unknown("region", "space"):
        return
    app = ctx.app.name
    if ctx.region_fact is None:
        where = f"region {ctx.region!r}" if ctx.region else "no region at all"
        yield ctx.candidate(
            UNKNOWN_REGION,
            ctx.region,
            f"App {app} runs in {where}, which gatekeeper cannot map to a country, so it "
            "cannot tell where the app's data is (fail closed).",
            "Update gatekeeper: its region table (gatekeeper/knowledge/regions.py) may not know "
            "this region yet. If the DPO accepts the region meanwhile, add a [[waivers]] entry "
            f'with rule = "{UNKNOWN_REGION.id}", app = "{app}". ' + ctx.ask(),
            (*ctx.owner_evidence(), *ctx.region_evidence()),
        )
        return
    countries = ctx.class_rule.countries
    country = ctx.region_fact.country
    if country_allowed(country, countries, dpf=ctx.heroku_dpf):
        return
    why = ""
    if country == DPF_COUNTRY and countries and "adequate" in countries:
        why = (
            " The US counts as adequate only for recipients certified under the EU-US "
            "Data Privacy Framework, and no active Heroku agreement covering this app has "
            'mechanism = "dpf".'
        )
    targets = _allowed_regions(ctx)
    if targets:
        move = (
            f"Heroku cannot move an existing app to another region: create a new app in "
            f"an allowed region ({', '.join(targets)}), e.g. "
            f"{code_span(_move_command(ctx, targets[0]))}, move code and data there, then "
            f"{code_span(f'heroku apps:destroy {sh(app)}')}."
        )
    else:
        move = "No Heroku region is in a country this class allows."
    yield ctx.candidate(
        REGION_NOT_ALLOWED,
        ctx.region,
        f"App {app} keeps its data in {ctx.region_words()}, but data of class "
        f"{ctx.data_class} may only be in {describe_countries(countries)} "
        f"({ctx.class_key()}.countries).{why}",
        f"{move} If the app holds less sensitive data, classify it with an [[apps]] entry "
        "in the policy. " + ctx.ask(),
        (
            *ctx.owner_evidence(),
            *ctx.region_evidence(),
            ctx.class_evidence(),
            ctx.countries_evidence(),
            *(ctx.agreement_evidence(a) for a in ctx.heroku_coverage.active),
        ),
    )
