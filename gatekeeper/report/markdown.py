"""``--format markdown``: a pull-request comment, a GitHub job summary, or the audit in Markdown.

The decision first, then (for several apps) a summary table and the apps that need
attention, then each app's findings with the fix. Untrusted names and messages go through
:func:`~gatekeeper.report.escape.markdown_inline` (no link, emphasis, HTML or table cell can
be injected) or into code spans that their content cannot close.

``max_bytes`` keeps the text within a limit (GitHub drops a job summary over 1 MiB): whole
app sections are left out from the end, and a line says how many.
"""

from __future__ import annotations

from gatekeeper.report.escape import (
    markdown_code,
    markdown_code_block,
    markdown_inline,
)
from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.model import AppResult, Finding, Report
from gatekeeper.report.summary import (
    DECISION_WORD,
    SEVERITY_WORD,
    FindingCounts,
    headline,
    human_time,
    plural,
    region_label,
    sorted_apps,
    sorted_findings,
    team_label,
)

ICON: dict[str, str] = {
    "block": "⛔",
    "warn": "⚠️",
    "allow": "✅",
    "info": "ℹ️",
    "waived": "💤",
}


class MarkdownFormatter:
    """GitHub-flavoured Markdown."""

    name = "markdown"
    extension = ".md"

    def render(self, report: Report, options: RenderOptions) -> str:
        return render_markdown(report, options)


def render_markdown(report: Report, options: RenderOptions, *, max_bytes: int | None = None) -> str:
    """The Markdown report; with ``max_bytes``, app sections are dropped to fit."""
    head = _head(report, options)
    tail = _tail(report, options)
    sections = [_app_section(app, options) for app in sorted_apps(report.apps)
                if app.findings or app.decision != "allow"]
    if max_bytes is not None:
        budget = max_bytes - _size(head) - _size(tail) - 200  # room for the "not shown" line
        kept: list[str] = []
        for section in sections:
            if budget - _size(section) < 0:
                break
            budget -= _size(section) + 2
            kept.append(section)
        if len(kept) < len(sections):
            left = len(sections) - len(kept)
            kept.append(
                f"_{plural(left, 'more app')} not shown to stay within the size limit; "
                "see the full report (`--format html` or `--format json`)._"
            )
        sections = kept
    return "\n\n".join(part for part in [*head, *sections, *tail] if part) + "\n"


def _size(parts: list[str] | str) -> int:
    if isinstance(parts, str):
        return len(parts.encode("utf-8"))
    return sum(len(p.encode("utf-8")) + 2 for p in parts)


def _head(report: Report, options: RenderOptions) -> list[str]:
    parts = [f"### {markdown_inline(options.heading)}"]
    parts.append(f"{ICON[report.decision]} **{markdown_inline(headline(report))}**")
    meta = [human_time(report.generated_at)]
    if report.policy_path:
        meta.append(f"policy {markdown_code(report.policy_path)}")
    if report.policy_sha256:
        meta.append(f"sha256 {markdown_code(report.policy_sha256[:12])}")
    meta.append(f"heroku-gatekeeper {markdown_inline(options.tool_version)}")
    if options.policy_contact:
        meta.append(f"contact: {markdown_inline(options.policy_contact)}")
    parts.append(" · ".join(meta))
    if len(report.apps) > 1:
        parts.append(_summary_table(report))
        attention = [a for a in sorted_apps(report.apps) if a.decision != "allow"]
        if attention:
            parts.append(_apps_table(attention))
    return parts


def _summary_table(report: Report) -> str:
    s = report.summary
    rows = ["| Decision | Apps |", "| --- | ---: |"]
    for decision, count in (("block", s.block), ("warn", s.warn), ("allow", s.allow)):
        rows.append(f"| {ICON[decision]} {decision} | {count} |")
    return "\n".join(rows)


def _apps_table(apps: list[AppResult]) -> str:
    rows = [
        "| App | Team | Region | Space | Class | Decision | Findings |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for app in apps:
        counts = FindingCounts.of(app.findings)
        cells = [
            markdown_inline(app.name),
            markdown_inline(team_label(app.team)),
            markdown_inline(region_label(app)),
            markdown_inline(app.space or "–"),
            markdown_inline(app.data_class),
            f"{ICON[app.decision]} {app.decision}",
            markdown_inline(counts.phrase()),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _app_section(app: AppResult, options: RenderOptions) -> str:
    word = DECISION_WORD[app.decision]
    lines = [f"#### {ICON[app.decision]} {markdown_inline(app.name)}: {word}", ""]
    facts = [f"team {markdown_inline(team_label(app.team))}",
             f"region {markdown_inline(region_label(app))}"]
    if app.space:
        facts.append(f"space {markdown_inline(app.space)}" + (" (Shield)" if app.shield else ""))
    facts.append(f"class {markdown_inline(app.data_class)}")
    lines.append(" · ".join(facts))
    lines += _findings_block(list(app.findings), options, name_app=False)
    return "\n".join(lines)


def _findings_block(
    findings: list[Finding], options: RenderOptions, *, name_app: bool
) -> list[str]:
    ordered = sorted_findings(findings)
    actionable = [f for f in ordered if not f.waived and f.severity != "info"]
    quiet = [f for f in ordered if f.waived or f.severity == "info"]
    lines: list[str] = []
    if actionable:
        lines.append("")
        for f in actionable:
            lines += _finding(f, options, name_app=name_app)
    if quiet:
        counts = FindingCounts.of(quiet)
        label = ", ".join(
            ([plural(counts.info, "note")] if counts.info else [])
            + ([f"{counts.waived} waived"] if counts.waived else [])
        )
        lines += ["", f"<details><summary>{label}</summary>", ""]
        for f in quiet:
            lines += _finding(f, options, name_app=name_app)
        lines += ["", "</details>"]
    return lines


def _finding(finding: Finding, options: RenderOptions, *, name_app: bool) -> list[str]:
    icon = ICON["waived"] if finding.waived else ICON[finding.severity]
    word = "WAIVED" if finding.waived else SEVERITY_WORD[finding.severity]
    title = f"- {icon} **{word}** {markdown_code(finding.rule)}"
    if finding.subject:
        title += f" {markdown_inline(finding.subject)}"
    if name_app and finding.app:
        title += f" on {markdown_inline(finding.app)}"
    if finding.waived:
        title += f" (waived {finding.severity})"
    lines = [title + ": " + markdown_inline(finding.message)]
    if finding.remediation:
        if "\n" in finding.remediation:
            lines.append("  - Fix:")
            lines.append(markdown_code_block(finding.remediation, indent="    "))
        else:
            lines.append(f"  - Fix: {markdown_code(finding.remediation)}")
    if finding.waived and finding.waiver:
        lines.append(f"  - Waiver: {markdown_inline(finding.waiver)}")
    elif options.policy_contact and finding.severity != "info":
        lines.append(f"  - Contact: {markdown_inline(options.policy_contact)}")
    if options.verbose and finding.evidence:
        chain = " → ".join(
            markdown_inline(f"{e.kind} {e.name}" + (f" ({e.detail})" if e.detail else ""))
            for e in finding.evidence
        )
        lines.append(f"  - Evidence: {chain}")
    return lines


def _tail(report: Report, options: RenderOptions) -> list[str]:
    parts: list[str] = []
    if report.policy_findings:
        section = ["#### Policy"]
        section += _findings_block(list(report.policy_findings), options, name_app=True)
        parts.append("\n".join(section))
    if report.changes is not None:
        parts.append(_changes(report))
    if report.agreements:
        rows = ["#### Agreements", "", "| Agreement | Covers | Expires | State |",
                "| --- | --- | --- | --- |"]
        for a in sorted(report.agreements, key=lambda a: a.expires):
            covers = markdown_inline(", ".join(a.covers) or "–")
            rows.append(f"| {markdown_inline(a.id)} | {covers} | {a.expires.isoformat()} "
                        f"({_days(a.days_left)}) | {a.state} |")
        parts.append("\n".join(rows))
    if report.waivers:
        rows = ["#### Waivers", "", "| Rule | App | Reason | Approved by | Expires | State |",
                "| --- | --- | --- | --- | --- | --- |"]
        for w in sorted(report.waivers, key=lambda w: w.expires):
            state = w.state + ("" if w.used else ", unused")
            rows.append(
                f"| {markdown_inline(w.rule)} | {markdown_inline(w.app)} | "
                f"{markdown_inline(w.reason)} | {markdown_inline(w.approved_by)} | "
                f"{w.expires.isoformat()} | {state} |"
            )
        parts.append("\n".join(rows))
    return parts


def _changes(report: Report) -> str:
    changes = report.changes
    assert changes is not None
    since = f" ({human_time(changes.since)})" if changes.since else ""
    lines = [
        f"#### Changes since {markdown_inline(changes.baseline)}{since}",
        "",
        f"{len(changes.new)} new, {len(changes.resolved)} resolved.",
    ]
    for head, findings in (("New", changes.new), ("Resolved", changes.resolved)):
        if findings:
            lines += ["", f"{head}:", ""]
            for f in findings:
                app = f"{markdown_inline(f.app)}: " if f.app else ""
                subject = f" {markdown_inline(f.subject)}" if f.subject else ""
                lines.append(f"- {ICON[f.severity]} {app}{markdown_code(f.rule)}{subject}")
    return "\n".join(lines)


def _days(days_left: int) -> str:
    if days_left < 0:
        return f"expired {plural(-days_left, 'day')} ago"
    return f"in {plural(days_left, 'day')}"
