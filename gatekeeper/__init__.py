"""heroku-gatekeeper: checks Heroku apps against an institution's data protection policy.

The Python API (docs/python-api.md)::

    import gatekeeper

    policy = gatekeeper.load_policy("gatekeeper.toml")
    outcome = gatekeeper.check_app("my-app", policy=policy, source=gatekeeper.ApiSource())
    outcome.report.decision, outcome.status, outcome.exit_code

Every name in ``__all__`` is loaded on first use, so ``import gatekeeper`` (and with it
``gatekeeper --help`` and the git hook) imports neither httpx nor pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatekeeper.lazy import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from gatekeeper.appjson import AppManifest, load_app_json
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.progress import NullProgress, Progress
    from gatekeeper.engine import evaluate
    from gatekeeper.errors import (
        CouldNotEvaluate,
        GatekeeperError,
        InputFileError,
        PolicyError,
        UsageError,
    )
    from gatekeeper.facts import Estate
    from gatekeeper.needs import Needs
    from gatekeeper.policy import Policy, load_policy, loads_policy
    from gatekeeper.register.formats import get_register_formatter
    from gatekeeper.register.model import Register
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.report.registry import format_names, render
    from gatekeeper.results import AppResult, Changes, Finding, Report, Status
    from gatekeeper.snapshot import dump_snapshot, load_snapshot
    from gatekeeper.sources import ApiSource, AppScope, FactSource, SnapshotSource, open_source
    from gatekeeper.store import AuditRecord, AuditStore, open_store
    from gatekeeper.usecases.audit import AuditOutcome, audit
    from gatekeeper.usecases.check import CheckOutcome, check_app
    from gatekeeper.usecases.common import Notice
    from gatekeeper.usecases.history import list_audits, show_audit, store_at
    from gatekeeper.usecases.plan import PlannedApp, plan_app
    from gatekeeper.usecases.register import (
        RegisterOutcome,
        current_register,
        register_from_history,
    )
    from gatekeeper.usecases.snapshot import SnapshotOutcome, take_snapshot

_EXPORTS = {
    # use cases and their outcomes
    "check_app": "gatekeeper.usecases.check",
    "CheckOutcome": "gatekeeper.usecases.check",
    "plan_app": "gatekeeper.usecases.plan",
    "PlannedApp": "gatekeeper.usecases.plan",
    "load_app_json": "gatekeeper.appjson",
    "AppManifest": "gatekeeper.appjson",
    "audit": "gatekeeper.usecases.audit",
    "AuditOutcome": "gatekeeper.usecases.audit",
    "take_snapshot": "gatekeeper.usecases.snapshot",
    "SnapshotOutcome": "gatekeeper.usecases.snapshot",
    "Notice": "gatekeeper.usecases.common",
    "list_audits": "gatekeeper.usecases.history",
    "show_audit": "gatekeeper.usecases.history",
    "store_at": "gatekeeper.usecases.history",
    "current_register": "gatekeeper.usecases.register",
    "register_from_history": "gatekeeper.usecases.register",
    "RegisterOutcome": "gatekeeper.usecases.register",
    "Register": "gatekeeper.register.model",
    "get_register_formatter": "gatekeeper.register.formats",
    # where the facts come from
    "FactSource": "gatekeeper.sources",
    "ApiSource": "gatekeeper.sources",
    "SnapshotSource": "gatekeeper.sources",
    "open_source": "gatekeeper.sources",
    "AppScope": "gatekeeper.sources",
    "AuditScope": "gatekeeper.collect.estate",
    "Progress": "gatekeeper.collect.progress",
    "NullProgress": "gatekeeper.collect.progress",
    # the policy, the facts, the pure engine and its report
    "load_policy": "gatekeeper.policy",
    "loads_policy": "gatekeeper.policy",
    "Policy": "gatekeeper.policy",
    "Estate": "gatekeeper.facts",
    "Needs": "gatekeeper.needs",
    "evaluate": "gatekeeper.engine",
    "Report": "gatekeeper.results",
    "AppResult": "gatekeeper.results",
    "Finding": "gatekeeper.results",
    "Changes": "gatekeeper.results",
    "Status": "gatekeeper.results",
    # report formats, snapshots and the history store
    "render": "gatekeeper.report.registry",
    "format_names": "gatekeeper.report.registry",
    "RenderOptions": "gatekeeper.report.interface",
    "load_snapshot": "gatekeeper.snapshot",
    "dump_snapshot": "gatekeeper.snapshot",
    "open_store": "gatekeeper.store",
    "AuditStore": "gatekeeper.store",
    "AuditRecord": "gatekeeper.store",
    # errors
    "GatekeeperError": "gatekeeper.errors",
    "UsageError": "gatekeeper.errors",
    "PolicyError": "gatekeeper.errors",
    "InputFileError": "gatekeeper.errors",
    "CouldNotEvaluate": "gatekeeper.errors",
}

__all__ = [
    "ApiSource",
    "AppManifest",
    "AppResult",
    "AppScope",
    "AuditOutcome",
    "AuditRecord",
    "AuditScope",
    "AuditStore",
    "Changes",
    "CheckOutcome",
    "CouldNotEvaluate",
    "Estate",
    "FactSource",
    "Finding",
    "GatekeeperError",
    "InputFileError",
    "Needs",
    "Notice",
    "NullProgress",
    "PlannedApp",
    "Policy",
    "PolicyError",
    "Progress",
    "Register",
    "RegisterOutcome",
    "RenderOptions",
    "Report",
    "SnapshotOutcome",
    "SnapshotSource",
    "Status",
    "UsageError",
    "__version__",
    "audit",
    "check_app",
    "current_register",
    "dump_snapshot",
    "evaluate",
    "format_names",
    "get_register_formatter",
    "list_audits",
    "load_app_json",
    "load_policy",
    "load_snapshot",
    "loads_policy",
    "open_source",
    "open_store",
    "plan_app",
    "register_from_history",
    "render",
    "show_audit",
    "store_at",
    "take_snapshot",
]

__getattr__ = lazy_exports(__name__, _EXPORTS)
