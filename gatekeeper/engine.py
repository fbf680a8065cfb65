"""The rule engine: hold an estate against a policy on a given day and produce a report.

Pure: no I/O, no clock (the day is a parameter), no httpx, no click. The same estate, policy
and day always give the same report, whatever the order of apps, add-ons, drains or policy
entries (apps are sorted by name, findings by rule and subject, agreements and waivers by
date), except ``[[apps]]``, where the first matching entry wins by design.

For each app (sorted by name) every rule module of ``gatekeeper.rules.registry`` yields
candidate findings; then the engine

1. applies the policy's ``[rules]`` severity (``"off"`` drops the finding),
2. applies waivers: an active waiver matching rule, app glob and subject marks the finding
   waived; an expired one hides nothing and adds ``waiver-expired`` to the app,
3. decides: the app's decision is its worst unwaived severity (``info`` changes nothing),
   the overall decision the worst app decision.

Policy-level findings (an expired waiver that matched nothing, ``waiver-unused``) go to
``Report.policy_findings`` and change no decision. The report also carries the state of every
agreement and waiver, for the DPO's expiry timeline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Literal

from gatekeeper.facts import App, Estate
from gatekeeper.knowledge import canonical
from gatekeeper.policy.model import Agreement, Policy, Waiver
from gatekeeper.results import (
    AgreementStatus,
    AppResult,
    Finding,
    Report,
    Severity,
    WaiverStatus,
    decision_of,
    fingerprint,
    worst,
)
from gatekeeper.rules.context import AppContext, Candidate, World
from gatekeeper.rules.registry import evaluators
from gatekeeper.rules.waivers import (
    WAIVER_EXPIRED,
    WAIVER_UNUSED,
    WaiverBook,
    expired_candidate,
    unused_candidate,
    waiver_note,
)

__all__ = ["evaluate"]


def evaluate(
    estate: Estate, policy: Policy, today: date, *, generated_at: datetime | None = None
) -> Report:
    """Evaluate every app of ``estate`` against ``policy`` as of ``today``.

    ``generated_at`` is recorded in the report; it defaults to midnight UTC of ``today`` so
    that the result depends on nothing but the arguments.
    """
    world = World.build(estate, policy, today)
    book = WaiverBook(policy, today)
    rules = evaluators()
    results: list[AppResult] = []
    for app in sorted(estate.apps, key=lambda a: (a.name, a.id)):
        ctx = world.context(app)
        candidates = [c for rule in rules for c in rule(ctx)]
        results.append(_app_result(ctx, candidates, book))
    return Report(
        generated_at=generated_at or datetime.combine(today, time(0), tzinfo=UTC),
        policy_path=policy.source_path,
        policy_sha256=policy.sha256,
        fail_on=policy.defaults.fail_on,
        decision=worst([r.decision for r in results]),
        apps=tuple(results),
        policy_findings=tuple(_policy_findings(policy, book)),
        agreements=tuple(agreement_statuses(policy, today)),
        waivers=tuple(_waiver_statuses(policy, book)),
    )


def _app_result(ctx: AppContext, candidates: list[Candidate], book: WaiverBook) -> AppResult:
    app = ctx.app
    findings: dict[tuple[str, str], Finding] = {}
    expired_waivers: set[int] = set()
    for c in candidates:
        severity = ctx.policy.severity(c.rule)
        if severity is None or (c.rule, c.subject or "") in findings:
            continue
        waiver, expired = book.match(c.rule, app.name, c.subject_keys)
        expired_waivers.update(expired)
        findings[(c.rule, c.subject or "")] = _finding(c, severity, app, waiver)
    severity = ctx.policy.severity(WAIVER_EXPIRED.id)
    if severity is not None:
        for index in sorted(expired_waivers):
            w = ctx.policy.waivers[index]
            c = expired_candidate(w, app.name)
            findings.setdefault((c.rule, c.subject or ""), _finding(c, severity, app, None))
    ordered = tuple(findings[key] for key in sorted(findings))
    return AppResult(
        name=app.name,
        id=app.id,
        team=app.team,
        region=ctx.region,
        country=ctx.country,
        space=app.space,
        shield=ctx.shield,
        data_class=ctx.data_class,
        decision=worst([decision_of(f.severity) for f in ordered if not f.waived]),
        findings=ordered,
    )


def _finding(c: Candidate, severity: Severity, app: App, waiver: Waiver | None) -> Finding:
    return Finding(
        rule=c.rule,
        severity=severity,
        app=app.name,
        app_id=app.id,
        subject=c.subject,
        message=c.message,
        remediation=c.remediation,
        evidence=c.evidence,
        waived=waiver is not None,
        waiver=waiver_note(waiver) if waiver is not None else None,
        fingerprint=fingerprint(c.rule, app.id, c.subject),
    )


def _policy_findings(policy: Policy, book: WaiverBook) -> list[Finding]:
    out: dict[tuple[str, str], Finding] = {}
    expired_sev = policy.severity(WAIVER_EXPIRED.id)
    unused_sev = policy.severity(WAIVER_UNUSED.id)
    for index, waiver in enumerate(policy.waivers):
        label = waiver.label()
        if not book.active(index):
            if index in book.expired_hits or expired_sev is None:
                continue  # reported on the apps whose findings it matched
            c = expired_candidate(waiver, None)
            severity = expired_sev
        elif index in book.used or unused_sev is None:
            continue
        else:
            c = unused_candidate(waiver)
            severity = unused_sev
        out.setdefault(
            (c.rule, label),
            Finding(
                rule=c.rule,
                severity=severity,
                subject=label,
                message=c.message,
                remediation=c.remediation,
                evidence=c.evidence,
                fingerprint=fingerprint(c.rule, None, label),
            ),
        )
    return [out[key] for key in sorted(out)]


def agreement_statuses(policy: Policy, today: date) -> list[AgreementStatus]:
    """Each agreement's state as of ``today``: "expiring" is in force and ending within
    ``[defaults] expiry_warning_days`` (the report's timeline and the dashboard both read it)."""
    out = []
    for a in sorted(policy.agreements, key=lambda a: (a.expires, a.id)):
        days_left = (a.expires - today).days
        state_out: Literal["active", "expiring", "expired", "not-yet-signed"] = a.state(today)
        if state_out == "active" and days_left <= policy.defaults.expiry_warning_days:
            state_out = "expiring"
        out.append(
            AgreementStatus(
                id=a.id,
                kind=a.kind,
                covers=_covers(a),
                countries=canonical(a.countries),
                mechanism=a.mechanism,
                signed=a.signed,
                expires=a.expires,
                state=state_out,
                days_left=days_left,
            )
        )
    return out


def _covers(a: Agreement) -> tuple[str, ...]:
    if a.heroku:
        return (
            *(f"{ea} (enterprise account)" for ea in sorted(a.enterprise_accounts)),
            *(f"{t} (team)" for t in sorted(a.teams)),
        )
    scope = sorted(a.teams) + sorted(a.enterprise_accounts)
    suffix = f" (for {', '.join(scope)})" if scope else ""
    return tuple(f"{s}{suffix}" for s in sorted(a.addon_services))


def _waiver_statuses(policy: Policy, book: WaiverBook) -> list[WaiverStatus]:
    out = [
        WaiverStatus(
            rule=w.rule,
            app=w.app,
            subject=w.subject,
            reason=w.reason,
            approved_by=w.approved_by,
            expires=w.expires,
            state=book.state(i),
            used=i in book.used,
        )
        for i, w in enumerate(policy.waivers)
    ]
    return sorted(
        out, key=lambda s: (s.expires, s.rule, s.app, s.subject or "", s.reason, s.approved_by)
    )
