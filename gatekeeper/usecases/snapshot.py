"""The ``snapshot`` use case (``take_snapshot``: ``gatekeeper.snapshot`` is the file format):
collect the facts of apps and scopes into one estate, to save
(``gatekeeper.snapshot.dump_snapshot``) and evaluate offline or replay in the simulator."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.progress import Progress
    from gatekeeper.facts import Estate
    from gatekeeper.needs import Needs
    from gatekeeper.sources.interface import FactSource

T = TypeVar("T")


@dataclass(frozen=True)
class SnapshotOutcome:
    estate: Estate

    @property
    def app_count(self) -> int:
        return len(self.estate.apps)


def take_snapshot(
    *,
    source: FactSource,
    apps: tuple[str, ...] = (),
    scope: AuditScope | None = None,
    needs: Needs | None = None,
    progress: Progress | None = None,
) -> SnapshotOutcome:
    """The facts of ``scope`` and of each app of ``apps``, as one estate (each app once)."""
    from gatekeeper.needs import Needs
    from gatekeeper.sources.gather import gather
    from gatekeeper.sources.interface import AppScope
    from gatekeeper.usecases.check import only_app

    if not (apps or scope is not None):
        raise UsageError("Nothing to snapshot.", hint="Name --app, --team, --enterprise or --all.")
    wanted = needs or Needs.everything()
    parts: list[Estate] = []
    if scope is not None:
        parts.append(gather(source, scope, wanted, progress=progress))
    # The app asked for must be the app saved, as it must be the app judged.
    parts.extend(only_app(gather(source, AppScope(a), wanted), AppScope(a)) for a in apps)
    return SnapshotOutcome(merge(parts))


def merge(parts: list[Estate]) -> Estate:
    """One estate from several collections: each app once (``one_entry_per_app``: copies
    that disagree block the app), each shared fact once, all sorted by name."""
    from gatekeeper.facts import Estate
    from gatekeeper.sources.gather import one_entry_per_app

    first = parts[0]
    apps = one_entry_per_app(
        dataclasses.replace(first, apps=tuple(a for p in parts for a in p.apps))
    ).apps
    return Estate(
        collected_at=first.collected_at,
        source=first.source,
        apps=tuple(sorted(apps, key=lambda a: a.name)),
        teams=_unique([t for p in parts for t in p.teams], "name"),
        enterprise_accounts=_unique([e for p in parts for e in p.enterprise_accounts], "name"),
        spaces=_unique([s for p in parts for s in p.spaces], "name"),
        regions=_unique([r for p in parts for r in p.regions], "name"),
    )


def _unique(items: list[T], key: str) -> tuple[T, ...]:
    """``items`` without later duplicates (same ``key`` attribute), sorted by name."""
    seen: dict[str, T] = {}
    for item in items:
        seen.setdefault(getattr(item, key), item)
    return tuple(sorted(seen.values(), key=lambda x: str(getattr(x, "name"))))  # noqa: B009
