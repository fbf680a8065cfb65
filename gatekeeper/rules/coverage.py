"""personal-account, team-not-covered, agreement-expired, agreement-expiring: the Heroku DPA.

These rules apply to apps whose data class has ``requires_agreement = true``.

A data processing agreement with Salesforce follows the contracting customer: it covers the
institution's Heroku Enterprise account and its teams, or the teams it names, never an app in
a researcher's personal account or in a team opened with a private credit card. Since
2026-02-06 Heroku offers no new Enterprise Account contracts to new customers, so the
remediation never assumes one can be bought: a DPA naming a team (``teams``) covers that
team's apps; Private Spaces and Shield need an Enterprise account. A Heroku agreement in the policy
(``[[agreements]]`` with ``heroku = true``) covers an app when it names the app's team in
``teams`` or the team's enterprise account in ``enterprise_accounts``, and is in force on the
day of the check (from ``signed``, when given, through ``expires``, both days included).

- **personal-account** (block): the app belongs to a person, not a team. It fires instead of
  team-not-covered. Fix: ``heroku apps:transfer --team TEAM -a APP``.
- **team-not-covered** (block): no agreement, active or not, names the app's team or its
  enterprise account (a team outside the enterprise account, such as one opened with a
  private card, is never covered by the enterprise DPA).
- **agreement-expired** (block): agreements name the team, but all of them have expired.
- **agreement-expiring** (warn): the covering agreement that runs longest ends within
  ``[defaults] expiry_warning_days`` (60 by default); the last day in force counts as day 0.
  The add-on rules raise the same warning for add-on agreements.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.facts import FactKind
from gatekeeper.knowledge import sources
from gatekeeper.policy_values import PolicyTable
from gatekeeper.rules.context import AppContext, Candidate
from gatekeeper.rules.metadata import RuleInfo, WaiverExample

PERSONAL_ACCOUNT = RuleInfo(
    "personal-account",
    "block",
    "The data class requires an agreement and the app belongs to a person, not a team.",
    why="A data processing agreement follows the contracting customer: the "
    "institution's enterprise account and its teams, never a researcher's "
    "personal Heroku account.",
    source="GDPR Art. 28; Heroku Dev Center 'Heroku Enterprise Accounts'.",
    remedy="heroku apps:transfer --team TEAM -a APP, with TEAM a team the institution's "
    "Heroku agreement covers.",
    waiver=WaiverExample(
        "jdoe-thesis",
        None,
        "Transfer scheduled; no participant data yet",
    ),
    sources=(
        sources.GDPR_ART_28,
        sources.HEROKU_ENTERPRISE_ACCOUNTS,
        sources.HEROKU_APP_TRANSFER,
    ),
)
TEAM_NOT_COVERED = RuleInfo(
    "team-not-covered",
    "block",
    "No active Heroku agreement names the app's team or its enterprise account.",
    why="Only the teams and enterprise accounts named in a Heroku agreement "
    "([[agreements]] heroku = true) are covered. A team opened with a private "
    "credit card is outside the enterprise account and not covered.",
    source="GDPR Art. 28; the policy's [[agreements]].",
    remedy="Move the app to a covered team (heroku apps:transfer --team TEAM -a APP), "
    "or have the team named in the institution's Heroku DPA (a DPA can name teams; Heroku "
    "offers no new Enterprise Account contracts to new customers since 2026-02-06), "
    "or added to an enterprise account the institution already has, then to the "
    "policy's [[agreements]] teams.",
    waiver=WaiverExample(
        "student-*",
        "student-projects",
        "Course apps with synthetic data only",
    ),
    sources=(
        sources.GDPR_ART_28,
        sources.HEROKU_ENTERPRISE_ACCOUNTS,
        sources.HEROKU_APP_TRANSFER,
        sources.HEROKU_SUSTAINING,
    ),
)
AGREEMENT_EXPIRED = RuleInfo(
    "agreement-expired",
    "block",
    "The only agreements covering the app have expired.",
    why="An agreement is in force from 'signed' through 'expires' (both days "
    "included). After that the processing has no contract.",
    source="The policy's [[agreements]] expires dates.",
    remedy="Renew the agreement and update expires in its [[agreements]] entry, or move "
    "the app to a team covered by an agreement in force.",
    waiver=WaiverExample(
        "*",
        "salesforce-dpa",
        "Renewal signed, counter-signature pending",
    ),
    sources=(sources.GDPR_ART_28,),
)
AGREEMENT_EXPIRING = RuleInfo(
    "agreement-expiring",
    "warn",
    "The covering agreement ends within expiry_warning_days.",
    why="A warning before agreement-expired starts blocking deploys: renewals take "
    "time. Raised for Heroku agreements and add-on agreements, on every app they "
    "cover, when the longest-running covering agreement ends within "
    "[defaults] expiry_warning_days (60 by default).",
    source="The policy's [[agreements]] expires dates.",
    remedy="Renew the agreement and update expires in its [[agreements]] entry.",
    waiver=WaiverExample("*", "salesforce-dpa", "Renewal in progress, legal ticket 77"),
    sources=(sources.GDPR_ART_28,),
)

RULES: tuple[RuleInfo, ...] = (
    PERSONAL_ACCOUNT,
    TEAM_NOT_COVERED,
    AGREEMENT_EXPIRED,
    AGREEMENT_EXPIRING,
)
NEEDS: frozenset[FactKind] = frozenset({"app", "team", "enterprise-account"})
OPTIONS: type[PolicyTable] | None = None


def expiring_candidate(ctx: AppContext, agreement_id: str, what: str) -> Candidate | None:
    """agreement-expiring for one agreement, or None when it runs long enough."""
    agreement = next(a for a in ctx.policy.agreements if a.id == agreement_id)
    days_left = (agreement.expires - ctx.today).days
    if days_left > ctx.policy.defaults.expiry_warning_days:
        return None
    when = {0: "today (its last day)", 1: "tomorrow"}.get(days_left, f"in {days_left} days")
    return ctx.candidate(
        AGREEMENT_EXPIRING,
        agreement.id,
        f"Agreement {agreement.id}, which covers {what}, ends {when} "
        f"({agreement.expires.isoformat()}). After that the app is blocked.",
        f"Renew the agreement, then update expires in the [[agreements]] entry with id = "
        f'"{agreement.id}". ' + ctx.ask(),
        (*ctx.owner_evidence(), ctx.agreement_evidence(agreement), ctx.class_evidence()),
    )


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Is the app's owner covered by an active Heroku agreement?"""
    if not ctx.class_rule.requires_agreement or ctx.unknown("team", "enterprise-account"):
        return
    app = ctx.app.name
    needs = (
        f"Data of class {ctx.data_class} requires a data processing agreement "
        f"({ctx.class_key()}.requires_agreement)"
    )
    if ctx.is_personal:
        who = ctx.app.owner_email or "a person"
        yield ctx.candidate(
            PERSONAL_ACCOUNT,
            ctx.app.owner_email,
            f"App {app} belongs to the personal account of {who}, not to a team. {needs}, and "
            "the institution's Heroku agreement never covers personal accounts.",
            f"Move the app to a covered team: {ctx.transfer_advice()}. " + ctx.ask(),
            (*ctx.owner_evidence(), ctx.class_evidence()),
        )
        return
    coverage = ctx.heroku_coverage
    team = ctx.app.team
    if coverage.active:
        longest = coverage.longest
        assert longest is not None
        found = expiring_candidate(ctx, longest.id, f"team {team}")
        if found is not None:
            yield found
        return
    pending = ""
    if coverage.pending:
        first = coverage.pending[0]
        pending = (
            f" Agreement {first.id} names it but is not in force before "
            f"{first.signed.isoformat() if first.signed else '?'}."
        )
    if coverage.expired:
        last = coverage.last_expired
        assert last is not None
        yield ctx.candidate(
            AGREEMENT_EXPIRED,
            last.id,
            f"The Heroku agreement covering team {team} ({last.id}) expired on "
            f"{last.expires.isoformat()}. {needs}, so app {app} is no longer covered." + pending,
            f"Renew the agreement with Salesforce and update expires in the [[agreements]] "
            f'entry with id = "{last.id}", or move the app to a covered team: '
            f"{ctx.transfer_advice()}. " + ctx.ask(),
            (
                *ctx.owner_evidence(),
                *(ctx.agreement_evidence(a) for a in coverage.expired),
                ctx.class_evidence(),
            ),
        )
        return
    if ctx.team is None:
        scope = f"team {team} (its enterprise account is unknown)"
    elif ctx.enterprise_account:
        scope = f"team {team} or its enterprise account {ctx.enterprise_account}"
    else:
        scope = f"team {team} (which is in no enterprise account)"
    yield ctx.candidate(
        TEAM_NOT_COVERED,
        team,
        f"No active Heroku agreement names {scope}. {needs}, so app {app} is not covered."
        + pending,
        f"Move the app to a covered team: {ctx.transfer_advice()}; or, once the "
        f"institution's Heroku DPA names team {team} (a DPA can cover a team without an "
        "Enterprise account, which Heroku no longer sells to new customers), add the team to "
        "the Heroku agreement's teams in the policy. A team-level DPA covers the team's apps "
        "in the Common Runtime; Private Spaces and Shield need an Enterprise account. " + ctx.ask(),
        (*ctx.owner_evidence(), ctx.class_evidence()),
    )
