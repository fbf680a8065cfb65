"""The ``plan`` use case: judge an app before it exists, from the ``app.json`` it would be
created from.

The would-be app is built as the ``App`` fact the collector would read once it exists: owned
by the team (or, without one, by the token's personal account, which the policy judges as
such), in the space's region (read from the API) or the region asked for (Heroku's default,
``us``, when neither is given, as ``heroku create`` does), with the add-ons of app.json
attached, and of the space's generation (Cedar outside a space). It then goes through the
same ``evaluate_app`` as ``check``: same rules, same report, same exit codes.

Fail closed: a team, space or region list that cannot be read is an ``api-error`` block on
the planned app (exit 3), never an allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.appjson import AppManifest, PlannedAddOn
    from gatekeeper.collect.plan import Surroundings
    from gatekeeper.facts import AddOn, App, Estate
    from gatekeeper.needs import Needs
    from gatekeeper.policy import Policy
    from gatekeeper.results import Report
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
    estate = around.estate.model_copy(
        update={
            "apps": (app,),
            "regions": tuple(r for r in around.estate.regions if r.name == app.region),
        }
    )
    day, generated_at = report_clock(today)
    report = evaluate_app(estate, policy, AppScope(app.name), today=day, generated_at=generated_at)
    return check_outcome(
        report,
        policy,
        app=app.name,
        verb="plan",
        strict=strict,
        verbose=verbose,
        color=color,
        notices=_plan_notices(report),
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
    owner = "team" if around.team is not None else "person"
    return App(
        id=PLANNED_ID_PREFIX + name,
        name=name,
        owner=owner,
        owner_email=around.owner_email,
        team=around.team,
        region=region,
        space=space.name if space is not None else planned.space,
        generation=generation,
        addons=planned_addons(planned.manifest.addons, name, region, around.team, owner),
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
) -> tuple[AddOn, ...]:
    """The add-ons of app.json as the new app would own them (in its region and team).
    Each is named by its attachment (``as``) or service; repeats get a number."""
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
                plan=addon.plan,
                app=app,
                owner_region=region,
                owner_team=team,
                owner_account="team" if owner == "team" else "person",
            )
        )
    return tuple(out)


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
