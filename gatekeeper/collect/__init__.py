"""Collecting facts from the Heroku Platform API into ``gatekeeper.facts.Estate``.

``collect_app`` gathers what ``check`` needs for one app (``collect_app_sync`` the same on the
synchronous client); ``collect_estate`` gathers whole teams, enterprise accounts or everything
a token can see with the bulk list endpoints, so the number of requests grows with pages, not
with apps (docs/benchmarks.md).

The names are loaded on first use, so that ``check`` (which imports
``gatekeeper.collect.app``) does not import the estate collector and asyncio with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatekeeper.lazy import lazy_exports

if TYPE_CHECKING:
    from gatekeeper.collect.app import collect_app, collect_app_sync
    from gatekeeper.collect.estate import collect_estate
    from gatekeeper.collect.scope import AuditScope, request_budget

_EXPORTS = {
    "collect_app": "gatekeeper.collect.app",
    "collect_app_sync": "gatekeeper.collect.app",
    "AuditScope": "gatekeeper.collect.scope",
    "collect_estate": "gatekeeper.collect.estate",
    "request_budget": "gatekeeper.collect.scope",
}

__all__ = ["AuditScope", "collect_app", "collect_app_sync", "collect_estate", "request_budget"]


__getattr__ = lazy_exports(__name__, _EXPORTS)
