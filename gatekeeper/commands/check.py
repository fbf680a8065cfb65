"""``gatekeeper check``: evaluate one app before it is deployed.

The app comes from ``--app``, else ``$HEROKU_APP_NAME`` (a dyno's metadata, for the
``release:`` phase), else the git remote (``--remote``, default ``heroku``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gatekeeper import outputs
from gatekeeper.commands import shared
from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.facts import Estate
    from gatekeeper.policy import Policy
    from gatekeeper.results import Report

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
    """Check one app against the policy before it is deployed.

    Exit codes: 0 allowed, 1 blocked (or warned with --strict / fail_on = "warn"),
    2 usage error or invalid policy, 3 a fact could not be read (fail closed).
    """
    return run(CheckOptions(**kwargs))  # type: ignore[arg-type]


def run(opts: CheckOptions, *, token: str | None = None, today: date | None = None) -> int:
    policy = shared.load_policy(opts.policy_path)
    app = resolve_app(opts)
    estate = _estate(opts, app, policy, token)
    day, generated_at = shared.report_clock(today)
    report = evaluate_app(estate, policy, app, today=day, generated_at=generated_at)
    options = shared.render_options(
        policy,
        verbose=opts.verbose,
        strict=opts.strict,
        color=shared.stdout_is_terminal() and opts.fmt == "text",
    )
    outputs.emit(report, opts.fmt, opts.outputs, options)
    return shared.exit_code(report, strict=opts.strict)


def resolve_app(opts: CheckOptions) -> str:
    from gatekeeper.git.remotes import is_app_name

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
    if not is_app_name(name) and not _is_uuid(name):
        raise UsageError(
            f"{name!r} is not a Heroku app name.",
            hint="App names are 3 to 30 lowercase letters, digits and dashes, "
            "starting with a letter.",
        )
    return name


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _estate(opts: CheckOptions, app: str, policy: Policy, token: str | None) -> Estate:
    if opts.snapshot_path:
        from gatekeeper.snapshot import load_snapshot

        estate = load_snapshot(opts.snapshot_path)
        if not any(a.name == app or a.id == app for a in estate.apps):
            raise UsageError(
                f"The snapshot {opts.snapshot_path!r} has no app {app!r}.",
                hint="Check the name, or take a new snapshot.",
            )
        return estate
    # The synchronous client with a thread a request: a check is 5 requests in two waves,
    # and a process that never starts an event loop is spared importing asyncio and anyio's
    # asyncio backend (about a tenth of the whole check).
    from gatekeeper.collect.app import collect_app_sync
    from gatekeeper.heroku import HerokuClient, resolve_api_url, resolve_token
    from gatekeeper.heroku.config import client_tuning
    from gatekeeper.needs import Needs

    url = resolve_api_url(opts.api_url)
    secret = token or resolve_token(url).token
    with HerokuClient(url, secret, **client_tuning()) as client:
        return collect_app_sync(client, app, needs=Needs.from_policy(policy), source=url)


def evaluate_app(
    estate: Estate, policy: Policy, app: str, *, today: date, generated_at: datetime | None = None
) -> Report:
    """The engine's report on one app: only that app, and only the waivers whose app glob
    matches it (another app's unused waiver is no news to this app's deploy)."""
    from gatekeeper.engine import evaluate
    from gatekeeper.policy.model import glob_match

    apps = tuple(a for a in estate.apps if app in (a.name, a.id))
    name = apps[0].name if apps else app
    waivers = [w for w in policy.waivers if glob_match(name, w.app)]
    return evaluate(
        estate.model_copy(update={"apps": apps}),
        policy.model_copy(update={"waivers": waivers}),
        today,
        generated_at=generated_at,
    )
