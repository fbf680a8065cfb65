"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Findings concern cloud resources, not lines of code, yet code scanning needs a file in the
repository to hang an alert on. Each result therefore points at one artifact (the policy file,
or ``options.artifact_uri`` such as ``app.json`` or ``Procfile``) at line 1, and names the
Heroku app as a logical location. GitHub's requirements followed here: ``ruleId``,
``message.text`` and one ``location`` per result, ``level`` in error/warning/note, a relative
URI, and ``partialFingerprints`` of our own so that alerts stay the same across runs
(``primaryLocationLineHash`` is ours too: every result sits on line 1, so a hash of that line
would merge unrelated findings). Waived findings are reported with ``suppressions``.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any, TextIO
from urllib.parse import quote

from gatekeeper.report.escape import visible
from gatekeeper.report.interface import (
    INFORMATION_URI,
    TOOL_NAME,
    RenderOptions,
    StreamFormatter,
)
from gatekeeper.report.summary import contact_for, iso_utc, team_label
from gatekeeper.results import Finding, Report, Severity
from gatekeeper.rules.catalog import RULES, RuleInfo

SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVEL: dict[Severity, str] = {"block": "error", "warn": "warning", "info": "note"}
DEFAULT_ARTIFACT = "gatekeeper.toml"
FINGERPRINT_KEY = "gatekeeperFingerprint/v1"
# GitHub rejects a run with more results than this; the most severe ones are kept.
MAX_RESULTS = 25_000
_PRIORITY = {"block": 0, "warn": 1, "info": 2}


class SarifFormatter(StreamFormatter):
    """SARIF 2.1.0, one run, one rule entry per rule id, one result per finding."""

    name = "sarif"
    extension = ".sarif"

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        # One piece: GitHub accepts at most 25,000 results, so the log stays bounded.
        out.write(json.dumps(sarif_log(report, options), indent=2, ensure_ascii=False) + "\n")


def sarif_log(report: Report, options: RenderOptions) -> dict[str, Any]:
    """The SARIF log as a dict."""
    rule_ids = list(RULES)
    # A rule id the catalog does not know (a newer engine) still gets a descriptor.
    rule_ids += sorted({f.rule for f in report.all_findings()} - set(RULES))
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    artifact = artifact_uri(report, options)
    team_of = {app.name: app.team for app in report.apps}
    findings = report.all_findings()
    omitted = max(len(findings) - MAX_RESULTS, 0)
    if omitted:
        keep = sorted(
            range(len(findings)),
            key=lambda i: (findings[i].waived, _PRIORITY[findings[i].severity], i),
        )
        kept = set(keep[:MAX_RESULTS])
        findings = [f for i, f in enumerate(findings) if i in kept]
    results = [_result(f, index[f.rule], artifact, team_of, options) for f in findings]
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "endTimeUtc": iso_utc(report.generated_at),
    }
    if omitted:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {
                    "text": f"{omitted} less severe findings were left out to stay within "
                    f"the {MAX_RESULTS} results GitHub code scanning accepts; "
                    "the JSON and HTML reports have all of them."
                },
            }
        ]
    summary = report.summary
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": options.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(RULES.get(rule_id), rule_id) for rule_id in rule_ids],
                    }
                },
                "invocations": [invocation],
                "results": results,
                "properties": {
                    "decision": report.decision,
                    "summary": {
                        "allow": summary.allow,
                        "warn": summary.warn,
                        "block": summary.block,
                    },
                    "policy": {"path": report.policy_path, "sha256": report.policy_sha256},
                    "omittedResults": omitted,
                },
            }
        ],
    }


def artifact_uri(report: Report, options: RenderOptions) -> str:
    """The repository-relative file results point at (percent-encoded, ``/`` separated)."""
    candidate = options.artifact_uri or report.policy_path or DEFAULT_ARTIFACT
    path = candidate.replace("\\", "/")
    relative = posixpath.normpath(path)
    if (
        posixpath.isabs(relative)
        or relative.startswith("../")
        or relative == ".."
        or ":" in relative.split("/")[0]  # a Windows drive or a URI scheme
    ):
        relative = DEFAULT_ARTIFACT if not options.artifact_uri else posixpath.basename(relative)
    return quote(relative, safe="/")


def _rule(info: RuleInfo | None, rule_id: str) -> dict[str, Any]:
    name = "".join(part.capitalize() for part in rule_id.split("-"))
    if info is None:
        return {
            "id": rule_id,
            "name": name,
            "shortDescription": {"text": rule_id},
            "fullDescription": {"text": rule_id},
            "help": {"text": f"Run `gatekeeper policy explain {rule_id}`."},
            "properties": {"tags": ["data-protection", "heroku"]},
        }
    full = f"{info.title} {info.why}".strip()
    return {
        "id": info.id,
        "name": name,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": LEVEL[info.default_severity]},
        "help": {"text": info.help_text(), "markdown": _help_markdown(info)},
        "properties": {"tags": ["data-protection", "heroku"]},
    }


def _help_markdown(info: RuleInfo) -> str:
    parts = [f"**{info.id}** (default: {info.default_severity})", "", info.title]
    for head, body in (
        ("Why", info.why),
        ("Source", info.source),
        ("Fix", info.fix),
        ("Waive", info.waive),
    ):
        if body:
            parts += ["", f"**{head}:** {body}"]
    return "\n".join(parts)


def _result(
    finding: Finding,
    rule_index: int,
    artifact: str,
    team_of: dict[str, str | None],
    options: RenderOptions,
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact},
            "region": {"startLine": 1},
        }
    }
    if finding.app:
        team = team_of.get(finding.app)
        location["logicalLocations"] = [
            {
                "name": finding.app,
                "fullyQualifiedName": f"{team_label(team)}/{finding.app}",
                "kind": "resource",
            }
        ]
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": _message(finding, options)},
        "locations": [location],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{finding.fingerprint}:1",
            FINGERPRINT_KEY: finding.fingerprint,
        },
        "properties": {
            "app": finding.app,
            "appId": finding.app_id,
            "subject": finding.subject,
            "severity": finding.severity,
            "remediation": finding.remediation,
        },
    }
    if finding.waived:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": visible(finding.waiver or "waived in the policy"),
            }
        ]
    return result


def _message(finding: Finding, options: RenderOptions) -> str:
    where = f"{visible(finding.app)}: " if finding.app else "policy: "
    text = f"{where}{visible(finding.message)}"
    if finding.remediation:
        text += f"\nFix: {visible(finding.remediation, keep_newlines=True)}"
    contact = contact_for(finding, options.policy_contact)
    if contact:
        text += f"\nContact: {visible(contact)}"
    return text
