"""Small hand-built reports that the formatter tests render (allow, warn, block, an audit with
policy findings, agreements, waivers and changes, and one full of hostile names)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from gatekeeper import serial
from gatekeeper.report.interface import RenderOptions
from gatekeeper.results import (
    AgreementStatus,
    AppResult,
    Changes,
    Evidence,
    Finding,
    Report,
    Severity,
    WaiverStatus,
    fingerprint,
)

GENERATED_AT = datetime(2026, 11, 25, 2, 0, 0, tzinfo=UTC)
POLICY_SHA = "3f0a9c1e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468"
OPTIONS = RenderOptions(tool_version="9.9.9", policy_contact="DPO <dpo@uni-example.edu>")

HOSTILE_NAME = "<script>alert(1)</script>\"'&"
HOSTILE_TEAM = "lab; rm -rf / $(id) `id` | =cmd"


def finding(
    rule: str,
    severity: Severity,
    message: str,
    remediation: str,
    *,
    app: AppResult | None = None,
    app_name: str | None = None,
    app_id: str | None = None,
    subject: str | None = None,
    evidence: tuple[Evidence, ...] = (),
    waiver: str | None = None,
) -> Finding:
    name = app.name if app else app_name
    ident = app.id if app else app_id
    return Finding(
        rule=rule,
        severity=severity,
        app=name,
        app_id=ident,
        subject=subject,
        message=message,
        remediation=remediation,
        evidence=evidence,
        waived=waiver is not None,
        waiver=waiver,
        fingerprint=fingerprint(rule, ident, subject),
    )


def _app(name: str, app_id: str, **kw: object) -> AppResult:
    base: dict[str, object] = {
        "name": name,
        "id": app_id,
        "team": "psych-lab",
        "region": "eu",
        "country": "IE",
        "data_class": "personal",
        "decision": "allow",
    }
    base.update(kw)
    return serial.from_data(AppResult, base)


def with_findings(app: AppResult, decision: str, *findings: Finding) -> AppResult:
    return dataclasses.replace(app, decision=decision, findings=findings)


def allow_report() -> Report:
    app = _app("econ-game", "00000000-0000-4000-8000-000000000007", team="econ-lab")
    return Report(
        generated_at=GENERATED_AT,
        policy_path="gatekeeper.toml",
        policy_sha256=POLICY_SHA,
        decision="allow",
        apps=(app,),
    )


def warn_report() -> Report:
    app = _app("otree-study", "00000000-0000-4000-8000-000000000002")
    found = (
        finding(
            "unclassified-app",
            "warn",
            "No [[apps]] entry matches otree-study; the default class personal was assumed.",
            'Classify it: `[[apps]] name = "otree-study", data_class = "..."` in the policy.',
            app=app,
        ),
        finding(
            "postgres-backups",
            "info",
            "Heroku Postgres backups may be stored in the US (heroku/roadmap#261).",
            "Take logical backups to storage you control, or record the risk.",
            app=app,
            subject="heroku-postgresql:standard-0",
        ),
        finding(
            "heroku-connect",
            "warn",
            "Heroku Connect syncs data to a Salesforce org this tool does not see.",
            "Remove it: `heroku addons:destroy heroku-connect -a otree-study`",
            app=app,
            subject="heroku-connect",
            waiver="Org is the university's own (approved by dpo@uni-example.edu, "
            "expires 2027-01-31)",
        ),
    )
    return Report(
        generated_at=GENERATED_AT,
        policy_path="gatekeeper.toml",
        policy_sha256=POLICY_SHA,
        decision="warn",
        apps=(with_findings(app, "warn", *found),),
    )


def block_report() -> Report:
    app = _app("survey", "00000000-0000-4000-8000-000000000001")
    chain = (
        Evidence(kind="app", name="survey"),
        Evidence(kind="team", name="psych-lab"),
        Evidence(kind="enterprise-account", name="uni-example"),
    )
    found = (
        finding(
            "addon-no-agreement",
            "block",
            "The third-party add-on papertrail has no active agreement.",
            "Remove it: `heroku addons:destroy papertrail -a survey`",
            app=app,
            subject="papertrail",
            evidence=chain,
        ),
        finding(
            "addon-no-agreement",
            "block",
            "The third-party add-on sendgrid has no active agreement.",
            "Remove it: `heroku addons:destroy sendgrid -a survey`",
            app=app,
            subject="sendgrid",
            evidence=chain,
        ),
        finding(
            "agreement-expiring",
            "warn",
            "The agreement salesforce-dpa covering psych-lab ends on 2027-01-10 (46 days).",
            'Renew the agreement, then update expires in [[agreements]] id = "salesforce-dpa".',
            app=app,
            subject="salesforce-dpa",
            evidence=(
                *chain,
                Evidence(kind="agreement", name="salesforce-dpa", detail="expires 2027-01-10"),
            ),
        ),
    )
    return Report(
        generated_at=GENERATED_AT,
        policy_path="gatekeeper.toml",
        policy_sha256=POLICY_SHA,
        decision="block",
        apps=(with_findings(app, "block", *found),),
    )


def audit_report() -> Report:
    survey = block_report().apps[0]
    otree = warn_report().apps[0]
    econ = allow_report().apps[0]
    jdoe = _app("jdoe-thesis", "00000000-0000-4000-8000-000000000010", team=None)
    jdoe = with_findings(
        jdoe,
        "block",
        finding(
            "personal-account",
            "block",
            "jdoe-thesis belongs to the personal account jane.doe@uni-example.edu, which no "
            "agreement covers.",
            "Move it: `heroku apps:transfer --team psych-lab -a jdoe-thesis`. "
            "Questions: DPO <dpo@uni-example.edu>.",
            app=jdoe,
        ),
    )
    frankfurt = _app(
        "frankfurt-exp",
        "00000000-0000-4000-8000-000000000004",
        region="frankfurt",
        country="DE",
        space="uni-frankfurt",
    )
    archive = _app(
        "econ-archive",
        "00000000-0000-4000-8000-000000000008",
        team="econ-lab",
        region="us",
        country="US",
        data_class="anonymous",
    )
    policy_findings = (
        finding(
            "waiver-unused",
            "info",
            "The waiver for addon-denied on old-* matched nothing in this audit.",
            "Remove the [[waivers]] entry for addon-denied on old-*.",
            subject="addon-denied:old-*",
        ),
        finding(
            "waiver-expired",
            "warn",
            "The waiver for shield-required on clinical-* expired on 2026-10-01.",
            "Renew the waiver with a new expires date, or move the app to a Shield space.",
            subject="shield-required:clinical-*",
        ),
    )
    agreements = (
        AgreementStatus(
            id="salesforce-dpa",
            kind="heroku",
            covers=("uni-example",),
            countries=("IE", "US"),
            mechanism="scc",
            signed=date(2024, 1, 10),
            expires=date(2027, 1, 10),
            state="expiring",
            days_left=46,
        ),
        AgreementStatus(
            id="sentry-dpa",
            kind="addon",
            covers=("sentry",),
            countries=("DE",),
            mechanism="scc",
            signed=date(2023, 5, 1),
            expires=date(2026, 5, 1),
            state="expired",
            days_left=-208,
        ),
        AgreementStatus(
            id="papertrail-2027",
            kind="addon",
            covers=("papertrail",),
            countries=("US",),
            mechanism="dpf",
            signed=None,
            expires=date(2028, 3, 31),
            state="active",
            days_left=492,
        ),
    )
    waivers = (
        WaiverStatus(
            rule="heroku-connect",
            app="otree-study",
            subject="heroku-connect",
            reason="Org is the university's own",
            approved_by="dpo@uni-example.edu",
            expires=date(2027, 1, 31),
            state="active",
            used=True,
        ),
        WaiverStatus(
            rule="shield-required",
            app="clinical-*",
            reason="Pilot with synthetic data",
            approved_by="dpo@uni-example.edu",
            expires=date(2026, 10, 1),
            state="expired",
        ),
    )
    resolved = finding(
        "log-drain-not-allowed",
        "block",
        "The log drain to logs.example-logging.io is not an allowed host.",
        "heroku drains:remove https://logs.example-logging.io/ingest -a bio-dashboard",
        app_name="bio-dashboard",
        app_id="00000000-0000-4000-8000-000000000006",
        subject="logs.example-logging.io",
    )
    changes = Changes(
        baseline="audit #12 of 2026-11-24T02:00:00Z",
        since=datetime(2026, 11, 24, 2, 0, 0, tzinfo=UTC),
        new=(survey.findings[1],),
        resolved=(resolved,),
    )
    return Report(
        generated_at=GENERATED_AT,
        policy_path="policies/university.toml",
        policy_sha256=POLICY_SHA,
        decision="block",
        apps=(survey, otree, econ, jdoe, frankfurt, archive),
        policy_findings=policy_findings,
        agreements=agreements,
        waivers=waivers,
        changes=changes,
    )


def hostile_report() -> Report:
    """Names and messages that try to break out of every output syntax."""
    app = _app(
        HOSTILE_NAME,
        "00000000-0000-4000-8000-0000000000ff",
        team=HOSTILE_TEAM,
        space="sp\u202eace\nfake",
        region="eu\r\nBLOCK",
        data_class="personal",
    )
    unicode_app = _app(
        "übung-日本-🧪",
        "00000000-0000-4000-8000-0000000000fe",
        team="Ünïcødé-lab",
    )
    found = (
        finding(
            "addon-denied",
            "block",
            f"The add-on {HOSTILE_NAME} | `x` [link](http://evil.example) is denied.\n"
            "ALLOW everything: fine",
            "=HYPERLINK(\"http://evil.example\")\nheroku addons:destroy '%0A::error::x' "
            "-a \x1b[31mred\x1b[0m",
            app=app,
            subject="-evil,sub:ject %25 <b>",
        ),
        finding(
            "log-drain-not-allowed",
            "warn",
            "Drain to @host\twith\ttabs and 100% <!-- comment --> ]]> &amp;",
            "+cmd ``` fence `<img src=x onerror=alert(1)>`",
            app=app,
            subject="@drain",
        ),
    )
    return Report(
        generated_at=GENERATED_AT,
        policy_path="gatekeeper.toml",
        policy_sha256=POLICY_SHA,
        decision="block",
        apps=(
            with_findings(app, "block", *found),
            with_findings(
                unicode_app,
                "warn",
                finding(
                    "unclassified-app",
                    "warn",
                    "Kein Eintrag für übung-日本-🧪 — Standard.",
                    "Füge einen [[apps]]-Eintrag hinzu.",
                    app=unicode_app,
                ),
            ),
        ),
    )


def empty_report() -> Report:
    """An audit of a team without apps, and a policy without a path (read from stdin)."""
    return Report(generated_at=GENERATED_AT, decision="allow")


CASES = {
    "empty": empty_report,
    "allow": allow_report,
    "warn": warn_report,
    "block": block_report,
    "audit": audit_report,
    "hostile": hostile_report,
}
