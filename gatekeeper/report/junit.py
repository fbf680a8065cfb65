"""``--format junit``: JUnit XML, so CI systems show the gate like a test run.

One ``<testsuite>`` per app and one ``<testcase classname=APP name=RULE>`` per rule id of the
catalog: a rule that fired with ``block`` is a ``<failure>``, one that fired with ``warn`` is
``<skipped>`` (shown, but not failing; with ``--strict`` or ``fail_on = "warn"`` it fails
too), ``info`` notes and waived findings pass with the details in ``<system-out>``, and a
rule that did not fire passes. Findings that belong to no app form a ``(policy)`` suite.
The XML is built with ``xml.etree`` (which escapes markup) from text that
:func:`~gatekeeper.report.escape.xml_safe` has cleared of characters XML forbids.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence

from gatekeeper.report.escape import visible, xml_safe
from gatekeeper.report.interface import TOOL_NAME, RenderOptions
from gatekeeper.report.model import AppResult, Finding, Report
from gatekeeper.report.summary import finding_title, region_label, team_label, utc
from gatekeeper.rules.catalog import RULES

POLICY_SUITE = "(policy)"


class JunitFormatter:
    """JUnit XML: a test case per app and rule."""

    name = "junit"
    extension = ".xml"

    def render(self, report: Report, options: RenderOptions) -> str:
        warn_fails = options.strict or report.fail_on == "warn"
        timestamp = f"{utc(report.generated_at):%Y-%m-%dT%H:%M:%S}"
        root = ET.Element("testsuites", name=xml_safe(options.title or TOOL_NAME))
        totals = _Counts()
        for app in report.apps:
            suite = _suite(app.name, timestamp, _app_properties(app))
            counts = _fill(suite, app.name, _rule_ids(app.findings), app.findings,
                           warn_fails, options)
            counts.stamp(suite)
            totals.add(counts)
            root.append(suite)
        if report.policy_findings:
            suite = _suite(POLICY_SUITE, timestamp, {})
            rule_ids = list(dict.fromkeys(f.rule for f in report.policy_findings))
            counts = _fill(suite, POLICY_SUITE, rule_ids, report.policy_findings,
                           warn_fails, options)
            counts.stamp(suite)
            totals.add(counts)
            root.append(suite)
        totals.stamp(root)
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


class _Counts:
    def __init__(self) -> None:
        self.tests = self.failures = self.skipped = 0

    def add(self, other: _Counts) -> None:
        self.tests += other.tests
        self.failures += other.failures
        self.skipped += other.skipped

    def stamp(self, element: ET.Element) -> None:
        element.set("tests", str(self.tests))
        element.set("failures", str(self.failures))
        element.set("errors", "0")
        element.set("skipped", str(self.skipped))
        element.set("time", "0")


def _suite(name: str, timestamp: str, properties: dict[str, str]) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_safe(name), timestamp=timestamp)
    if properties:
        props = ET.SubElement(suite, "properties")
        for key, value in properties.items():
            ET.SubElement(props, "property", name=key, value=xml_safe(value))
    return suite


def _app_properties(app: AppResult) -> dict[str, str]:
    props = {
        "app.id": app.id,
        "team": team_label(app.team),
        "region": region_label(app),
        "data_class": app.data_class,
        "decision": app.decision,
    }
    if app.space:
        props["space"] = app.space
    return props


def _rule_ids(findings: Sequence[Finding]) -> list[str]:
    """Every catalog rule, plus any rule a newer engine reported that the catalog lacks."""
    extra = [f.rule for f in findings if f.rule not in RULES]
    return list(RULES) + list(dict.fromkeys(extra))


def _fill(
    suite: ET.Element,
    classname: str,
    rule_ids: list[str],
    findings: Sequence[Finding],
    warn_fails: bool,
    options: RenderOptions,
) -> _Counts:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    counts = _Counts()
    for rule_id in rule_ids:
        counts.tests += 1
        case = ET.SubElement(suite, "testcase", classname=xml_safe(classname), name=rule_id,
                             time="0")
        fired = by_rule.get(rule_id, [])
        if not fired:
            continue
        active = [f for f in fired if not f.waived]
        failing = [f for f in active if f.severity == "block" or
                   (warn_fails and f.severity == "warn")]
        warning = [f for f in active if f.severity == "warn"]
        details = "\n\n".join(_describe(f, options) for f in fired)
        if failing:
            counts.failures += 1
            failure = ET.SubElement(case, "failure", message=_headline(failing),
                                    type=failing[0].severity)
            failure.text = xml_safe(details)
        elif warning:
            counts.skipped += 1
            ET.SubElement(case, "skipped", message="warning: " + _headline(warning))
            ET.SubElement(case, "system-out").text = xml_safe(details)
        else:
            ET.SubElement(case, "system-out").text = xml_safe(details)
    return counts


def _headline(findings: list[Finding]) -> str:
    first = xml_safe(visible(findings[0].message))
    if len(findings) == 1:
        return first
    return f"{first} (and {len(findings) - 1} more)"


def _describe(finding: Finding, options: RenderOptions) -> str:
    state = "waived " + finding.severity if finding.waived else finding.severity
    lines = [f"[{state}] {visible(finding_title(finding))}"]
    if finding.app:
        lines[0] += f" ({visible(finding.app)})"
    lines.append(visible(finding.message))
    if finding.remediation:
        lines.append("Fix: " + visible(finding.remediation, keep_newlines=True))
    if finding.waived and finding.waiver:
        lines.append("Waiver: " + visible(finding.waiver))
    elif options.policy_contact and finding.severity != "info":
        lines.append("Contact: " + visible(options.policy_contact))
    lines.append(f"Fingerprint: {finding.fingerprint}")
    return "\n".join(lines)
