"""``--format json``: the versioned contract ``gatekeeper.report/v1`` (docs/design.md#6-interfaces).

The core of the contract, which consumers may rely on::

    {"schema": "gatekeeper.report/v1", "generated_at", "policy": {"path", "sha256"},
     "decision", "summary": {"allow", "warn", "block"},
     "apps": [{"name", "id", "team", "region", "space", "data_class", "decision",
               "findings": [{"rule", "severity", "subject", "message", "remediation",
                             "waived", "fingerprint"}]}]}

Documented additions (docs/report-formats.md): ``tool``, ``policy.fail_on``, per app
``country`` and ``shield``, per finding ``evidence`` and ``waiver``, and top-level
``policy_findings``, ``agreements``, ``waivers`` and ``changes`` (only when a baseline was
compared). ``report-schema-v1.json`` beside this module is the JSON Schema of all of it.

:func:`parse_json_report` is the inverse, used by ``audit --baseline FILE``. It is lenient in
what it accepts (unknown keys from a newer v1 writer are ignored) and strict about what it
needs, and it reports every problem at once as an :class:`~gatekeeper.errors.InputFileError`.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gatekeeper.errors import InputFileError, Problem
from gatekeeper.report.interface import TOOL_NAME, RenderOptions
from gatekeeper.report.summary import iso_utc
from gatekeeper.results import (
    REPORT_SCHEMA,
    AgreementStatus,
    AppResult,
    Changes,
    Decision,
    Evidence,
    Finding,
    Report,
    Severity,
    WaiverStatus,
)

SCHEMA_RESOURCE = "report-schema-v1.json"


class JsonFormatter:
    """The machine-readable report; the same document the history store and baselines use."""

    name = "json"
    extension = ".json"

    def render(self, report: Report, options: RenderOptions) -> str:
        # Exactly ``json.dumps(report_document(...), indent=2, ensure_ascii=False) + "\n"``,
        # built one app at a time: with an indent, json.dumps uses the pure-Python encoder,
        # which holds every small chunk of the whole document before joining them (hundreds
        # of megabytes at 10,000 apps). Here only one app's dicts and chunks exist at once.
        head = _document(report, tool_version=options.tool_version, apps=[])
        members = []
        for key, value in head.items():
            encoded = _encode_apps(report.apps) if key == "apps" else _encode(value, 1)
            members.append(f"  {_encode(key, 0)}: {encoded}")
        return "{\n" + ",\n".join(members) + "\n}\n"


def compact_report_json(report: Report, *, tool_version: str) -> str:
    """``json.dumps(report_document(...), ensure_ascii=True, separators=(",", ":"))``, built
    one app at a time so that the dicts of all apps never exist at once (the HTML report
    embeds this)."""
    head = _document(report, tool_version=tool_version, apps=[])

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

    members = []
    for key, value in head.items():
        if key == "apps":
            encoded = "[" + ",".join(dumps(_app(app)) for app in report.apps) + "]"
        else:
            encoded = dumps(value)
        members.append(f"{dumps(key)}:{encoded}")
    return "{" + ",".join(members) + "}"


def _encode(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(indent=2)`` writes it ``level`` levels deep in a document.

    JSON strings hold no raw line breaks (they are escaped), so every line break of the
    encoded text is one of the indentation's, and indenting it is a replacement.
    """
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level) if level else text


def _encode_apps(apps: tuple[AppResult, ...]) -> str:
    """The ``apps`` list at level 1, encoded app by app."""
    if not apps:
        return "[]"
    return "[\n" + ",\n".join("    " + _encode(_app(app), 2) for app in apps) + "\n  ]"


def report_document(report: Report, *, tool_version: str) -> dict[str, Any]:
    """The ``gatekeeper.report/v1`` document as a dict, keys in contract order."""
    return _document(report, tool_version=tool_version, apps=[_app(app) for app in report.apps])


def _document(report: Report, *, tool_version: str, apps: list[dict[str, Any]]) -> dict[str, Any]:
    summary = report.summary
    document: dict[str, Any] = {
        "schema": REPORT_SCHEMA,
        "generated_at": iso_utc(report.generated_at),
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "policy": {
            "path": report.policy_path,
            "sha256": report.policy_sha256,
            "fail_on": report.fail_on,
        },
        "decision": report.decision,
        "summary": {"allow": summary.allow, "warn": summary.warn, "block": summary.block},
        "apps": apps,
        "policy_findings": [_finding(f, with_app=True) for f in report.policy_findings],
        "agreements": [_agreement(a) for a in report.agreements],
        "waivers": [_waiver(w) for w in report.waivers],
    }
    if report.changes is not None:
        changes = report.changes
        document["changes"] = {
            "baseline": changes.baseline,
            "since": iso_utc(changes.since) if changes.since else None,
            "new": [_finding(f, with_app=True) for f in changes.new],
            "resolved": [_finding(f, with_app=True) for f in changes.resolved],
        }
    return document


def _app(app: AppResult) -> dict[str, Any]:
    return {
        "name": app.name,
        "id": app.id,
        "team": app.team,
        "region": app.region,
        "country": app.country,
        "space": app.space,
        "shield": app.shield,
        "data_class": app.data_class,
        "decision": app.decision,
        "findings": [_finding(f) for f in app.findings],
    }


def _finding(finding: Finding, *, with_app: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity,
        "subject": finding.subject,
        "message": finding.message,
        "remediation": finding.remediation,
        "waived": finding.waived,
        "fingerprint": finding.fingerprint,
        "waiver": finding.waiver,
        "evidence": [
            {"kind": e.kind, "name": e.name, "detail": e.detail} for e in finding.evidence
        ],
    }
    if with_app:  # outside "apps" a finding must say which app (if any) it is about
        out["app"] = finding.app
        out["app_id"] = finding.app_id
    return out


def _agreement(a: AgreementStatus) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "covers": list(a.covers),
        "countries": list(a.countries),
        "mechanism": a.mechanism,
        "signed": a.signed.isoformat() if a.signed else None,
        "expires": a.expires.isoformat(),
        "state": a.state,
        "days_left": a.days_left,
    }


def _waiver(w: WaiverStatus) -> dict[str, Any]:
    return {
        "rule": w.rule,
        "app": w.app,
        "subject": w.subject,
        "reason": w.reason,
        "approved_by": w.approved_by,
        "expires": w.expires.isoformat(),
        "state": w.state,
        "used": w.used,
    }


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``gatekeeper.report/v1``, shipped as package data."""
    text = resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


# --- parsing (the inverse) -------------------------------------------------------------------


class _In(BaseModel):
    # A newer v1 writer may add fields: ignore what we do not read.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _EvidenceIn(_In):
    kind: str
    name: str
    detail: str = ""


class _FindingIn(_In):
    rule: str
    severity: Severity
    subject: str | None
    message: str
    remediation: str
    waived: bool
    fingerprint: str
    waiver: str | None = None
    evidence: list[_EvidenceIn] = Field(default_factory=list)
    app: str | None = None
    app_id: str | None = None

    def to_finding(self, app: str | None = None, app_id: str | None = None) -> Finding:
        return Finding(
            rule=self.rule,
            severity=self.severity,
            app=app if app is not None else self.app,
            app_id=app_id if app_id is not None else self.app_id,
            subject=self.subject,
            message=self.message,
            remediation=self.remediation,
            evidence=tuple(
                Evidence(kind=e.kind, name=e.name, detail=e.detail) for e in self.evidence
            ),
            waived=self.waived,
            waiver=self.waiver,
            fingerprint=self.fingerprint,
        )


class _AppIn(_In):
    name: str
    id: str
    team: str | None
    region: str | None
    space: str | None
    data_class: str
    decision: Decision
    findings: list[_FindingIn]
    country: str | None = None
    shield: bool = False


class _PolicyIn(_In):
    path: str | None
    sha256: str | None
    fail_on: Literal["block", "warn"] = "block"


class _AgreementIn(AgreementStatus):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _WaiverIn(WaiverStatus):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _ChangesIn(_In):
    baseline: str
    since: Any = None  # validated by Changes
    new: list[_FindingIn] = Field(default_factory=list)
    resolved: list[_FindingIn] = Field(default_factory=list)


class _ReportIn(_In):
    schema_: Literal["gatekeeper.report/v1"] = Field(alias="schema")
    generated_at: Any  # validated by Report
    policy: _PolicyIn
    decision: Decision
    apps: list[_AppIn]
    policy_findings: list[_FindingIn] = Field(default_factory=list)
    agreements: list[_AgreementIn] = Field(default_factory=list)
    waivers: list[_WaiverIn] = Field(default_factory=list)
    changes: _ChangesIn | None = None

    def to_report(self) -> Report:
        changes = None
        if self.changes is not None:
            changes = Changes(
                baseline=self.changes.baseline,
                since=self.changes.since,
                new=tuple(f.to_finding() for f in self.changes.new),
                resolved=tuple(f.to_finding() for f in self.changes.resolved),
            )
        return Report(
            generated_at=self.generated_at,
            policy_path=self.policy.path,
            policy_sha256=self.policy.sha256,
            fail_on=self.policy.fail_on,
            decision=self.decision,
            apps=tuple(
                AppResult(
                    name=a.name,
                    id=a.id,
                    team=a.team,
                    region=a.region,
                    country=a.country,
                    space=a.space,
                    shield=a.shield,
                    data_class=a.data_class,
                    decision=a.decision,
                    findings=tuple(f.to_finding(a.name, a.id) for f in a.findings),
                )
                for a in self.apps
            ),
            policy_findings=tuple(f.to_finding() for f in self.policy_findings),
            agreements=tuple(AgreementStatus(**a.model_dump()) for a in self.agreements),
            waivers=tuple(WaiverStatus(**w.model_dump()) for w in self.waivers),
            changes=changes,
        )


_HINT = "Use a report written by `gatekeeper audit --format json` (or `check --format json`)."


def parse_json_report(text: str, *, source: str = "baseline report") -> Report:
    """Read a ``gatekeeper.report/v1`` document back into a :class:`Report`.

    ``source`` names the file in error messages. Raises
    :class:`~gatekeeper.errors.InputFileError` listing every problem found.
    """

    def fail(problems: list[Problem]) -> InputFileError:
        return InputFileError(problems, what="report", hint=_HINT)

    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise fail(
            [Problem(source, exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None
    if not isinstance(data, dict):
        raise fail([Problem(source, None, "", "expected a JSON object")])
    found = data.get("schema")
    if found != REPORT_SCHEMA:
        raise fail(
            [Problem(source, None, "schema", f"expected {REPORT_SCHEMA!r}, found {found!r}")]
        )
    try:
        return _ReportIn.model_validate(data).to_report()
    except ValidationError as exc:
        problems = [
            Problem(source, None, ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors(include_url=False)
        ]
        raise fail(problems) from None
