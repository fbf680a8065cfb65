"""The use cases: what the gatekeeper does, below any user interface.

Each use case takes its collaborators (a ``FactSource``, a store opener, a publisher, a
notifier, a ``Progress``), returns an outcome object and never prints; the CLI
(``gatekeeper.commands``) parses options, builds the collaborators, calls one and shows its
outcome. ``gatekeeper`` re-exports the public ones (docs/python-api.md).

The names are loaded on first use, so that ``check`` loads only what a check needs. The
``audit`` function is imported from ``gatekeeper.usecases.audit`` (or ``gatekeeper``): here
its name is the submodule's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatekeeper.lazy import lazy_exports

if TYPE_CHECKING:
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.progress import NullProgress, Progress, progress_for
    from gatekeeper.store.interface import AuditRecord, AuditStore, StoredAudit
    from gatekeeper.usecases.audit import AuditOutcome, Notifier, StoreOpener
    from gatekeeper.usecases.check import CheckOutcome, check_app, evaluate_app
    from gatekeeper.usecases.common import Notice, Publisher, render_options, report_clock
    from gatekeeper.usecases.history import (
        AuditList,
        AuditShown,
        format_utc,
        list_audits,
        show_audit,
        store_at,
    )
    from gatekeeper.usecases.policy_file import open_policy, policy_path
    from gatekeeper.usecases.snapshot import SnapshotOutcome, take_snapshot

_EXPORTS = {
    "AuditScope": "gatekeeper.collect.estate",
    "NullProgress": "gatekeeper.collect.progress",
    "Progress": "gatekeeper.collect.progress",
    "progress_for": "gatekeeper.collect.progress",
    "AuditRecord": "gatekeeper.store.interface",
    "AuditStore": "gatekeeper.store.interface",
    "StoredAudit": "gatekeeper.store.interface",
    "AuditOutcome": "gatekeeper.usecases.audit",
    "Notifier": "gatekeeper.usecases.audit",
    "StoreOpener": "gatekeeper.usecases.audit",
    "CheckOutcome": "gatekeeper.usecases.check",
    "check_app": "gatekeeper.usecases.check",
    "evaluate_app": "gatekeeper.usecases.check",
    "Notice": "gatekeeper.usecases.common",
    "Publisher": "gatekeeper.usecases.common",
    "render_options": "gatekeeper.usecases.common",
    "report_clock": "gatekeeper.usecases.common",
    "AuditList": "gatekeeper.usecases.history",
    "AuditShown": "gatekeeper.usecases.history",
    "format_utc": "gatekeeper.usecases.history",
    "list_audits": "gatekeeper.usecases.history",
    "show_audit": "gatekeeper.usecases.history",
    "store_at": "gatekeeper.usecases.history",
    "open_policy": "gatekeeper.usecases.policy_file",
    "policy_path": "gatekeeper.usecases.policy_file",
    "SnapshotOutcome": "gatekeeper.usecases.snapshot",
    "take_snapshot": "gatekeeper.usecases.snapshot",
}

__all__ = [
    "AuditList",
    "AuditOutcome",
    "AuditRecord",
    "AuditScope",
    "AuditShown",
    "AuditStore",
    "CheckOutcome",
    "Notice",
    "Notifier",
    "NullProgress",
    "Progress",
    "Publisher",
    "SnapshotOutcome",
    "StoreOpener",
    "StoredAudit",
    "check_app",
    "evaluate_app",
    "format_utc",
    "list_audits",
    "open_policy",
    "policy_path",
    "progress_for",
    "render_options",
    "report_clock",
    "show_audit",
    "store_at",
    "take_snapshot",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
