"""The ``history`` use cases: the audits recorded in the history store.

The store is the one ``audit`` records into: ``url`` (``--store``), else ``$DATABASE_URL``,
else the SQLite file in the user data directory (``gatekeeper.store.open_store``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.store.interface import AuditRecord, StoredAudit
    from gatekeeper.usecases.audit import StoreOpener


@dataclass(frozen=True)
class AuditList:
    location: str  # the store, safe to show (no password)
    records: list[AuditRecord]  # newest first


@dataclass(frozen=True)
class AuditShown:
    location: str
    audit: StoredAudit


def store_at(url: str | None) -> StoreOpener:
    """Opens the history store at ``url`` when called (an audit opens it only if needed)."""
    from gatekeeper.store import open_store

    return functools.partial(open_store, url)


def list_audits(store: StoreOpener, *, limit: int = 20, scope: str | None = None) -> AuditList:
    opened = store()
    try:
        return AuditList(opened.location, opened.list(limit=limit, scope=scope))
    finally:
        opened.close()


def show_audit(store: StoreOpener, audit_id: int) -> AuditShown:
    """One recorded audit with its report; ``UsageError`` when there is none of that id."""
    opened = store()
    try:
        stored = opened.get(audit_id)
        if stored is None:
            raise UsageError(
                f"There is no audit #{audit_id} in the history store {opened.location}.",
                hint="List the recorded audits with: gatekeeper history",
            )
        return AuditShown(opened.location, stored)
    finally:
        opened.close()


def format_utc(moment: datetime) -> str:
    """How the history shows a time: ``2026-11-25T02:00:00Z`` (the store's own format)."""
    from gatekeeper.store.interface import format_utc as store_format

    return store_format(moment)
