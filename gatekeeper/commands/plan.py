"""``gatekeeper plan``: judge an app before ``heroku create``, from its ``app.json``.

The judging is ``gatekeeper.usecases.plan``; this module parses the options, reads the
manifest, builds the API source, and shows the outcome as ``check`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import click

from gatekeeper.appjson import DEFAULT_APP_JSON
from gatekeeper.commands import shared
from gatekeeper.commands.verbs import summarized
from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.usecases.check import CheckOutcome
    from gatekeeper.usecases.plan import SurroundingsSource


@dataclass(frozen=True)
class PlanOptions:
    app_json: str
    team: str | None
    region: str | None
    space: str | None
    name: str | None
    environment: str | None
    policy_path: str | None
    api_url: str | None
    fmt: str
    outputs: tuple[str, ...]
    strict: bool
    verbose: bool


@summarized("plan")
@click.command("plan")
@click.argument("app_json", metavar="[APP_JSON]", default=DEFAULT_APP_JSON, required=False)
@click.option(
    "--team",
    "-t",
    metavar="TEAM",
    help="The team that would own the app (default: your personal account, as heroku create).",
)
@click.option("--region", metavar="REGION", help="Common runtime region (default: us).")
@click.option("--space", metavar="SPACE", help="Private Space to create the app in (its region).")
@click.option("--name", metavar="NAME", help="The app's name (matches the policy's [[apps]]).")
@click.option(
    "--environment",
    metavar="ENV",
    help="Apply app.json's environments.ENV overrides (review: review apps, test: Heroku CI).",
)
@shared.report_options_for(snapshot=False)
def command(**kwargs: object) -> int:
    """APP_JSON defaults to ./app.json. Its add-ons are judged with their plans, owned by the
    team (or your personal account without --team) in the region or space given; the team,
    the space and the regions are read from the Heroku API.

    Exit codes as for check: 0 allowed, 1 blocked, 2 usage error, invalid policy or
    app.json, 3 the team, space or regions could not be read (fail closed).
    """
    return run(PlanOptions(**kwargs))  # type: ignore[arg-type]


def run(opts: PlanOptions, *, token: str | None = None, today: date | None = None) -> int:
    outcome = execute(opts, build_source(opts, token=token), today=today)
    shared.publisher(opts.fmt, opts.outputs)(outcome.report, outcome.render_options)
    shared.show_notices(outcome.notices)
    return outcome.exit_code


def execute(
    opts: PlanOptions, source: SurroundingsSource, *, today: date | None = None
) -> CheckOutcome:
    from gatekeeper.appjson import load_app_json
    from gatekeeper.usecases.plan import PlannedApp, plan_app
    from gatekeeper.usecases.policy_file import open_policy

    policy = open_policy(opts.policy_path)
    planned = PlannedApp(
        manifest=load_app_json(
            opts.app_json, environment=_given("--environment", opts.environment)
        ),
        team=_given("--team", opts.team),
        region=_given("--region", opts.region),
        space=_given("--space", opts.space),
        name=_app_name(opts.name),
    )
    return plan_app(
        planned,
        policy=policy,
        source=source,
        strict=opts.strict,
        today=today,
        verbose=opts.verbose,
        color=shared.color_for(opts.fmt),
    )


def build_source(opts: PlanOptions, *, token: str | None = None) -> SurroundingsSource:
    from gatekeeper.sources.api import ApiSource

    return ApiSource(opts.api_url, token=token)


def _given(flag: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise UsageError(f"{flag} was given an empty name.")
    return value.strip()


def _app_name(value: str | None) -> str | None:
    from gatekeeper.git.names import is_app_name

    name = _given("--name", value)
    if name is not None and not is_app_name(name):
        raise shared.not_an_app_name(name)
    return name
