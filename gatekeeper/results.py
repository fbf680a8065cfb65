"""The result of evaluating a policy against an estate: findings, per-app and overall decisions.

Produced by the pure engine, rendered by the formatters, stored by the history store.
The JSON contract (``gatekeeper.report/v1``, docs/design.md#6-interfaces) is built from it by
``gatekeeper.report.json_format``. The outcome of a run (allowed, blocked, could not
evaluate) is computed here, once, by :meth:`Report.status`; the CLI maps it to an exit code
and a web layer to its own answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Severity = Literal["block", "warn", "info"]
Decision = Literal["allow", "warn", "block"]
#: The outcome of a run: ``allowed`` (warnings too, unless they fail), ``blocked``, or
#: ``could-not-evaluate`` (a fact could not be read, or nothing was judged: fail closed).
Status = Literal["allowed", "blocked", "could-not-evaluate"]

#: The rule that records a fact which could not be read; unwaived, it makes a run
#: ``could-not-evaluate`` whatever else it found.
API_ERROR_RULE = "api-error"

REPORT_SCHEMA = "gatekeeper.report/v1"

_DECISION_RANK: dict[str, int] = {"allow": 0, "warn": 1, "block": 2}


def worst(decisions: list[Decision] | tuple[Decision, ...]) -> Decision:
    """The worst of several decisions: block > warn > allow (allow for none)."""
    result: Decision = "allow"
    for d in decisions:
        if _DECISION_RANK[d] > _DECISION_RANK[result]:
            result = d
    return result


def decision_of(severity: Severity) -> Decision:
    """What one unwaived finding of this severity does to a decision (info changes nothing)."""
    return "allow" if severity == "info" else severity


def fingerprint(rule: str, app_id: str | None, subject: str | None) -> str:
    """Stable id of a finding across audits: rule + app id + subject
    (docs/design.md#5-rules-stable-ids-default-severity)."""
    raw = "\x1f".join([rule, app_id or "", subject or ""])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


class _Model:
    """Results are frozen dataclasses, so a check never imports pydantic; the history store
    reads them back through pydantic (``gatekeeper.serial``), refusing unknown keys."""

    __pydantic_config__ = {"extra": "forbid"}


@dataclass(frozen=True, kw_only=True)
class Evidence(_Model):
    """One link of the chain that led to a finding: app -> team -> enterprise -> agreement."""

    kind: str  # "app", "team", "enterprise-account", "agreement", "region", "space", ...
    name: str
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class Finding(_Model):
    rule: str
    severity: Severity
    app: str | None = None  # None for policy-level findings (e.g. an unused waiver)
    app_id: str | None = None
    subject: str | None = None  # the add-on, drain, agreement or waiver it concerns
    message: str
    remediation: str
    evidence: tuple[Evidence, ...] = ()
    waived: bool = False
    waiver: str | None = None  # "reason (approved by X, expires D)" when waived
    fingerprint: str


@dataclass(frozen=True, kw_only=True)
class AppResult(_Model):
    name: str
    id: str
    team: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, when the region is known
    space: str | None = None
    shield: bool = False
    data_class: str
    decision: Decision
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Summary(_Model):
    allow: int = 0
    warn: int = 0
    block: int = 0


@dataclass(frozen=True, kw_only=True)
class AgreementStatus(_Model):
    """An agreement of the policy as of the report date (for the DPO's expiry timeline)."""

    id: str
    kind: Literal["heroku", "addon"]
    covers: tuple[str, ...] = ()  # teams, enterprise accounts or add-on services
    countries: tuple[str, ...] = ()
    mechanism: str | None = None
    signed: date | None = None
    expires: date
    state: Literal["active", "expiring", "expired", "not-yet-signed"]
    days_left: int  # negative once expired


@dataclass(frozen=True, kw_only=True)
class WaiverStatus(_Model):
    rule: str
    app: str
    subject: str | None = None
    reason: str
    approved_by: str
    expires: date
    state: Literal["active", "expiring", "expired"]
    used: bool = False


@dataclass(frozen=True, kw_only=True)
class Changes(_Model):
    """What changed since an earlier audit, matched by finding fingerprint."""

    baseline: str  # "audit #12 of 2026-11-25T02:00:00Z" or "report.json"
    since: datetime | None = None
    new: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Report(_Model):
    generated_at: datetime
    policy_path: str | None = None
    policy_sha256: str | None = None
    fail_on: Literal["block", "warn"] = "block"
    decision: Decision
    apps: tuple[AppResult, ...] = ()
    # Findings that belong to no app: unused or expired waivers, expiring agreements.
    policy_findings: tuple[Finding, ...] = ()
    agreements: tuple[AgreementStatus, ...] = ()
    waivers: tuple[WaiverStatus, ...] = ()
    changes: Changes | None = None  # filled by audit --since-last / --baseline

    @property
    def summary(self) -> Summary:
        counts = {"allow": 0, "warn": 0, "block": 0}
        for app in self.apps:
            counts[app.decision] += 1
        return Summary(**counts)

    def all_findings(self) -> list[Finding]:
        out = [f for app in self.apps for f in app.findings]
        out.extend(self.policy_findings)
        return out

    def could_not_evaluate(self) -> bool:
        """Fail closed: a fact that could not be read (an unwaived ``api-error``)."""
        return any(f.rule == API_ERROR_RULE and not f.waived for f in self.all_findings())

    def status(self, *, strict: bool = False) -> Status:
        """Allowed or blocked by the decision (warnings fail only with ``fail_on = "warn"`` or
        ``strict``), and could not evaluate whenever a fact could not be read."""
        if self.could_not_evaluate():
            return "could-not-evaluate"
        if self.decision == "block":
            return "blocked"
        if self.decision == "warn" and (strict or self.fail_on == "warn"):
            return "blocked"
        return "allowed"

    def exit_code(self, *, strict: bool = False) -> int:
        """The README's exit code of :meth:`status`: 0 allowed, 1 blocked, 3 could not
        evaluate."""
        return STATUS_EXIT_CODES[self.status(strict=strict)]


#: The exit code of each status (the README's table; 2 and 4 are errors, not statuses).
STATUS_EXIT_CODES: dict[Status, int] = {"allowed": 0, "blocked": 1, "could-not-evaluate": 3}
