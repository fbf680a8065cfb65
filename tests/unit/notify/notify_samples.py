"""Sample reports for the notification tests: findings, agreements, waivers, changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gatekeeper.results import (
    AgreementStatus,
    AppResult,
    Changes,
    Finding,
    Report,
    Severity,
    WaiverStatus,
    fingerprint,
)

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def f(
    rule: str,
    app: str,
    subject: str | None = None,
    *,
    severity: Severity = "block",
    waived: bool = False,
    message: str = "msg",
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        app=app,
        app_id=f"id-{app}",
        subject=subject,
        message=message,
        remediation="fix it",
        waived=waived,
        fingerprint=fingerprint(rule, f"id-{app}", subject),
    )


def agreement(id_: str, expires: date, state: str = "active") -> AgreementStatus:
    return AgreementStatus(
        id=id_,
        kind="heroku",
        covers=("uni-example",),
        expires=expires,
        state=state,
        days_left=(expires - TODAY).days,
    )


def waiver(app: str, expires: date) -> WaiverStatus:
    return WaiverStatus(
        rule="addon-no-agreement",
        app=app,
        subject="papertrail",
        reason="DPA pending",
        approved_by="dpo@uni-example.edu",
        expires=expires,
        state="active",
        used=True,
    )


def report(
    *findings: Finding,
    agreements: tuple[AgreementStatus, ...] = (),
    waivers: tuple[WaiverStatus, ...] = (),
) -> Report:
    apps = tuple(
        AppResult(
            name=x.app or "",
            id=x.app_id or "",
            data_class="personal",
            decision="block" if x.severity == "block" and not x.waived else "allow",
            findings=(x,),
        )
        for x in findings
    )
    decision = "block" if any(a.decision == "block" for a in apps) else "allow"
    return Report(
        generated_at=NOW, decision=decision, apps=apps, agreements=agreements, waivers=waivers
    )


def changes(*new: Finding, resolved: tuple[Finding, ...] = ()) -> Changes:
    return Changes(
        baseline="audit #7 of 2026-11-24T02:00:00Z",
        since=NOW - timedelta(days=1),
        new=new,
        resolved=resolved,
    )
