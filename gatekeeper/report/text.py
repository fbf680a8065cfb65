"""``--format text``: what a researcher reads in a terminal or a refused ``git push``.

The decision comes first, in one line. Then, per app that needs attention, each finding with
its severity, rule id, message, the fix and who to contact. Every untrusted name passes
through :func:`~gatekeeper.report.escape.visible`, so no app name can forge a line, move the
cursor or colour the output; colour itself is added only when ``options.color`` is set.
"""

from __future__ import annotations

from typing import TextIO

import click

from gatekeeper.report.escape import indent_lines, visible
from gatekeeper.report.interface import Lines, RenderOptions, StreamFormatter
from gatekeeper.report.summary import (
    DECISION_WORD,
    SEVERITY_WORD,
    FindingCounts,
    contact_for,
    finding_title,
    headline,
    human_time,
    plural,
    region_label,
    sorted_apps,
    sorted_findings,
    team_label,
)
from gatekeeper.results import AppResult, Finding, Report

_LABEL_WIDTH = 8
_BODY = " " * (2 + _LABEL_WIDTH)
# word -> (foreground colour, bold)
_STYLE: dict[str, tuple[str, bool]] = {
    "BLOCK": ("red", True),
    "WARN": ("yellow", True),
    "ALLOW": ("green", True),
    "INFO": ("blue", False),
    "WAIVED": ("cyan", False),
}


class TextFormatter(StreamFormatter):
    """Plain text for terminals and hook output; ANSI colour only when asked for."""

    name = "text"
    extension = ".txt"

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        _Writer(options, out).report(report)


class _Writer:
    def __init__(self, options: RenderOptions, out: TextIO) -> None:
        self.options = options
        self.lines = Lines(out)

    def style(self, word: str, text: str | None = None) -> str:
        shown = word if text is None else text
        if not self.options.color or word not in _STYLE:
            return shown
        fg, bold = _STYLE[word]
        return click.style(shown, fg=fg, bold=bold)

    def report(self, report: Report) -> None:
        decision_word = DECISION_WORD[report.decision]
        self.lines.append(self.style(decision_word, visible(headline(report))))
        # Info notes and waived findings are shown for a single app (check) or with -v; in a
        # multi-app audit they would bury the findings that need action.
        detailed = self.options.verbose or len(report.apps) <= 1
        quiet_apps: list[AppResult] = []
        for app in sorted_apps(report.apps):
            shown = [f for f in sorted_findings(app.findings) if detailed or _actionable(f)]
            if app.decision == "allow" and not shown:
                quiet_apps.append(app)
                continue
            self.app(app, shown)
        policy = [f for f in sorted_findings(report.policy_findings) if detailed or _actionable(f)]
        if policy:
            self.lines += ["", "policy:"]
            for finding in policy:
                self.finding(finding, name_app=True)
        if not detailed:
            hidden = FindingCounts.of(f for f in report.all_findings() if not _actionable(f))
            if hidden.info or hidden.waived:
                parts = [plural(hidden.info, "note")] if hidden.info else []
                parts += [f"{hidden.waived} waived"] if hidden.waived else []
                self.lines += ["", f"Not shown: {', '.join(parts)} (use -v to show them)."]
        if quiet_apps and len(report.apps) > 1:
            self.lines.append("")
            text = f"{plural(len(quiet_apps), 'app')} allowed with nothing to report"
            if self.options.verbose:
                names = ", ".join(visible(a.name) for a in quiet_apps)
                text += f": {names}"
            self.lines.append(text + ("" if self.options.verbose else "."))
        if report.changes is not None:
            self.changes(report)
        self.lines.end()

    def app(self, app: AppResult, findings: list[Finding]) -> None:
        word = DECISION_WORD[app.decision]
        self.lines += ["", f"{visible(app.name)}: {self.style(word)}"]
        facts = [f"team {visible(team_label(app.team))}", f"region {visible(region_label(app))}"]
        if app.space:
            facts.append(f"space {visible(app.space)}" + (" (shield)" if app.shield else ""))
        facts.append(f"class {visible(app.data_class)}")
        self.lines.append("  " + ", ".join(facts))
        for finding in findings:
            self.finding(finding)

    def finding(self, finding: Finding, *, name_app: bool = False) -> None:
        label = "WAIVED" if finding.waived else SEVERITY_WORD[finding.severity]
        title = visible(finding_title(finding))
        if name_app and finding.app:
            title = f"{visible(finding.app)}: {title}"
        if finding.waived:
            title += f" (waived {finding.severity})"
        padded = label.ljust(_LABEL_WIDTH)
        self.lines.append("  " + self.style(label, padded) + title)
        self.lines.append(_BODY + visible(finding.message))
        if finding.remediation:
            fix = indent_lines(visible(finding.remediation, keep_newlines=True), _BODY + "     ")
            self.lines.append(f"{_BODY}fix: {fix}")
        if finding.waived and finding.waiver:
            self.lines.append(f"{_BODY}waiver: {visible(finding.waiver)}")
        contact = contact_for(finding, self.options.policy_contact)
        if contact:
            self.lines.append(f"{_BODY}contact: {visible(contact)}")
        if self.options.verbose and finding.evidence:
            chain = " -> ".join(
                visible(f"{e.kind} {e.name}" + (f" ({e.detail})" if e.detail else ""))
                for e in finding.evidence
            )
            self.lines.append(f"{_BODY}evidence: {chain}")

    def changes(self, report: Report) -> None:
        changes = report.changes
        assert changes is not None
        since = f" ({human_time(changes.since)})" if changes.since else ""
        self.lines += [
            "",
            f"changes since {visible(changes.baseline)}{since}: "
            f"{len(changes.new)} new, {len(changes.resolved)} resolved",
        ]
        for head, findings in (("new", changes.new), ("resolved", changes.resolved)):
            for finding in findings:
                app = f"{visible(finding.app)}: " if finding.app else ""
                word = SEVERITY_WORD[finding.severity]
                self.lines.append(f"  {head:<9}{word:<6}{app}{visible(finding_title(finding))}")


def _actionable(finding: Finding) -> bool:
    return not finding.waived and finding.severity != "info"
