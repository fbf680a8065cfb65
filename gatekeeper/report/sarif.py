"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Findings concern cloud resources, not lines of code, yet code scanning needs a file in the
repository to hang an alert on. Each result points at the policy file, on the line of the
entry that decides it (``gatekeeper.report.policy_lines``: the ``[[apps]]`` entry, the
agreement, the waiver), and names the Heroku app as a logical location. The path is relative
to the top of the git work tree (``uriBaseId`` ``%SRCROOT%``, whose absolute URI
``originalUriBaseIds`` gives), which is how the upload resolves it, whatever directory the
run started in. With ``options.artifact_uri`` (``app.json``, ``Procfile``) results point at
line 1 of that file instead.

GitHub's requirements followed here: ``ruleId``, ``message.text`` and one ``location`` per
result, ``level`` in error/warning/note, a relative URI, ``partialFingerprints`` of our own
so that alerts stay the same across runs (``primaryLocationLineHash`` is ours too: many
results share a line, so a hash of that line would merge unrelated findings), the
``security`` tag and a ``security-severity`` on each rule so the alerts are filed as
security alerts, and ``automationDetails.id`` per app or audit scope so that the uploads of
a matrix over apps do not replace each other. Waived findings are reported with
``suppressions``.
"""

from __future__ import annotations

import json
import posixpath
from typing import TYPE_CHECKING, Any, TextIO
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

if TYPE_CHECKING:
    from gatekeeper.report.policy_lines import PolicyLine

SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVEL: dict[Severity, str] = {"block": "error", "warn": "warning", "info": "note"}
# GitHub's scale for security alerts: 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY: dict[Severity, str] = {"block": "8.0", "warn": "5.0", "info": "2.0"}
SRCROOT = "%SRCROOT%"
TAGS = ["security", "data-protection", "heroku"]
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
    # Lines only for the policy file: another artifact (app.json) is pointed at as a whole.
    source = options.placed_policy()
    lines = source.lines if source is not None and not options.artifact_uri else {}
    team_of = {app.name: app.team for app in report.apps}
    findings = report.all_findings()
    severity_of = _severities(findings)
    omitted = max(len(findings) - MAX_RESULTS, 0)
    if omitted:
        keep = sorted(
            range(len(findings)),
            key=lambda i: (findings[i].waived, _PRIORITY[findings[i].severity], i),
        )
        kept = set(keep[:MAX_RESULTS])
        findings = [f for i, f in enumerate(findings) if i in kept]
    results = [
        _result(f, index[f.rule], artifact, lines.get(f.fingerprint), team_of, options)
        for f in findings
    ]
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
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": options.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [
                    _rule(RULES.get(rule_id), rule_id, severity_of.get(rule_id))
                    for rule_id in rule_ids
                ],
            }
        },
    }
    if options.run_scope:
        # The category is what comes before the last "/": one per app or audit scope.
        run["automationDetails"] = {"id": f"gatekeeper/{options.run_scope}/"}
    if source is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": source.root_uri}}
    run["invocations"] = [invocation]
    run["results"] = results
    run["properties"] = {
        "decision": report.decision,
        "summary": {"allow": summary.allow, "warn": summary.warn, "block": summary.block},
        "policy": {"path": report.policy_path, "sha256": report.policy_sha256},
        "omittedResults": omitted,
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _severities(findings: list[Finding]) -> dict[str, Severity]:
    """The worst severity each rule has in this report: the policy may have raised or
    lowered a rule (``[rules]``), and GitHub reads an alert's severity from its rule."""
    worst: dict[str, Severity] = {}
    for f in findings:
        if f.rule not in worst or _PRIORITY[f.severity] < _PRIORITY[worst[f.rule]]:
            worst[f.rule] = f.severity
    return worst


def artifact_uri(report: Report, options: RenderOptions) -> str:
    """The repository-relative file results point at (percent-encoded, ``/`` separated):
    ``options.artifact_uri``, else the policy file where the run found it in the repository,
    else the policy path of the report when it is relative, else ``gatekeeper.toml``."""
    source = options.placed_policy()
    if source is not None and not options.artifact_uri:
        return quote(source.path, safe="/")
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


def _rule(info: RuleInfo | None, rule_id: str, severity: Severity | None) -> dict[str, Any]:
    name = "".join(part.capitalize() for part in rule_id.split("-"))
    level = severity or (info.default_severity if info is not None else "block")
    properties = {"tags": TAGS, "security-severity": SECURITY_SEVERITY[level]}
    if info is None:
        return {
            "id": rule_id,
            "name": name,
            "shortDescription": {"text": rule_id},
            "fullDescription": {"text": rule_id},
            "help": {"text": f"Run `gatekeeper policy explain {rule_id}`."},
            "properties": properties,
        }
    full = f"{info.title} {info.why}".strip()
    return {
        "id": info.id,
        "name": name,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": LEVEL[info.default_severity]},
        "help": {"text": info.help_text(), "markdown": _help_markdown(info)},
        "properties": properties,
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
    decided_by: PolicyLine | None,
    team_of: dict[str, str | None],
    options: RenderOptions,
) -> dict[str, Any]:
    # A finding that no policy entry decides (a fact that could not be read, a region
    # gatekeeper does not know), or a report rendered without its policy file, still needs a
    # line for code scanning to show it: the top of the file.
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact, "uriBaseId": SRCROOT},
            "region": {"startLine": decided_by.line if decided_by else 1},
        }
    }
    if decided_by is not None:
        location["message"] = {"text": f"Decided by {decided_by.entry} of the policy."}
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
