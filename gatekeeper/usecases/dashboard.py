"""What the pages and the API of ``gatekeeper serve`` show, read from the store.

Every read is a few small SQL queries (counts, one page of apps, one app's JSON): nothing
here loads a whole report except ``audit_html`` and ``audit_diff``, which show one stored
audit as ``audit --output html=`` would, or two compared.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gatekeeper.policy import Policy
    from gatekeeper.results import AppResult, Changes, Decision
    from gatekeeper.store.interface import AuditRecord
    from gatekeeper.store.live import AppCheck, AppSummary, Counts, LiveStore, StoredEvent

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


@dataclass(frozen=True)
class Expiring:
    """An agreement or waiver of the policy that ends within its warning window."""

    kind: str  # "agreement" or "waiver"
    label: str
    expires: date
    days_left: int


@dataclass(frozen=True)
class Overview:
    decision: Decision  # the worst current decision; block for an empty estate (nothing known)
    counts: Counts
    total: int
    changed: list[AppSummary]
    expiring: list[Expiring]
    last_audit: AuditRecord | None
    last_event: StoredEvent | None
    pending_jobs: int


@dataclass(frozen=True)
class AppDetail:
    app: AppResult
    summary: AppSummary
    history: list[AppCheck]


@dataclass(frozen=True)
class AuditDiff:
    current: AuditRecord
    previous: AuditRecord
    changes: Changes


def overview(store: LiveStore, policy: Policy, *, today: date | None = None) -> Overview:
    from gatekeeper.results import worst

    counts = store.app_counts()
    total = sum(counts.overall.values())
    latest = store.list(limit=1)
    last_audit = latest[0] if latest else None
    events = store.recent_events(limit=1)
    decisions: list[Decision] = [d for d in ("allow", "warn", "block") if counts.overall.get(d)]
    return Overview(
        # An estate of which nothing is known yet is not an allow (fail closed).
        decision=worst(decisions) if total else "block",
        counts=counts,
        total=total,
        changed=store.changed_since(last_audit.recorded_at if last_audit else _EPOCH),
        expiring=expiring(policy, today or date.today()),
        last_audit=last_audit,
        last_event=events[0] if events else None,
        pending_jobs=store.pending_jobs(),
    )


def expiring(policy: Policy, today: date) -> list[Expiring]:
    """The policy's agreements and waivers in the state "expiring" as a report of ``today``
    has them: in force, and ending within ``expiry_warning_days``. The engine decides, so an
    agreement not yet signed is not expiring here either."""
    from gatekeeper.engine import agreement_statuses
    from gatekeeper.rules.waivers import WaiverBook

    book = WaiverBook(policy=policy, today=today)
    found = [
        Expiring("agreement", a.id, a.expires, a.days_left)
        for a in agreement_statuses(policy, today)
        if a.state == "expiring"
    ] + [
        Expiring("waiver", w.label(), w.expires, (w.expires - today).days)
        for i, w in enumerate(policy.waivers)
        if book.state(i) == "expiring"
    ]
    return sorted(found, key=lambda e: (e.expires, e.label))


def app_detail(store: LiveStore, name: str) -> AppDetail | None:
    from gatekeeper.usecases.watch import app_of

    state = store.app_state(name)
    if state is None:
        return None
    return AppDetail(app_of(state), state.summary, store.app_history(name))


def app_document(store: LiveStore, name: str) -> dict[str, Any] | None:
    """``GET /api/v1/apps/NAME``: the app as in ``gatekeeper.report/v1``, plus
    ``checked_at`` and ``source``."""
    state = store.app_state(name)
    if state is None:
        return None
    document: dict[str, Any] = json.loads(state.app_json)
    document["checked_at"] = format_moment(state.summary.checked_at)
    document["source"] = state.summary.source
    return document


def summary_document(app: AppSummary) -> dict[str, Any]:
    """One element of ``GET /api/v1/apps``."""
    return {
        "name": app.name,
        "team": app.team,
        "region": app.region,
        "decision": app.decision,
        "checked_at": format_moment(app.checked_at),
        "source": app.source,
    }


def audit_html(store: LiveStore, policy: Policy, audit_id: int) -> tuple[str, str] | None:
    """The stored audit as ``audit --output html=`` writes it, and the page's own
    Content-Security-Policy (its meta tag's, which names the hashes of its inline script and
    style), or None when there is no such audit."""
    from gatekeeper.report.registry import render
    from gatekeeper.usecases.common import render_options

    stored = store.get(audit_id)
    if stored is None:
        return None
    options = render_options(policy, verbose=False, strict=False, color=False)
    page = render(stored.report, "html", options)
    match = _META_CSP.search(page[:8192])
    return page, match.group(1) if match else "default-src 'none'"


def audit_diff(store: LiveStore, audit_id: int, other_id: int) -> AuditDiff | None:
    """What changed from audit ``other_id`` to audit ``audit_id`` (by fingerprints)."""
    from gatekeeper.usecases.changes import compare_with_record

    current, previous = store.get(audit_id), store.get(other_id)
    if current is None or previous is None:
        return None
    changes = compare_with_record(store, previous.record, current.report)
    return AuditDiff(current.record, previous.record, changes)


def format_moment(moment: datetime) -> str:
    from gatekeeper.store.interface import format_utc

    return format_utc(moment)
