"""Facts read from a snapshot file (``gatekeeper snapshot``), restricted to the scope asked.

The file is read once, on the first ``collect``; a file that cannot be used is an
``InputFileError`` (exit 2) that names the file, line and key (``gatekeeper.snapshot``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from gatekeeper.errors import UsageError
from gatekeeper.sources.interface import AppScope

if TYPE_CHECKING:
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.progress import Progress
    from gatekeeper.facts import Estate
    from gatekeeper.needs import Needs


class SnapshotSource:
    """The facts saved in the snapshot file ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._estate: Estate | None = None

    @property
    def origin(self) -> str:
        return f"snapshot {self.path}"

    def scope_key(self, scope: AuditScope | None) -> str:
        return scope.describe() if scope is not None else f"snapshot:{Path(self.path).name}"

    def collect(
        self,
        scope: AppScope | AuditScope | None,
        needs: Needs,
        *,
        progress: Progress | None = None,
    ) -> Estate:
        """The snapshot's facts of ``scope``. ``needs`` changes nothing: a snapshot holds
        what was collected when it was taken, and the engine ignores what it does not need."""
        estate = self._load()
        if isinstance(scope, AppScope):
            apps = tuple(a for a in estate.apps if scope.matches(a))
            if not apps:
                raise UsageError(
                    f"The snapshot {self.path!r} has no app {scope.app!r}.",
                    hint="Check the name, or take a new snapshot.",
                )
            return dataclasses.replace(estate, apps=apps)
        if scope is None or scope.everything:
            return estate
        return restrict(estate, scope)

    def _load(self) -> Estate:
        if self._estate is None:
            from gatekeeper.snapshot import load_snapshot

            self._estate = load_snapshot(self.path)
        return self._estate


def restrict(estate: Estate, scope: AuditScope) -> Estate:
    """The part of ``estate`` that ``--team``/``--enterprise`` name: the apps of those teams."""
    enterprises = set(scope.enterprises)
    teams = set(scope.teams) | {t.name for t in estate.teams if t.enterprise_account in enterprises}
    return dataclasses.replace(estate, apps=tuple(a for a in estate.apps if a.team in teams))
