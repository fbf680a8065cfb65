"""shield-required: the data class requires a Heroku Shield Private Space.

Fires (block) when the app's data class has ``requires_shield = true`` and the app does not
run in a Shield Private Space (``space.shield``). Shield spaces are Heroku's offer for
regulated data (Heroku Shield: stricter network isolation, encryption, logging). A space that
is not in the collected facts counts as not Shield (fail closed).

Heroku cannot move an existing app into a space: create the space (``heroku spaces:create
--shield``), create a new app in it, move code and data, then destroy the old app. Combine
with ``countries`` to pin the region, e.g. ``countries = ["DE", "IE"]`` for ``frankfurt`` or
``dublin``.

Shield exists only for Cedar-generation spaces: Fir has no Shield yet (Heroku Generations),
so a Fir space never satisfies the rule. Shield spaces need a Heroku Enterprise account, and
since 2026-02-06 Heroku offers no new Enterprise Account contracts to new customers: the
remediation says so instead of assuming the institution can buy one.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.codespan import code_span
from gatekeeper.facts import FactKind
from gatekeeper.knowledge import REGIONS, country_allowed, sources
from gatekeeper.policy_values import PolicyTable
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.metadata import RuleInfo, WaiverExample

SHIELD_REQUIRED = RuleInfo(
    "shield-required",
    "block",
    "The data class requires Shield and the app is not in a Shield space.",
    why="Shield Private Spaces are Heroku's offer for regulated data (stricter "
    "isolation, encryption and logging); a class with requires_shield = true, "
    "typically special-category data (GDPR Art. 9), must run in one. Fir spaces have no "
    "Shield yet.",
    source="Heroku Dev Center 'Shield Private Spaces' and 'Heroku Generations'; the app's "
    "space (space.shield).",
    remedy="With a Heroku Enterprise account: create a Shield space (Cedar generation) "
    "(heroku spaces:create --space NAME --shield --region dublin --team TEAM), create a "
    "new app in it (heroku apps:create NEW --space NAME), move code and data, destroy the "
    "old app. Apps cannot be moved into a space. Heroku offers no new Enterprise Account "
    "contracts to new customers (since 2026-02-06): without one, no Heroku setup meets the "
    "class; run the app elsewhere, or classify it with an [[apps]] entry if its data is "
    "less sensitive.",
    waiver=WaiverExample("clinical-pilot", None, "Pilot with fully synthetic records"),
    sources=(
        sources.HEROKU_SHIELD,
        sources.HEROKU_GENERATIONS,
        sources.HEROKU_SUSTAINING,
        sources.GDPR_ART_9,
    ),
)

RULES: tuple[RuleInfo, ...] = (SHIELD_REQUIRED,)
NEEDS: frozenset[FactKind] = frozenset({"app", "space"})
OPTIONS: type[PolicyTable] | None = None


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Is the app in a Shield space when its class requires one?"""
    if not ctx.class_rule.requires_shield or ctx.unknown("space") or ctx.shield:
        return
    app = ctx.app.name
    if ctx.space is not None:
        where = f"in Private Space {ctx.space.name}, which is not a Shield space"
    elif ctx.app.space:
        where = f"in space {ctx.app.space}, whose Shield setting is unknown"
    else:
        where = "in the Common Runtime, not in a Shield Private Space"
    regions = sorted(
        r.name
        for r in REGIONS.values()
        if r.runtime == "private"
        and country_allowed(r.country, ctx.class_rule.countries, dpf=ctx.heroku_dpf)
    )
    region = regions[0] if regions else "REGION"
    team = ctx.app.team or "TEAM"
    choice = f" (allowed for this class: {', '.join(regions)})" if len(regions) > 1 else ""
    yield ctx.candidate(
        SHIELD_REQUIRED,
        ctx.app.space,
        f"App {app} runs {where}, but data of class {ctx.data_class} requires Heroku Shield "
        f"({ctx.class_key()}.requires_shield).",
        "Shield spaces need a Heroku Enterprise account, and Fir has no Shield yet. If the "
        f"institution has one, create a Shield space (Cedar generation){choice}: "
        + code_span(
            f"heroku spaces:create --space NEW-SPACE --shield --region {region} --team {sh(team)}"
        )
        + ", then `heroku apps:create NEW-NAME --space NEW-SPACE`, move code and data there, "
        f"and {code_span(f'heroku apps:destroy {sh(app)}')}. An existing app cannot be moved "
        "into a space. Since 2026-02-06 Heroku offers no new Enterprise Account contracts to "
        "new customers: without one, no Heroku setup meets this class, so run the app "
        "elsewhere, or classify it with an [[apps]] entry if its data is less sensitive. "
        + ctx.ask(),
        (*ctx.owner_evidence(), *ctx.region_evidence(), ctx.class_evidence()),
    )
