"""The ``gatekeeper.report/v1`` document as pydantic models: written, read back, and described.

One set of models is the contract (docs/report-formats.md): :func:`head_document` and
:func:`app_document` dump them for the JSON and HTML formatters (``json_format``), the models
validate a report read back for ``audit --baseline`` (``json_format.parse_json_report``), and
:func:`generated_schema` is their JSON Schema, which ``report-schema-v1.json`` holds
(``python -m gatekeeper.report.v1 > gatekeeper/report/report-schema-v1.json``; a unit test
checks that the file is what the models generate).

Writing, every field is present (the schema requires them all, except ``changes``, which only
a compared audit has). Reading, the documented additions have defaults, so that a core-only
document parses, and unknown keys are ignored, so that a newer v1 writer's additions do not
break an older reader.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema

from gatekeeper import serial
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

_TIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ADDITION = "Addition: "  # marks what extends the core contract of docs/design.md#6-interfaces

#: ISO 8601 in UTC with a ``Z`` (a naive time is taken to be UTC, as the engine writes it)
UtcTime = Annotated[
    datetime,
    PlainSerializer(iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _TIME_PATTERN}),
]
IsoDate = Annotated[date, WithJsonSchema({"type": "string", "pattern": _DATE_PATTERN})]


class _V1(BaseModel):
    # Reading ignores what a newer v1 writer adds; the schema still forbids unknown keys,
    # because this version's writer never writes one.
    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        from_attributes=True,
        json_schema_serialization_defaults_required=True,
        json_schema_extra={"additionalProperties": False},
    )


class ToolV1(_V1):
    name: Literal["heroku-gatekeeper"] = "heroku-gatekeeper"
    version: str = ""


class PolicyV1(_V1):
    path: str | None
    sha256: str | None = Field(json_schema_extra={"pattern": "^[0-9a-f]{64}$"})
    fail_on: Literal["block", "warn"] = Field(
        "block", description=_ADDITION + "the decision that fails (exit code 1)."
    )


class SummaryV1(_V1):
    """Number of apps by decision."""

    allow: int = Field(0, ge=0)
    warn: int = Field(0, ge=0)
    block: int = Field(0, ge=0)


class EvidenceV1(_V1):
    """One link of the chain that led to the finding."""

    kind: str = Field(description="app, team, enterprise-account, agreement, region, space, ...")
    name: str
    detail: str = ""


class FindingV1(_V1):
    """A finding about the app it is listed under."""

    rule: str = Field(
        description="Stable rule id (docs/design.md#5-rules-stable-ids-default-severity), "
        "e.g. team-not-covered."
    )
    severity: Severity
    subject: str | None = Field(
        description="The add-on, drain, agreement or waiver the finding concerns."
    )
    message: str
    remediation: str = Field(description="The fix: a heroku command or a policy entry.")
    waived: bool
    fingerprint: str = Field(
        description="Stable id across audits: rule + app id + subject.",
        json_schema_extra={"pattern": "^[0-9a-f]{20}$"},
    )
    waiver: str | None = Field(
        None, description=_ADDITION + "the waiver that applies, when waived."
    )
    evidence: list[EvidenceV1] = Field(
        default_factory=list, description=_ADDITION + "the evidence chain."
    )

    def to_finding(self, app: str | None, app_id: str | None) -> Finding:
        return Finding(
            rule=self.rule,
            severity=self.severity,
            app=app,
            app_id=app_id,
            subject=self.subject,
            message=self.message,
            remediation=self.remediation,
            evidence=tuple(Evidence(**e.model_dump()) for e in self.evidence),
            waived=self.waived,
            waiver=self.waiver,
            fingerprint=self.fingerprint,
        )


class LocatedFindingV1(FindingV1):
    """A finding listed outside its app (policy findings, changes): names the app, if any."""

    app: str | None = None
    app_id: str | None = None

    def to_located_finding(self) -> Finding:
        return self.to_finding(self.app, self.app_id)


class AppV1(_V1):
    name: str
    id: str
    team: str | None = Field(description="null for an app in a personal account.")
    region: str | None = Field(
        description="Heroku region name (us, eu, frankfurt, ...); null when unknown."
    )
    country: str | None = Field(
        None, description=_ADDITION + "ISO 3166-1 alpha-2 country of the region."
    )
    space: str | None = Field(description="Private Space name, if any.")
    shield: bool = Field(False, description=_ADDITION + "the space is a Shield space.")
    data_class: str
    decision: Decision
    findings: list[FindingV1]

    def to_app_result(self) -> AppResult:
        fields = self.model_dump(exclude={"findings"})
        findings = tuple(f.to_finding(self.name, self.id) for f in self.findings)
        return AppResult(**fields, findings=findings)


class AgreementV1(_V1):
    """Addition: an agreement of the policy as of the report date."""

    id: str
    kind: Literal["heroku", "addon"]
    covers: list[str] = Field(
        default_factory=list, description="Teams, enterprise accounts or add-on services."
    )
    countries: list[str] = Field(default_factory=list)
    mechanism: str | None = None
    signed: IsoDate | None = None
    expires: IsoDate
    state: Literal["active", "expiring", "expired", "not-yet-signed"]
    days_left: int = Field(description="Negative once expired.")


class WaiverV1(_V1):
    """Addition: a waiver of the policy as of the report date."""

    rule: str
    app: str = Field(description="App name or glob.")
    subject: str | None = None
    reason: str
    approved_by: str
    expires: IsoDate
    state: Literal["active", "expiring", "expired"]
    used: bool = False


class ChangesV1(_V1):
    """Addition, only present with audit --since-last or --baseline: findings new and
    resolved since then, matched by fingerprint."""

    baseline: str
    since: UtcTime | None = None
    new: list[LocatedFindingV1] = Field(default_factory=list)
    resolved: list[LocatedFindingV1] = Field(default_factory=list)


class ReportV1(_V1):
    """The JSON report of heroku-gatekeeper (check --format json, audit --format json).
    Fields marked 'Addition' extend the core contract of docs/design.md#6-interfaces; see
    docs/report-formats.md."""

    schema_: Literal["gatekeeper.report/v1"] = Field(alias="schema")
    generated_at: UtcTime = Field(description="When the facts were evaluated, ISO 8601 in UTC.")
    tool: ToolV1 = Field(default_factory=ToolV1, description=_ADDITION + "what wrote the report.")
    policy: PolicyV1
    decision: Decision
    summary: SummaryV1 = Field(default_factory=SummaryV1)
    apps: list[AppV1]
    policy_findings: list[LocatedFindingV1] = Field(
        default_factory=list,
        description=_ADDITION
        + "findings that belong to no single app (unused or expired waivers, ...).",
    )
    agreements: list[AgreementV1] = Field(default_factory=list)
    waivers: list[WaiverV1] = Field(default_factory=list)
    changes: ChangesV1 | None = None

    def to_report(self) -> Report:
        changes = None
        if self.changes is not None:
            changes = Changes(
                baseline=self.changes.baseline,
                since=self.changes.since,
                new=tuple(f.to_located_finding() for f in self.changes.new),
                resolved=tuple(f.to_located_finding() for f in self.changes.resolved),
            )
        return Report(
            generated_at=self.generated_at,
            policy_path=self.policy.path,
            policy_sha256=self.policy.sha256,
            fail_on=self.policy.fail_on,
            decision=self.decision,
            apps=tuple(app.to_app_result() for app in self.apps),
            policy_findings=tuple(f.to_located_finding() for f in self.policy_findings),
            # The document's arrays as the results' tuples (pydantic converts them).
            agreements=tuple(
                serial.from_data(AgreementStatus, a.model_dump()) for a in self.agreements
            ),
            waivers=tuple(serial.from_data(WaiverStatus, w.model_dump()) for w in self.waivers),
            changes=changes,
        )


# --- writing ---------------------------------------------------------------------------------


def head_document(report: Report, *, tool_version: str) -> dict[str, Any]:
    """The document without its apps (``"apps": []``), keys in contract order; the writers
    put :func:`app_document` of each app in its place, so that all apps never exist at once
    as dicts."""
    summary = report.summary
    head = ReportV1(
        schema=REPORT_SCHEMA,
        generated_at=report.generated_at,
        tool=ToolV1(version=tool_version),
        policy=PolicyV1(
            path=report.policy_path, sha256=report.policy_sha256, fail_on=report.fail_on
        ),
        decision=report.decision,
        summary=SummaryV1(allow=summary.allow, warn=summary.warn, block=summary.block),
        apps=[],
        policy_findings=[LocatedFindingV1.model_validate(f) for f in report.policy_findings],
        agreements=[AgreementV1.model_validate(a) for a in report.agreements],
        waivers=[WaiverV1.model_validate(w) for w in report.waivers],
        changes=None if report.changes is None else ChangesV1.model_validate(report.changes),
    )
    return _dump(head, exclude={"changes"} if head.changes is None else None)


def app_document(app: AppResult) -> dict[str, Any]:
    """One element of ``apps``."""
    return _dump(AppV1.model_validate(app))


def report_document(report: Report, *, tool_version: str) -> dict[str, Any]:
    """The whole ``gatekeeper.report/v1`` document as a dict, keys in contract order."""
    document = head_document(report, tool_version=tool_version)
    document["apps"] = [app_document(app) for app in report.apps]
    return document


def _dump(model: BaseModel, exclude: set[str] | None = None) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude=exclude)


# --- the JSON Schema -------------------------------------------------------------------------


class _Schema(GenerateJsonSchema):
    """Draft 2020-12, with the names of the contract: no generated titles, ``$defs`` named
    like the document's parts (``app``, ``finding``), ``changes`` optional."""

    def generate(self, schema: CoreSchema, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        generated = super().generate(schema, mode)
        renames = {cls.__name__: _def_name(cls.__name__) for cls in _MODELS}
        text = json.dumps(generated)
        for old, new in renames.items():
            text = text.replace(f'"#/$defs/{old}"', f'"#/$defs/{new}"')
        result: JsonSchemaValue = json.loads(text)
        result["$defs"] = {renames[k]: v for k, v in result.get("$defs", {}).items()}
        result["required"].remove("changes")
        result["properties"]["changes"] = result["properties"]["changes"]["anyOf"][0]
        strip_generated(result)
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:heroku-gatekeeper:report:v1",
            "title": REPORT_SCHEMA,
            **result,
        }


def _def_name(class_name: str) -> str:
    """``LocatedFindingV1`` -> ``located_finding``."""
    stem = class_name.removesuffix("V1")
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(stem))


def strip_generated(node: Any) -> None:
    """Drop pydantic's titles, and the defaults (reading's fallbacks: a writer writes every
    field), from every subschema; property names themselves stay. The register's schema
    (``gatekeeper.register.model``) is cleaned the same way."""
    if isinstance(node, dict):
        node.pop("title", None)
        node.pop("default", None)
        for key, value in node.items():
            if key == "properties":
                for subschema in value.values():
                    strip_generated(subschema)
            else:
                strip_generated(value)
    elif isinstance(node, list):
        for item in node:
            strip_generated(item)


_MODELS = (
    ToolV1,
    PolicyV1,
    SummaryV1,
    EvidenceV1,
    FindingV1,
    LocatedFindingV1,
    AppV1,
    AgreementV1,
    WaiverV1,
    ChangesV1,
    ReportV1,
)


def generated_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document the writers produce."""
    return ReportV1.model_json_schema(by_alias=True, mode="serialization", schema_generator=_Schema)


def schema_text() -> str:
    """``report-schema-v1.json`` as it must be: :func:`generated_schema`, indented."""
    return json.dumps(generated_schema(), indent=2, ensure_ascii=False) + "\n"


if (
    __name__ == "__main__"
):  # python -m gatekeeper.report.v1 > gatekeeper/report/report-schema-v1.json
    sys.stdout.write(schema_text())
