"""``gatekeeper snapshot``: save the collected facts as JSON, to evaluate offline
(``check --snapshot``, ``audit --snapshot``) or replay in the simulator
(``gatekeeper simulate --estate SNAPSHOT``). No tokens, no config vars. The collecting is
``gatekeeper.usecases.snapshot``."""

from __future__ import annotations

import click

from gatekeeper.commands import shared, terminal
from gatekeeper.commands.verbs import summarized


@summarized("snapshot")
@click.command("snapshot")
@click.option("--app", "-a", "apps", multiple=True, metavar="NAME", help="An app (repeatable).")
@shared.team_options
@click.option("--all", "everything", is_flag=True, help="Everything the token can see.")
@click.option("--no-drains", is_flag=True, help="Skip the per-app log drain requests.")
@click.option("--api-url", metavar="URL", help="Heroku API base URL.")
@click.option(
    "--output",
    "-o",
    "output",
    metavar="FILE",
    default="-",
    show_default=True,
    help="Where to write the snapshot (- is stdout); written atomically.",
)
def command(
    apps: tuple[str, ...],
    teams: tuple[str, ...],
    enterprises: tuple[str, ...],
    everything: bool,
    no_drains: bool,
    api_url: str | None,
    output: str,
) -> int:
    """Apps, teams, enterprise accounts or everything the token can see, with no tokens
    and no config vars."""
    from gatekeeper.atomic import write_atomic
    from gatekeeper.needs import Needs
    from gatekeeper.snapshot import dump_snapshot
    from gatekeeper.sources import open_source
    from gatekeeper.usecases import AuditScope
    from gatekeeper.usecases.snapshot import take_snapshot

    scope = (
        AuditScope(teams=teams, enterprises=enterprises, everything=everything)
        if teams or enterprises or everything
        else None
    )
    outcome = take_snapshot(
        source=open_source(api_url=api_url),
        apps=apps,
        scope=scope,
        needs=Needs.everything().without("log-drains") if no_drains else Needs.everything(),
        progress=terminal.progress(),
    )
    text = dump_snapshot(outcome.estate)
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        terminal.info(f"gatekeeper: wrote {outcome.app_count} apps to {output}")
    return 0
