"""The steps of continuous assurance (``gatekeeper serve``, issue 14), below the worker.

- ``recheck_app``: one app, after a Heroku event: the ``check`` use case (the same policy,
  the same token rules), its result written as the app's current state (source "event"), and
  a notification when the decision got worse or better. A check that could not read a fact
  is recorded as a block (fail closed), never skipped: the dashboard then shows why.
- ``scheduled_audit``: the ``audit`` use case over the configured scope, recorded in the
  history and compared with the last audit as ``audit --since-last`` does, then every app's
  state written with source "audit" (``record_audit_states``, which ``demo --serve`` uses
  after its own audit).
- ``audit_scope``: ``GATEKEEPER_AUDIT_SCOPE`` (``enterprise:uni-example``,
  ``team:psych-lab,team:bio-lab`` or ``all``) as an audit scope.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from gatekeeper.errors import CouldNotEvaluate, GatekeeperError, UsageError

if TYPE_CHECKING:
    from gatekeeper.collect.scope import AuditScope
    from gatekeeper.policy import Policy
    from gatekeeper.results import AppResult, Decision, Report
    from gatekeeper.sources.interface import FactSource
    from gatekeeper.store.live import AppState, LiveStore
    from gatekeeper.usecases.audit import AuditOutcome, Notifier, StoreOpener

Direction = Literal["worse", "better"]
_RANK = {"allow": 0, "warn": 1, "block": 2}


@dataclass(frozen=True)
class RecheckOutcome:
    """What a re-check found: the app's new decision, the one before (None for an app not
    seen before), whether a notification went out, and the error that made it a block."""

    app: str
    decision: Decision
    previous: Decision | None
    notified: bool = False
    failure: str | None = None  # why the facts could not be read (the decision is block)
    notify_failure: GatekeeperError | None = None


def direction(previous: Decision | None, current: Decision) -> Direction | None:
    """``worse`` or ``better`` when the decision changed; None when it did not, or when
    there was no decision before."""
    if previous is None or previous == current:
        return None
    return "worse" if _RANK[current] > _RANK[previous] else "better"


def recheck_app(
    name: str,
    *,
    policy: Policy,
    source: FactSource,
    store: LiveStore,
    notify: Notifier | None = None,
    today: date | None = None,
) -> RecheckOutcome:
    """Check ``name`` now and record the result (see the module docstring)."""
    from gatekeeper.results import Report
    from gatekeeper.usecases.check import check_app

    before = store.app_state(name)
    checked_at = datetime.now(UTC)
    failure = None
    try:
        report = check_app(name, policy=policy, source=source, today=today).report
        app = report.apps[0]
    except CouldNotEvaluate as exc:
        failure = exc.user_message()
        app = unreadable_app(name, before, failure)
        report = Report(generated_at=checked_at, decision="block", apps=(app,))
    store.record_app_states([state_of(app, source="event", checked_at=checked_at)])
    previous = before.summary.decision if before is not None else None
    outcome = RecheckOutcome(name, app.decision, previous, failure=failure)
    change = direction(previous, app.decision)
    if change is None or notify is None or before is None:
        return outcome
    payload = change_notification(report, app, before, change, policy)
    try:
        notify(payload)
    except GatekeeperError as exc:
        return RecheckOutcome(name, app.decision, previous, failure=failure, notify_failure=exc)
    return RecheckOutcome(name, app.decision, previous, notified=True, failure=failure)


def scheduled_audit(
    scope: AuditScope,
    *,
    policy: Policy,
    source: FactSource,
    store: StoreOpener,
    live: LiveStore,
    notify: Notifier | None = None,
    today: date | None = None,
) -> AuditOutcome:
    """Audit ``scope`` (recorded, compared since the last one, notified), then write every
    app's state with source "audit"."""
    from gatekeeper.usecases.audit import audit

    outcome = audit(
        scope,
        policy=policy,
        source=source,
        store=store,
        record=True,
        since_last=True,
        notify=notify,
        today=today,
    )
    record_audit_states(live, outcome)
    return outcome


def record_audit_states(live: LiveStore, outcome: AuditOutcome) -> None:
    """Every app of an audit's report as its current state (source "audit", with the
    audit's id when it was recorded)."""
    audit_id = outcome.record.id if outcome.record is not None else None
    checked_at = outcome.record.recorded_at if outcome.record else datetime.now(UTC)
    live.record_app_states(
        state_of(app, source="audit", checked_at=checked_at, audit_id=audit_id)
        for app in outcome.report.apps
    )


def open_live_store(url: str | None) -> LiveStore:
    """The history store at ``url`` (else ``DATABASE_URL``, else the user's SQLite file),
    with its live state: what the server and the worker share."""
    from gatekeeper.store import open_store

    return open_store(url)


def audit_scope(text: str) -> AuditScope:
    """``GATEKEEPER_AUDIT_SCOPE`` as an audit scope (a ``UsageError`` naming the variable)."""
    from gatekeeper.collect.scope import AuditScope
    from gatekeeper.store.interface import ALL_SCOPE, normalize_scope

    try:
        parts = normalize_scope(text)
    except UsageError as exc:
        raise UsageError(f"GATEKEEPER_AUDIT_SCOPE: {exc.message}", hint=exc.hint) from None
    if parts == ALL_SCOPE:
        return AuditScope(everything=True)
    teams, enterprises = [], []
    for part in parts.split(","):
        kind, _, name = part.partition(":")
        if kind == "team":
            teams.append(name)
        elif kind == "enterprise":
            enterprises.append(name)
        else:
            raise UsageError(
                f"GATEKEEPER_AUDIT_SCOPE: {kind!r} in {part!r} is neither team nor enterprise.",
                hint='Write e.g. "enterprise:uni-example" or "team:psych-lab,team:bio-lab".',
            )
    return AuditScope(teams=tuple(teams), enterprises=tuple(enterprises))


def state_of(
    app: AppResult,
    *,
    source: Literal["audit", "event"],
    checked_at: datetime,
    audit_id: int | None = None,
) -> AppState:
    """The store's state of ``app``: its summary and its ``gatekeeper.report/v1`` JSON."""
    from gatekeeper.report.v1 import app_document
    from gatekeeper.store.live import AppState, AppSummary

    summary = AppSummary(app.name, app.team, app.region, app.decision, checked_at, source)
    text = json.dumps(app_document(app), ensure_ascii=False, separators=(",", ":"))
    return AppState(summary, text, audit_id)


def app_of(state: AppState) -> AppResult:
    """The ``AppResult`` back from a stored state (its v1 JSON)."""
    from gatekeeper.report.v1 import AppV1

    return AppV1.model_validate_json(state.app_json).to_app_result()


def unreadable_app(name: str, before: AppState | None, reason: str) -> AppResult:
    """A block for an app whose facts could not be read, keeping what is known of it."""
    from gatekeeper.results import API_ERROR_RULE, AppResult, Evidence, Finding, fingerprint

    known = app_of(before) if before is not None else None
    app_id = known.id if known is not None else name
    finding = Finding(
        rule=API_ERROR_RULE,
        severity="block",
        app=name,
        app_id=app_id,
        subject="app",
        message=f"The app could not be re-checked: {reason}",
        remediation="Check the token's access to the app and the API; the next event or "
        "audit checks it again.",
        evidence=(Evidence(kind="app", name=name, detail="re-check after a Heroku event"),),
        fingerprint=fingerprint(API_ERROR_RULE, app_id, "app"),
    )
    return AppResult(
        name=name,
        id=app_id,
        team=known.team if known else None,
        region=known.region if known else None,
        country=known.country if known else None,
        space=known.space if known else None,
        shield=known.shield if known else False,
        data_class=known.data_class if known else "unknown",
        decision="block",
        findings=(finding,),
    )


def change_notification(
    report: Report, app: AppResult, before: AppState, change: Direction, policy: Policy
) -> dict[str, Any]:
    """The notification of a changed decision: ``gatekeeper.notify``'s payload for the new
    findings (compared with the app's previous state), with a first line and a
    ``decision_change`` field saying what changed."""
    from gatekeeper.compare import compare
    from gatekeeper.notify import NOTIFICATION_SCHEMA, build_notification
    from gatekeeper.report.escape import visible
    from gatekeeper.results import Report

    previous_app = app_of(before)
    summary = before.summary
    label = f"the check of {app.name} at {summary.checked_at.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    earlier = Report(
        generated_at=summary.checked_at, decision=previous_app.decision, apps=(previous_app,)
    )
    changes = compare(earlier, report, baseline=label)
    changed = dataclasses.replace(report, changes=changes)
    payload = build_notification(
        changed, changes, expiring_within_days=policy.defaults.expiry_warning_days
    )
    name = visible(app.name).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    headline = (
        f"*{name}: {summary.decision} → {app.decision}* ({change}, re-checked after a Heroku event)"
    )
    if payload is None:  # no new blocking finding (it got better): say so all the same
        payload = {
            "schema": NOTIFICATION_SCHEMA,
            "text": headline,
            "generated_at": report.generated_at.isoformat(),
            "decision": report.decision,
            "new_findings": len(changes.new),
            "resolved_findings": len(changes.resolved),
        }
    else:
        payload["text"] = f"{headline}\n{payload['text']}"
    payload["decision_change"] = {
        "app": app.name,
        "from": summary.decision,
        "to": app.decision,
        "direction": change,
    }
    return payload
