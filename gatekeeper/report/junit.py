"""``--format junit``: JUnit XML, so CI systems show the gate like a test run.

One ``<testsuite>`` per app and one ``<testcase classname=APP name=RULE>`` per rule id of the
catalog: a rule that fired with ``block`` is a ``<failure>``, one that fired with ``warn`` is
``<skipped>`` with the details as its text (shown, but not failing; with ``--strict`` or
``fail_on = "warn"`` it fails too), ``info`` notes and waived findings pass and their details
go to the suite's ``<system-out>``, and a rule that did not fire passes. Findings that belong
to no app form a ``(policy)`` suite.

The document is valid against both schemas CI tools hold JUnit to: the Jenkins xUnit
plugin's ``junit-10.xsd`` and the strict Apache Ant ``JUnit.xsd``
(tests/fixtures/README.md). Together they allow no attribute on ``<testsuites>`` (the totals
are on each suite), require ``hostname``, ``id`` and ``package`` on every suite and its
``<properties>``, ``<system-out>`` and ``<system-err>`` in that order, and at most one child
in a test case.

Every name and message is escaped for XML after
:func:`~gatekeeper.report.escape.xml_safe` has cleared it of characters XML forbids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO
from xml.sax.saxutils import escape

from gatekeeper.report.escape import visible, xml_safe
from gatekeeper.report.interface import RenderOptions, StreamFormatter
from gatekeeper.report.summary import (
    contact_for,
    finding_title,
    region_label,
    team_label,
    utc,
)
from gatekeeper.results import AppResult, Finding, Report
from gatekeeper.rules.catalog import RULES

POLICY_SUITE = "(policy)"
# The Ant schema's word for a host that cannot be named: the checks ran against the Heroku
# API, not on this machine, and a formatter reads nothing of its environment.
HOSTNAME = "localhost"
_SEPARATOR = "\n\n"  # between the details of two findings


class JunitFormatter(StreamFormatter):
    """JUnit XML: a test case per app and rule."""

    name = "junit"
    extension = ".xml"

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        # Written as text rather than an element tree: an audit of 10,000 apps has 180,000
        # test cases, and building them as strings needs a fraction of the memory. Each
        # suite is written as soon as it is complete.
        warn_fails = options.strict or report.fail_on == "warn"
        timestamp = f"{utc(report.generated_at):%Y-%m-%dT%H:%M:%S}"
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write("<testsuites>\n")
        suite = _SuiteWriter(timestamp, warn_fails, options)
        for app in report.apps:
            out.write(suite(app.name, _rule_ids(app.findings), app.findings, _app_properties(app)))
        if report.policy_findings:
            rule_ids = list(dict.fromkeys(f.rule for f in report.policy_findings))
            out.write(suite(POLICY_SUITE, rule_ids, report.policy_findings, {}))
        out.write("</testsuites>\n")


class _Counts:
    def __init__(self) -> None:
        self.tests = self.failures = self.skipped = 0

    def attributes(self) -> str:
        return (
            f' tests="{self.tests}" failures="{self.failures}" errors="0" '
            f'skipped="{self.skipped}" time="0"'
        )


_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _attr(value: str) -> str:
    """A quoted attribute value; line breaks as character references so they survive."""
    return '"' + escape(xml_safe(value), _ATTR_ENTITIES) + '"'


def _text(value: str) -> str:
    return escape(xml_safe(value))


@dataclass
class _SuiteWriter:
    """Writes one suite per call, numbering them from 0 as the Ant schema's ``id`` asks."""

    timestamp: str
    warn_fails: bool
    options: RenderOptions
    next_id: int = 0

    def __call__(
        self,
        name: str,
        rule_ids: list[str],
        findings: Sequence[Finding],
        properties: dict[str, str],
    ) -> str:
        counts = _Counts()
        cases, notes = _cases(name, rule_ids, findings, self.warn_fails, self.options, counts)
        head = (
            f'  <testsuite name={_attr(name)} package={_attr(name)} id="{self.next_id}" '
            f'hostname="{HOSTNAME}" timestamp="{self.timestamp}"{counts.attributes()}>'
        )
        self.next_id += 1
        lines = [head]
        if properties:
            lines.append("    <properties>")
            lines += [
                f"      <property name={_attr(k)} value={_attr(v)} />"
                for k, v in properties.items()
            ]
            lines.append("    </properties>")
        else:
            lines.append("    <properties />")
        lines += cases
        if notes:
            lines.append(f"    <system-out>{_text(_SEPARATOR.join(notes))}</system-out>")
        else:
            lines.append("    <system-out />")
        lines.append("    <system-err />")
        lines.append("  </testsuite>")
        return "\n".join(lines) + "\n"


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


def _cases(
    classname: str,
    rule_ids: list[str],
    findings: Sequence[Finding],
    warn_fails: bool,
    options: RenderOptions,
    counts: _Counts,
) -> tuple[list[str], list[str]]:
    """The test case lines, and the details of the cases that passed with findings (info
    notes, waived findings) for the suite's ``<system-out>``: the Ant schema allows a test
    case one child at most, the failure or the skip."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    lines: list[str] = []
    notes: list[str] = []
    for rule_id in rule_ids:
        counts.tests += 1
        open_tag = f'    <testcase classname={_attr(classname)} name={_attr(rule_id)} time="0"'
        fired = by_rule.get(rule_id, [])
        active = [f for f in fired if not f.waived]
        failing = [
            f for f in active if f.severity == "block" or (warn_fails and f.severity == "warn")
        ]
        warning = [f for f in active if f.severity == "warn"]
        details = _SEPARATOR.join(_describe(f, options) for f in fired)
        if failing:
            counts.failures += 1
            lines += [
                open_tag + ">",
                f"      <failure message={_attr(_headline(failing))} "
                f'type="{failing[0].severity}">{_text(details)}</failure>',
                "    </testcase>",
            ]
        elif warning:
            counts.skipped += 1
            lines += [
                open_tag + ">",
                f"      <skipped message={_attr('warning: ' + _headline(warning))}>"
                f"{_text(details)}</skipped>",
                "    </testcase>",
            ]
        else:
            lines.append(open_tag + " />")
            if fired:
                notes.append(details)
    return lines, notes


def _headline(findings: list[Finding]) -> str:
    first = visible(findings[0].message)
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
    elif contact := contact_for(finding, options.policy_contact):
        lines.append("Contact: " + visible(contact))
    lines.append(f"Fingerprint: {finding.fingerprint}")
    return "\n".join(lines)
