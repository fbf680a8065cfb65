"""The one door from a fact source to the engine: collect, then make every app appear once.

A listing or a snapshot can hold the same app (same id) twice. Identical copies (the same
facts, in any order) are one app. Copies that disagree cannot both be true, and judging either
one alone could allow what the other blocks, so the app is kept once, its first copy, with a
``FactError`` of kind ``app`` saying it was listed twice with conflicting facts: the engine
blocks it with ``api-error`` (fail closed; docs/fault-matrix.md).

Pure but for ``source.collect``; every use case reads its facts through :func:`gather`.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from gatekeeper.facts import App, Estate, FactError

if TYPE_CHECKING:
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.progress import Progress
    from gatekeeper.needs import Needs
    from gatekeeper.sources.interface import AppScope, FactSource


def gather(
    source: FactSource,
    scope: AppScope | AuditScope | None,
    needs: Needs,
    *,
    progress: Progress | None = None,
) -> Estate:
    """``source.collect(scope, needs)`` with each app once (:func:`one_entry_per_app`)."""
    return one_entry_per_app(source.collect(scope, needs, progress=progress))


def one_entry_per_app(estate: Estate) -> Estate:
    """``estate`` with each app id once, in the order of first appearance; an app whose
    copies disagree carries a ``FactError`` that blocks it."""
    if len({app.id for app in estate.apps}) == len(estate.apps):
        return estate
    copies: dict[str, list[App]] = {}
    for app in estate.apps:
        copies.setdefault(app.id, []).append(app)
    return dataclasses.replace(estate, apps=tuple(_one(group) for group in copies.values()))


def _one(copies: list[App]) -> App:
    first = copies[0]
    seen = _comparable(first)
    differing: set[str] = set()
    for other in copies[1:]:
        facts = _comparable(other)
        differing |= {key for key in seen if seen[key] != facts[key]}
    if not differing:
        return first
    names = sorted({repr(app.name) for app in copies})
    error = FactError(
        fact="app",
        message=(
            f"app id {first.id} appears {len(copies)} times with conflicting facts "
            f"({', '.join(sorted(differing))} differ; named {' and '.join(names)}), so no "
            "copy can be trusted"
        ),
    )
    return dataclasses.replace(first, errors=(*first.errors, error))


def _comparable(app: App) -> dict[str, Any]:
    """The app's facts with its lists in a fixed order (the same facts listed in another
    order are no conflict)."""
    data: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(app)))
    for key in ("addons", "log_drains", "errors"):
        if isinstance(data.get(key), list):
            data[key] = sorted(data[key], key=lambda item: json.dumps(item, sort_keys=True))
    return data
