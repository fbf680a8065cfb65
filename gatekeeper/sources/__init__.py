"""Fact sources: where an estate's facts come from (``FactSource``, see ``interface``).

``open_source`` is the one place that decides "the API or a snapshot"; ``gather`` is the one
door from a source to the engine. The names are loaded on first use, so that ``check`` does
not import the estate collector and asyncio with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gatekeeper.lazy import lazy_exports

if TYPE_CHECKING:
    from gatekeeper.sources.api import ApiSource
    from gatekeeper.sources.gather import gather, one_entry_per_app
    from gatekeeper.sources.interface import AppScope, FactSource
    from gatekeeper.sources.snapshot import SnapshotSource

_EXPORTS = {
    "ApiSource": "gatekeeper.sources.api",
    "gather": "gatekeeper.sources.gather",
    "one_entry_per_app": "gatekeeper.sources.gather",
    "AppScope": "gatekeeper.sources.interface",
    "FactSource": "gatekeeper.sources.interface",
    "SnapshotSource": "gatekeeper.sources.snapshot",
}

__all__ = [
    "ApiSource",
    "AppScope",
    "FactSource",
    "SnapshotSource",
    "gather",
    "one_entry_per_app",
    "open_source",
]


def open_source(
    *,
    snapshot: str | Path | None = None,
    api_url: str | None = None,
    token: str | None = None,
    max_in_flight: int = 8,
) -> FactSource:
    """The snapshot file ``snapshot`` when one is given, else the Heroku API at ``api_url``."""
    if snapshot:
        from gatekeeper.sources.snapshot import SnapshotSource

        return SnapshotSource(snapshot)
    from gatekeeper.sources.api import ApiSource

    return ApiSource(api_url, token=token, max_in_flight=max_in_flight)


__getattr__ = lazy_exports(__name__, _EXPORTS)
