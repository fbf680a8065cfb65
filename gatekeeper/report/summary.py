"""Wording and ordering shared by the human-readable formats (text, Markdown, HTML, GitHub).

The one-line decision comes first in every human format and reads the same everywhere, e.g.
``BLOCK survey: 2 blocking findings, 1 warning`` for one app and
``BLOCK: 3 of 10 apps blocked, 2 warned, 5 allowed`` for an audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from gatekeeper.results import AppResult, Decision, Finding, Report, Severity

DECISION_WORD: dict[Decision, str] = {"block": "BLOCK", "warn": "WARN", "allow": "ALLOW"}
SEVERITY_WORD: dict[Severity, str] = {"block": "BLOCK", "warn": "WARN", "info": "INFO"}
_DECISION_ORDER: dict[Decision, int] = {"block": 0, "warn": 1, "allow": 2}
_SEVERITY_ORDER: dict[Severity, int] = {"block": 0, "warn": 1, "info": 2}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 warning``, ``2 warnings``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


@dataclass(frozen=True)
class FindingCounts:
    """Unwaived findings by severity, and how many were waived."""

    block: int = 0
    warn: int = 0
    info: int = 0
    waived: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> FindingCounts:
        counts = {"block": 0, "warn": 0, "info": 0, "waived": 0}
        for f in findings:
            counts["waived" if f.waived else f.severity] += 1
        return cls(**counts)

    def phrase(self) -> str:
        """``2 blocking findings, 1 warning, 1 waived``; never empty."""
        parts = []
        if self.block:
            parts.append(plural(self.block, "blocking finding"))
        if self.warn:
            parts.append(plural(self.warn, "warning"))
        if not parts:
            parts.append("no blocking findings or warnings")
        if self.info:
            parts.append(plural(self.info, "note"))
        if self.waived:
            parts.append(f"{self.waived} waived")
        return ", ".join(parts)


def headline(report: Report) -> str:
    """The decision in one line. Names in it are raw: each format escapes the whole line."""
    word = DECISION_WORD[report.decision]
    if len(report.apps) == 1:
        app = report.apps[0]
        line = f"{word} {app.name}: {FindingCounts.of(app.findings).phrase()}"
    elif not report.apps:
        line = f"{word}: no apps checked"
    else:
        s = report.summary
        line = (
            f"{word}: {s.block} of {plural(len(report.apps), 'app')} blocked, "
            f"{s.warn} warned, {s.allow} allowed"
        )
    policy = FindingCounts.of(report.policy_findings)
    if policy.block or policy.warn:
        line += f"; policy: {policy.phrase()}"
    return line


def app_headline(app: AppResult) -> str:
    """``BLOCK survey: 2 blocking findings, 1 warning`` for one app of a report."""
    return f"{DECISION_WORD[app.decision]} {app.name}: {FindingCounts.of(app.findings).phrase()}"


def app_order(app: AppResult) -> tuple[int, str, str]:
    """Sort key: blocked apps first, then warned, then allowed; by name within each."""
    return (_DECISION_ORDER[app.decision], app.name, app.id)


def sorted_apps(apps: Iterable[AppResult]) -> list[AppResult]:
    """Blocked apps first, then warned, then allowed; by name within each."""
    return sorted(apps, key=app_order)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Unwaived findings by severity (block, warn, info), then waived ones; stable otherwise."""
    return sorted(findings, key=lambda f: (f.waived, _SEVERITY_ORDER[f.severity]))


def team_label(team: str | None) -> str:
    """The team an app belongs to, or what it means to have none."""
    return team if team else "(personal account)"


def region_label(app: AppResult) -> str:
    """``eu (IE)``, ``frankfurt (DE)``, or ``unknown`` when the region was not read."""
    if not app.region:
        return "unknown"
    return f"{app.region} ({app.country})" if app.country else app.region


def contact_for(finding: Finding, contact: str | None) -> str | None:
    """Who to contact about a finding: for unwaived blocks and warnings, unless its message or
    fix already names them (the engine often ends a fix with "Questions: CONTACT.")."""
    if not contact or finding.waived or finding.severity == "info":
        return None
    if contact in finding.remediation or contact in finding.message:
        return None
    return contact


def finding_title(finding: Finding) -> str:
    """``team-not-covered`` or ``addon-no-agreement: papertrail`` (the subject, when any)."""
    return f"{finding.rule}: {finding.subject}" if finding.subject else finding.rule


def utc(moment: datetime) -> datetime:
    """The moment in UTC; a naive datetime is taken to be UTC already (as the engine writes)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """``2026-11-25T02:00:00Z``: ISO 8601 in UTC, with seconds (fractions only when present)."""
    return utc(moment).isoformat().replace("+00:00", "Z")


def human_time(moment: datetime) -> str:
    """``2026-11-25 02:00 UTC`` for people."""
    return f"{utc(moment):%Y-%m-%d %H:%M} UTC"
