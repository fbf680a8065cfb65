"""``gatekeeper webhooks status``: which apps are subscribed to the ``gatekeeper serve``
receiver, and the ``heroku webhooks:add`` command for each that is not (read scope only; it
never writes). The work is ``gatekeeper.usecases.webhooks``."""

from __future__ import annotations

import os

import click

from gatekeeper.commands.verbs import summarized

RECEIVER_ENV = "GATEKEEPER_RECEIVER_URL"


@summarized("webhooks")
@click.group("webhooks")
def command() -> None:
    """The Heroku app webhooks that feed `gatekeeper serve` (docs/heroku-auditor.md)."""


@command.command("status")
@click.option(
    "--team", "-t", metavar="NAME", help="Only this team's apps (default: all you can see)."
)
@click.option(
    "--url",
    "receiver",
    metavar="URL",
    help=f"The receiver, https://HOST/webhooks/heroku (default: ${RECEIVER_ENV}).",
)
@click.option("--api-url", metavar="URL", help="Heroku API base URL (default: $HEROKU_HOST).")
def status(team: str | None, receiver: str | None, api_url: str | None) -> int:
    """List the apps with and without a subscription to the receiver and print the
    commands that subscribe the others (with SECRET standing for the webhook secret).
    Exit codes: 0 listed, 2 usage error, 3 an app's subscriptions could not be read."""
    from gatekeeper.errors import CouldNotEvaluate, UsageError
    from gatekeeper.usecases.webhooks import ENTITIES, heroku_client, webhook_status

    url = receiver or os.environ.get(RECEIVER_ENV)
    if not url:
        raise UsageError(
            "webhooks status needs the receiver's URL.",
            hint=f"Give --url https://HOST/webhooks/heroku or set {RECEIVER_ENV}.",
        )
    with heroku_client(api_url) as client:
        found = webhook_status(client, url, team=team)
    click.echo(f"Receiver: {found.receiver} (entities {','.join(ENTITIES)})")
    click.echo(f"Subscribed ({len(found.subscribed)}): {', '.join(found.subscribed) or '-'}")
    if found.incomplete:
        click.echo(
            f"Subscribed for fewer entities ({len(found.incomplete)}): "
            f"{', '.join(found.incomplete)}"
        )
    click.echo(f"Not subscribed ({len(found.missing)}): {', '.join(found.missing) or '-'}")
    commands = found.commands()
    if commands:
        click.echo("\nTo subscribe them (SECRET: your GATEKEEPER_WEBHOOK_SECRET):")
        for line in commands:
            click.echo(line)
    if found.unreadable:
        for app, why in found.unreadable:
            click.echo(
                f"gatekeeper: error: the webhooks of {app} could not be read: {why}", err=True
            )
        raise CouldNotEvaluate(
            f"The subscriptions of {len(found.unreadable)} app(s) could not be read.",
            hint="Those apps are not counted as subscribed (fail closed).",
        )
    return 0
