"""The ``plan`` use case: judge an app before it exists, from the ``app.json`` it would be
created from.

The would-be app is built as the ``App`` fact the collector would read once it exists: owned
by the team (or, without one, by the token's personal account, which the policy judges as
such), in the space's region (read from the API) or the region asked for (Heroku's default,
``us``, when neither is given, as ``heroku create`` does), with the add-ons of app.json
attached, and of the space's generation (Cedar outside a space). It then goes through the
same ``evaluate_app`` as ``check``: same rules, same report, same exit codes.

An add-on app.json names without a plan (``"heroku-postgresql"``, as oTree's and many Heroku
Buttons' do) gets the plan Heroku provisions by default, where the knowledge base knows it
(``knowledge.addons.default_plan``: ``essential-0`` in the Common Runtime, the smallest
private or shield plan in a space); any other is judged by its service alone (its provider,
its agreement), and a finding whose outcome depends on the plan tells to name it. A notice
says which plans were taken and which were not named.

Fail closed: a team, space or region list that cannot be read is an ``api-error`` block on
the planned app (exit 3), never an allow; its fix names what to check for a plan (the team
or space name, the token's access), not an app that does not exist yet.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, Protocol

from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.appjson import AppManifest, PlannedAddOn
    from gatekeeper.collect.plan import Surroundings
    from gatekeeper.facts import AddOn, App, Estate, FactError
    from gatekeeper.needs import Needs
    from gatekeeper.policy import Policy
    from gatekeeper.results import AppResult, Finding, Report
    from gatekeeper.usecases.check import CheckOutcome
    from gatekeeper.usecases.common import Notice

#: Where ``heroku create`` puts an app when no region or space is given.
DEFAULT_REGION = "us"
#: The generation of an app outside a space (Fir runs only in Fir Private Spaces).
COMMON_RUNTIME_GENERATION = "cedar"
#: The name shown for a planned app without ``--name``: never a Heroku app name, so it
#: matches only the ``[[apps]]`` globs that match every app.
UNNAMED = "(new app)"
#: The id of a planned app (it has none yet); fingerprints are stable for the same name.
PLANNED_ID_PREFIX = "planned:"


class SurroundingsSource(Protocol):
    """Reads what exists around a planned app. Implementation: ``ApiSource``."""

    def surroundings(self, *, team: str | None, space: str | None, needs: Needs) -> Surroundings:
        """The team (``None``: the token's personal account), the space and the regions."""


@dataclass(frozen=True)
class PlannedApp:
    """The app ``heroku create`` would make: where, for whom, from which manifest."""

    manifest: AppManifest
    team: str | None = None
    region: str | None = None
    space: str | None = None
    name: str | None = None


def plan_app(
    planned: PlannedApp,
    *,
    policy: Policy,
    source: SurroundingsSource,
    strict: bool = False,
    today: date | None = None,
    verbose: bool = False,
    color: bool = False,
) -> CheckOutcome:
    """Judge ``planned`` against ``policy`` with the facts ``source`` reads about its team,
    space and region.

    Raises ``UsageError`` (exit 2) for a plan Heroku would refuse (a region and a space, a
    space of another team, a region Heroku does not have or that needs a space), and
    ``CouldNotEvaluate`` (exit 3) when the personal account cannot be read."""
    from gatekeeper.needs import Needs
    from gatekeeper.sources.interface import AppScope
    from gatekeeper.usecases.check import check_outcome, evaluate_app
    from gatekeeper.usecases.common import report_clock

    if planned.region is not None and planned.space is not None:
        raise UsageError(
            "Give --region or --space, not both: an app in a space runs in the space's region."
        )
    around = source.surroundings(
        team=planned.team, space=planned.space, needs=Needs.from_policy(policy)
    )
    app = would_be_app(planned, around)
    estate = dataclasses.replace(
        around.estate,
        apps=(app,),
        regions=tuple(r for r in around.estate.regions if r.name == app.region),
    )
    day, generated_at = report_clock(today)
    report = evaluate_app(estate, policy, AppScope(app.name), today=day, generated_at=generated_at)
    choices = plan_choices(planned.manifest.addons, app.addons)
    report = _with_plan_fixes(report, planned, around, choices, policy)
    return check_outcome(
        report,
        policy,
        app=app.name,
        verb="plan",
        strict=strict,
        verbose=verbose,
        color=color,
        notices=(
            *_plan_name_notices(choices),
            *_short_lived_notices(planned.manifest),
            *_plan_notices(report),
        ),
    )


#: The rules' fixes are written for an app that exists; for a plan the same fix is made in
#: app.json or the plan's options, before anything is created.
PLAN_FIX_NOTICE = (
    "This is a plan: where a fix says `heroku addons:destroy`, take the add-on out of "
    "app.json (or pick another plan); for `heroku apps:transfer`, plan with --team; for a "
    "region, plan with --region or --space. Nothing was created."
)


#: Without --name the policy's [[apps]] entries cannot classify the app.
UNNAMED_NOTICE = (
    "The planned app has no --name, so only an [[apps]] glob that matches every app can "
    "classify it; give --name NAME, the name heroku create will give it."
)


def _plan_notices(report: Report) -> tuple[Notice, ...]:
    from gatekeeper.usecases.common import Notice

    notices = []
    if any(app.name == UNNAMED for app in report.apps):
        notices.append(Notice(UNNAMED_NOTICE))
    findings = (f for app in report.apps for f in app.findings)
    if any(f.severity in ("block", "warn") and not f.waived for f in findings):
        notices.append(Notice(PLAN_FIX_NOTICE))
    return tuple(notices)


def would_be_app(planned: PlannedApp, around: Surroundings) -> App:
    """The ``App`` fact of ``planned`` once created, with what could not be read as errors."""
    from gatekeeper.facts import App

    space = around.estate.space(planned.space) or next(iter(around.estate.spaces), None)
    if space is not None and planned.team is not None and space.team != around.team:
        raise UsageError(
            f"Space {space.name!r} belongs to team {space.team!r}, not {around.team!r}: Heroku "
            "creates an app in a space only for the space's team.",
            hint=f"Give --team {space.team} or leave --team out.",
        )
    if planned.space is not None:
        region = space.region if space is not None else None
        generation = space.generation if space is not None else None
    else:
        region = planned.region or DEFAULT_REGION
        generation = COMMON_RUNTIME_GENERATION
        _check_common_runtime_region(region, around.estate)
    name = planned.name or UNNAMED
    owner: Literal["team", "person"] = "team" if around.team is not None else "person"
    return App(
        id=PLANNED_ID_PREFIX + name,
        name=name,
        owner=owner,
        owner_email=around.owner_email,
        team=around.team,
        region=region,
        space=space.name if space is not None else planned.space,
        generation=generation,
        addons=planned_addons(
            planned.manifest.addons,
            name,
            region,
            around.team,
            owner,
            in_space=planned.space is not None,
            shield=space.shield if space is not None else False,
        ),
        log_drains=(),  # a new app has none but those its add-ons create
        telemetry_drains=(),
        errors=around.errors,
    )


def planned_addons(
    addons: tuple[PlannedAddOn, ...],
    app: str,
    region: str | None,
    team: str | None,
    owner: str,
    *,
    in_space: bool = False,
    shield: bool = False,
) -> tuple[AddOn, ...]:
    """The add-ons of app.json as the new app would own them (in its region and team).
    Each is named by its attachment (``as``) or service; repeats get a number. A service
    named without a plan gets the plan Heroku provisions by default (``judged_plan``)."""
    from gatekeeper.facts import AddOn

    out: list[AddOn] = []
    seen: dict[str, int] = {}
    for index, addon in enumerate(addons):
        base = (addon.attachment or addon.service).lower().replace("_", "-")
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base}-{seen[base]}"
        out.append(
            AddOn(
                id=f"{PLANNED_ID_PREFIX}addon-{index}",
                name=name,
                service=addon.service,
                plan=judged_plan(addon, in_space=in_space, shield=shield),
                app=app,
                owner_region=region,
                owner_team=team,
                owner_account="team" if owner == "team" else "person",
            )
        )
    return tuple(out)


def judged_plan(addon: PlannedAddOn, *, in_space: bool = False, shield: bool = False) -> str:
    """The plan the rules judge for ``addon``: as app.json names it, else the plan Heroku
    provisions for the bare service where gatekeeper knows it (in the Common Runtime, a
    Private Space or a Shield Space), else the bare service as written (judged by its
    service alone; ``_with_plan_fixes`` tells to name the plan where that decides)."""
    from gatekeeper.knowledge.addons import default_plan

    if addon.names_plan or not addon.service:
        return addon.plan
    return default_plan(addon.service, space=in_space, shield=shield) or addon.plan


@dataclass(frozen=True)
class PlanChoice:
    """How the plan of one planned add-on was decided, for the notices and the fixes."""

    name: str  # the add-on's name in the report (the findings' subject)
    service: str
    plan: str  # the plan judged
    named: bool  # app.json names the plan
    defaulted: bool  # app.json names none, and the plan judged is Heroku's default


def plan_choices(
    asked: tuple[PlannedAddOn, ...], judged: tuple[AddOn, ...]
) -> tuple[PlanChoice, ...]:
    """One ``PlanChoice`` per add-on of app.json (``judged``: the facts made of ``asked``)."""
    return tuple(
        PlanChoice(
            name=fact.name,
            service=fact.service,
            plan=fact.plan,
            named=addon.names_plan,
            defaulted=not addon.names_plan and fact.plan != addon.plan,
        )
        for addon, fact in zip(asked, judged, strict=True)
    )


def _plan_name_notices(choices: tuple[PlanChoice, ...]) -> tuple[Notice, ...]:
    """What was judged for the add-ons app.json names without a plan."""
    from gatekeeper.usecases.common import Notice

    notices = []
    defaulted = [c for c in choices if c.defaulted]
    if defaulted:
        plans = ", ".join(
            c.plan + ("" if c.name == c.service else f" as {c.name}") for c in defaulted
        )
        notices.append(
            Notice(
                "app.json names no plan for "
                + _names(sorted({c.service for c in defaulted}))
                + f": judged as the plan Heroku provisions by default for this app ({plans}; "
                "gatekeeper/knowledge/addons.py; in the Common Runtime `heroku addons:plans "
                'SERVICE` marks the default). Name the plan in app.json ("service:plan") to '
                "judge another one."
            )
        )
    unnamed = [c for c in choices if not c.named and not c.defaulted]
    if unnamed:
        notices.append(
            Notice(
                "app.json names no plan for "
                + _names(sorted({c.service for c in unnamed}))
                + ", and gatekeeper does not know the plan Heroku provisions by default: "
                "judged by the service alone (its provider, the agreement that covers it, "
                "where that says it processes); a finding that depends on the plan blocks or "
                'warns until the plan is named in app.json ("service:plan").'
            )
        )
    return tuple(notices)


#: The environments of app.json that Heroku applies to short-lived apps: review apps and
#: Heroku CI test runs.
SHORT_LIVED_ENVIRONMENTS = frozenset({"review", "test"})


def _short_lived_notices(manifest: AppManifest) -> tuple[Notice, ...]:
    """For a review or CI app, Heroku provisions the plan each add-on's provider set for
    short-lived apps, whatever app.json names (Dev Center "Supporting Review and CI Apps as
    an Add-on Partner"): the plans judged may not be the plans it gets."""
    from gatekeeper.usecases.common import Notice

    if manifest.environment not in SHORT_LIVED_ENVIRONMENTS or not manifest.addons:
        return ()
    return (
        Notice(
            f"environments.{manifest.environment} is for short-lived apps (review apps, "
            "Heroku CI): Heroku gives them the plan each add-on's provider chose for "
            "short-lived apps, which overrides the plan app.json names (Heroku Postgres: "
            "essential-0 in the Common Runtime). The plans judged here are app.json's; once "
            "the app exists, `heroku addons -a APP` shows the plans it got, and gatekeeper "
            "check judges them."
        ),
    )


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _with_plan_fixes(
    report: Report,
    planned: PlannedApp,
    around: Surroundings,
    choices: tuple[PlanChoice, ...],
    policy: Policy,
) -> Report:
    """``report`` with the fixes a plan needs: an ``api-error`` names what to check about the
    team, the space or the token (the rule's own fix names the app, which does not exist
    yet), and a finding decided by a plan app.json does not name tells to name it."""
    errors: dict[str, list[FactError]] = {}
    for error in around.errors:
        errors.setdefault(error.fact, []).append(error)
    unnamed = {c.name: c for c in choices if not c.named and not c.defaulted}

    def fixed(finding: Finding) -> Finding:
        from gatekeeper.results import API_ERROR_RULE

        fix = None
        if finding.rule == API_ERROR_RULE and finding.subject in errors:
            first = min(errors[finding.subject], key=lambda e: (e.status or 0, e.message))
            fix = plan_api_error_fix(first, planned, around.team)
        choice = unnamed.get(finding.subject or "")
        if choice is not None and _decided_by_plan(finding, choice, policy):
            fix = _name_the_plan(choice) + " " + finding.remediation
        return finding if fix is None else dataclasses.replace(finding, remediation=fix)

    def app_fixed(app: AppResult) -> AppResult:
        return dataclasses.replace(app, findings=tuple(fixed(f) for f in app.findings))

    return dataclasses.replace(report, apps=tuple(app_fixed(a) for a in report.apps))


def _decided_by_plan(finding: Finding, choice: PlanChoice, policy: Policy) -> bool:
    """Whether the plan decides ``finding``: where a Heroku data add-on's tier lives, or where
    a Heroku-operated service keeps the data (the plan of Managed Inference is its model).
    A third party's place is its agreement's, whatever the plan."""
    from gatekeeper.rules.addons import ADDON_LOCATION_NOT_ALLOWED
    from gatekeeper.rules.heroku_data import ADDON_OUTSIDE_REGION

    if finding.rule == ADDON_OUTSIDE_REGION.id:
        return True
    return finding.rule == ADDON_LOCATION_NOT_ALLOWED.id and choice.service in (
        policy.heroku_operated
    )


def _name_the_plan(choice: PlanChoice) -> str:
    from gatekeeper.codespan import code_span
    from gatekeeper.rules.context import sh

    return (
        f"app.json names no plan for {choice.service}, and here the plan decides: name it in "
        f'app.json ("{choice.service}:PLAN"; '
        f"{code_span(f'heroku addons:plans {sh(choice.service)}')} lists them), then plan "
        "again. For the app once it exists:"
    )


def plan_api_error_fix(error: FactError, planned: PlannedApp, team: str | None) -> str | None:
    """The fix of an ``api-error`` about what a plan reads, when the API refused it (403) or
    does not know it (404): check the name given and the token's access with the Heroku CLI.
    None: the rule's own fix fits a plan too (a bad token, a temporary problem)."""
    from gatekeeper.codespan import code_span
    from gatekeeper.rules.context import sh

    if error.status not in (403, 404):
        return None
    access = (
        "the token's user must be a member of it (a read-scope token of a member: "
        "`heroku authorizations:create --scope read`); then run gatekeeper plan again."
    )
    if error.fact == "team":
        name = planned.team or team or "TEAM"
        return (
            f"Check the team name given to --team ({name}) and the token's access: "
            f"`heroku teams` lists the teams the token's user belongs to, and {access}"
        )
    if error.fact == "region":
        return (
            "Check the token's access: `heroku regions` lists the regions it can see; then "
            "run gatekeeper plan again."
        )
    listing = code_span("heroku spaces" + (f" --team {sh(team)}" if team else ""))
    in_team = f" in team {team}" if team else ""
    return (
        f"Check the space name given to --space ({planned.space or 'SPACE'}) and the token's "
        f"access: {listing} lists the spaces the token's user can see{in_team}, and {access}"
    )


def _check_common_runtime_region(region: str, estate: Estate) -> None:
    """A region outside a space must be one of the common runtime's (``private_capable``
    regions exist only for spaces); unknown names are refused while the list is known."""
    if not estate.regions:
        return  # the region list could not be read: that error blocks already
    found = estate.region(region)
    if found is None:
        names = ", ".join(sorted(r.name for r in estate.regions if not r.private_capable))
        raise UsageError(
            f"Heroku has no region {region!r} (GET /regions).",
            hint=f"Give --region with one of: {names}; or --space SPACE for a Private Space.",
        )
    if found.private_capable:
        raise UsageError(
            f"Region {region!r} is a Private Space region: an app runs there only in a space.",
            hint="Give --space SPACE (the space's region is read from the API) instead.",
        )
