"""``--format csv``: one row per finding, for a spreadsheet or a ticket import.

Columns: app, team, region, data_class, decision, rule, severity, subject, message,
remediation, waived, fingerprint. Findings about the policy itself have an empty app.
Apps without findings have no row (the JSON and HTML reports list every app).

Spreadsheets evaluate a cell that starts with ``= + - @`` (or TAB/CR) as a formula, so such
cells are prefixed with ``'`` (CSV injection, OWASP). Quoting follows RFC 4180, with CRLF
line ends; a cell may contain line breaks inside its quotes.
"""

from __future__ import annotations

import csv
from typing import TextIO

from gatekeeper.report.escape import csv_cell
from gatekeeper.report.interface import RenderOptions, StreamFormatter
from gatekeeper.results import AppResult, Finding, Report

COLUMNS = (
    "app",
    "team",
    "region",
    "data_class",
    "decision",
    "rule",
    "severity",
    "subject",
    "message",
    "remediation",
    "waived",
    "fingerprint",
)


class CsvFormatter(StreamFormatter):
    """One row per finding, injection-safe."""

    name = "csv"
    extension = ".csv"

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for app in report.apps:
            for finding in app.findings:
                writer.writerow(_row(app, finding))
        for finding in report.policy_findings:
            writer.writerow(_row(None, finding))


def _row(app: AppResult | None, finding: Finding) -> list[str]:
    cells = [
        app.name if app else (finding.app or ""),
        (app.team or "") if app else "",
        (app.region or "") if app else "",
        app.data_class if app else "",
        app.decision if app else "",
        finding.rule,
        finding.severity,
        finding.subject or "",
        finding.message,
        finding.remediation,
        "true" if finding.waived else "false",
        finding.fingerprint,
    ]
    return [csv_cell(cell) for cell in cells]
