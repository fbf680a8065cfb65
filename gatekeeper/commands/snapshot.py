"""``gatekeeper snapshot``: save the collected facts as JSON, to evaluate offline
(``check --snapshot``, ``audit --snapshot``) or replay in the simulator
(``gatekeeper simulate --estate SNAPSHOT``). No tokens, no config vars."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import click

from gatekeeper.commands import shared
from gatekeeper.needs import Needs

if TYPE_CHECKING:
    from gatekeeper.facts import Estate

T = TypeVar("T")


@click.command("snapshot")
@click.option("--app", "-a", "apps", multiple=True, metavar="NAME", help="An app (repeatable).")
@click.option("--team", "teams", multiple=True, metavar="NAME", help="A team (repeatable).")
@click.option(
    "--enterprise",
    "enterprises",
    multiple=True,
    metavar="NAME",
    help="All teams of an enterprise account (repeatable).",
)
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
    """Save the facts of apps, teams or everything as a JSON snapshot."""
    from gatekeeper.atomic import write_atomic
    from gatekeeper.snapshot import dump_snapshot

    estate = collect(
        apps=apps,
        teams=teams,
        enterprises=enterprises,
        everything=everything,
        needs=Needs.everything().without("log-drains") if no_drains else Needs.everything(),
        api_url=api_url,
    )
    text = dump_snapshot(estate)
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"gatekeeper: wrote {len(estate.apps)} apps to {output}", err=True)
    return 0


def collect(
    *,
    apps: tuple[str, ...],
    teams: tuple[str, ...],
    enterprises: tuple[str, ...],
    everything: bool,
    needs: Needs,
    api_url: str | None,
    token: str | None = None,
) -> Estate:
    from gatekeeper.collect import AuditScope, collect_app, collect_estate
    from gatekeeper.collect.progress import progress_for
    from gatekeeper.errors import UsageError
    from gatekeeper.heroku import resolve_api_url

    if not (apps or teams or enterprises or everything):
        raise UsageError("Nothing to snapshot.", hint="Name --app, --team, --enterprise or --all.")
    url = resolve_api_url(api_url)
    client = shared.make_client(url, token=token)

    async def run() -> Estate:
        async with client:
            parts: list[Estate] = []
            if teams or enterprises or everything:
                scope = AuditScope(teams=teams, enterprises=enterprises, everything=everything)
                parts.append(
                    await collect_estate(
                        client,
                        scope,
                        needs=needs,
                        progress=progress_for(),
                        source=url,
                    )
                )
            for app in apps:
                parts.append(await collect_app(client, app, needs=needs, source=url))
            return merge(parts)

    return shared.run_async(run)


def _unique(items: list[T], key: str) -> tuple[T, ...]:
    """``items`` without later duplicates (same ``key`` attribute), sorted by name."""
    seen: dict[str, T] = {}
    for item in items:
        seen.setdefault(getattr(item, key), item)
    return tuple(sorted(seen.values(), key=lambda x: str(getattr(x, "name"))))  # noqa: B009


def merge(parts: list[Estate]) -> Estate:
    """One estate from several collections."""
    from gatekeeper.facts import Estate

    first = parts[0]
    return Estate(
        collected_at=first.collected_at,
        source=first.source,
        apps=_unique([a for p in parts for a in p.apps], "id"),
        teams=_unique([t for p in parts for t in p.teams], "name"),
        enterprise_accounts=_unique([e for p in parts for e in p.enterprise_accounts], "name"),
        spaces=_unique([s for p in parts for s in p.spaces], "name"),
        regions=_unique([r for p in parts for r in p.regions], "name"),
    )
