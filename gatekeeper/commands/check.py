"""``gatekeeper check``: evaluate one app before it is deployed.

The app comes from ``--app``, else ``$HEROKU_APP_NAME`` (a dyno's metadata, for the
``release:`` phase), else the git remote (``--remote``, default ``heroku``). The judging is
``gatekeeper.usecases.check``; this module parses the options, builds the fact source, and
shows the outcome.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gatekeeper.commands import shared
from gatekeeper.commands.verbs import summarized
from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.sources.interface import FactSource
    from gatekeeper.usecases.check import CheckOutcome

DYNO_METADATA_HINT = (
    "Inside a dyno the app name comes from HEROKU_APP_NAME, which Heroku sets only with "
    "dyno metadata enabled: run `heroku labs:enable runtime-dyno-metadata -a APP` once, "
    "or write the name into the Procfile: `release: gatekeeper check --app APP`."
)


@dataclass(frozen=True)
class CheckOptions:
    app: str | None
    remote: str
    policy_path: str | None
    api_url: str | None
    snapshot_path: str | None
    fmt: str
    outputs: tuple[str, ...]
    strict: bool
    verbose: bool


@summarized("check")
@click.command("check")
@click.option(
    "--app",
    "-a",
    metavar="NAME",
    help="The app (default: $HEROKU_APP_NAME, else the app behind the git remote).",
)
@click.option(
    "--remote",
    "-r",
    default="heroku",
    show_default=True,
    metavar="NAME",
    help="Git remote whose Heroku app to check when --app is not given.",
)
@shared.report_options
def command(**kwargs: object) -> int:
    """Exit codes: 0 allowed, 1 blocked (or warned with --strict / fail_on = "warn"),
    2 usage error or invalid policy, 3 a fact could not be read or no app was judged
    (fail closed).
    """
    return run(CheckOptions(**kwargs))  # type: ignore[arg-type]


def run(opts: CheckOptions, *, token: str | None = None, today: date | None = None) -> int:
    outcome = execute(opts, build_source(opts, token=token), today=today)
    show(outcome, opts)
    return outcome.exit_code


def execute(opts: CheckOptions, source: FactSource, *, today: date | None = None) -> CheckOutcome:
    from gatekeeper.usecases.check import check_app
    from gatekeeper.usecases.policy_file import open_policy

    policy = open_policy(opts.policy_path)
    return check_app(
        resolve_app(opts),
        policy=policy,
        source=source,
        strict=opts.strict,
        today=today,
        verbose=opts.verbose,
        color=shared.color_for(opts.fmt),
    )


def build_source(opts: CheckOptions, *, token: str | None = None) -> FactSource:
    from gatekeeper.sources import open_source

    return open_source(snapshot=opts.snapshot_path, api_url=opts.api_url, token=token)


def show(outcome: CheckOutcome, opts: CheckOptions) -> None:
    shared.publisher(opts.fmt, opts.outputs)(outcome.report, outcome.render_options)
    shared.show_notices(outcome.notices)


def resolve_app(opts: CheckOptions) -> str:
    from gatekeeper.git.names import is_app_name
    from gatekeeper.sources.interface import is_uuid

    if opts.app is not None:
        name = opts.app.strip()
        if not name:
            hint = DYNO_METADATA_HINT if os.environ.get("DYNO") else "Give --app NAME."
            raise UsageError("--app was given an empty app name.", hint=hint)
    elif os.environ.get("HEROKU_APP_NAME"):
        name = os.environ["HEROKU_APP_NAME"].strip()
    elif os.environ.get("DYNO"):
        raise UsageError(
            "No app to check: HEROKU_APP_NAME is not set in this dyno.", hint=DYNO_METADATA_HINT
        )
    else:
        from gatekeeper.git.remotes import heroku_app_for_repo

        found = heroku_app_for_repo(Path.cwd(), opts.remote)
        if found is None:
            raise UsageError(
                f"No app to check: --app is not given and the git remote {opts.remote!r} is "
                "not a Heroku remote here.",
                hint="Give --app NAME, run inside the app's git repository, or add the remote "
                "with `heroku git:remote -a NAME`.",
            )
        name = found
    if not is_app_name(name) and not is_uuid(name):
        raise shared.not_an_app_name(name)
    return name
