"""The fact-source seam: where an estate's facts come from (the Heroku API or a snapshot).

A ``FactSource`` answers ``collect(scope, needs)`` with an ``Estate`` restricted to the scope.
The scopes:

- ``AppScope``: one app, by name or id (``gatekeeper check``);
- ``AuditScope`` (``gatekeeper.collect.estate``): teams, enterprise accounts, or everything
  the token can see (``gatekeeper audit``, ``gatekeeper snapshot``);
- ``None``: everything the source holds (``audit --snapshot FILE`` without a scope).

A source does not judge: every estate goes through ``gatekeeper.sources.gather.gather``, which
makes each app appear once whatever the source answered (docs/fault-matrix.md), before the
engine sees it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.progress import Progress
    from gatekeeper.facts import App, Estate
    from gatekeeper.needs import Needs


@dataclass(frozen=True)
class AppScope:
    """One app: its name, or its id (a UUID, compared case-insensitively)."""

    app: str

    def describe(self) -> str:
        return f"app:{self.app}"

    def matches(self, app: App) -> bool:
        """Whether ``app`` is the app asked for: the same name, or the same id."""
        if app.name == self.app:
            return True
        return is_uuid(self.app) and app.id.lower() == self.app.lower()


class FactSource(Protocol):
    """Where facts come from. Implementations: ``ApiSource``, ``SnapshotSource``."""

    @property
    def origin(self) -> str:
        """Where the facts come from, as the history store records it: ``api URL`` or
        ``snapshot FILE``."""

    def scope_key(self, scope: AuditScope | None) -> str:
        """A stable name of what ``collect(scope)`` covers, for the history store (e.g.
        ``team:psych-lab``; ``snapshot:FILE`` for all that a snapshot holds)."""

    def collect(
        self,
        scope: AppScope | AuditScope | None,
        needs: Needs,
        *,
        progress: Progress | None = None,
    ) -> Estate:
        """The facts of ``scope``: only its apps, and the teams, spaces and regions they
        refer to. Raises ``GatekeeperError`` when the scope cannot be read at all; a detail
        that cannot be read is a ``FactError`` on its app."""


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
