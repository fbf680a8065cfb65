"""``--format markdown``: a pull-request comment, a GitHub job summary, or the audit in Markdown.

The decision first, then (for several apps) a summary table and the apps that need
attention, then each app's findings with the fix. Untrusted names and messages go through
:func:`~gatekeeper.report.escape.markdown_inline` (no link, emphasis, HTML or table cell can
be injected) or into code spans that their content cannot close.

``max_bytes`` keeps the text within a limit (GitHub drops a job summary over 1 MiB): whole
app sections are left out from the end, and a line says how many.
"""

from __future__ import annotations

import io
from typing import TextIO

from gatekeeper.report.escape import (
    markdown_code,
    markdown_code_block,
    markdown_inline,
    markdown_prose,
)
from gatekeeper.report.interface import RenderOptions, StreamFormatter
from gatekeeper.report.summary import (
    DECISION_WORD,
    SEVERITY_WORD,
    FindingCounts,
    contact_for,
    headline,
    human_time,
    plural,
    region_label,
    sorted_apps,
    sorted_findings,
    team_label,
)
from gatekeeper.results import AppResult, Finding, Report

ICON: dict[str, str] = {
    "block": "⛔",
    "warn": "⚠️",
    "allow": "✅",
    "info": "ℹ️",
    "waived": "💤",
}


class MarkdownFormatter(StreamFormatter):
    """GitHub-flavoured Markdown."""

    name = "markdown"
    extension = ".md"

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        write_markdown(report, options, out)


def render_markdown(report: Report, options: RenderOptions, *, max_bytes: int | None = None) -> str:
    """The Markdown report as a string; with ``max_bytes``, parts are left out (and named) to
    fit."""
    buffer = io.StringIO()
    write_markdown(report, options, buffer, max_bytes=max_bytes)
    return buffer.getvalue()


def write_markdown(
    report: Report, options: RenderOptions, out: TextIO, *, max_bytes: int | None = None
) -> None:
    """The Markdown report to ``out``, block by block (see :func:`render_markdown`)."""
    essentials = _essentials(report, options)
    several = len(report.apps) > 1
    summary = _summary_table(report) if several else ""
    attention = [a for a in sorted_apps(report.apps) if a.decision != "allow"] if several else []
    sections = [
        _app_section(app, options)
        for app in sorted_apps(report.apps)
        if app.findings or app.decision != "allow"
    ]
    tail = _tail(report, options)
    if max_bytes is None:
        table = _apps_table(attention) if attention else ""
        blocks = [*essentials, summary, table, *sections, *(text for _, text in tail)]
        _write_blocks(blocks, out)
        return

    # Fit by priority (the counts, then the policy-wide parts, then the apps table, then app
    # sections in order), but print in document order.
    budget = max_bytes - _joined_size(essentials) - 400  # room for the "not shown" note
    omitted: list[str] = []

    def fits(block: str) -> bool:
        nonlocal budget
        cost = _size(block) + 2
        if cost > budget:
            return False
        budget -= cost
        return True

    summary = summary if summary and fits(summary) else ""
    kept_tail = []
    for what, text in tail:
        if fits(text):
            kept_tail.append(text)
        else:
            omitted.append(what)
    table = ""
    if attention:
        shown = len(attention)
        while shown and not fits(table := _apps_table(attention[:shown])):
            shown = shown * 9 // 10 if shown > 10 else shown - 1
        if not shown:
            table = ""
        if shown < len(attention):
            omitted.append(f"{plural(len(attention) - shown, 'row')} of the apps table")
    kept_sections = [section for section in sections if fits(section)]
    if len(kept_sections) < len(sections):
        omitted.append(plural(len(sections) - len(kept_sections), "app section"))
    blocks = [*essentials, summary, table, *kept_sections, *kept_tail]
    if omitted:
        blocks.append(
            f"_Not shown, to stay within the size limit: {', '.join(omitted)}. "
            "See the full report (`--format html` or `--format json`)._"
        )
    _write_blocks(blocks, out)


def _write_blocks(blocks: list[str], out: TextIO) -> None:
    """``"\\n\\n".join(non-empty blocks) + "\\n"``, block by block."""
    first = True
    for block in blocks:
        if block:
            out.write(block if first else "\n\n" + block)
            first = False
    out.write("\n")


def _joined_size(blocks: list[str]) -> int:
    """The bytes :func:`_write_blocks` writes for ``blocks``."""
    return _size("\n\n".join(block for block in blocks if block)) + 1


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _essentials(report: Report, options: RenderOptions) -> list[str]:
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
    facts = [
        f"team {markdown_inline(team_label(app.team))}",
        f"region {markdown_inline(region_label(app))}",
    ]
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
    lines = [title + ": " + markdown_prose(finding.message)]
    if finding.remediation:
        if "\n" in finding.remediation:
            lines.append("  - Fix:")
            lines.append(markdown_code_block(finding.remediation, indent="    "))
        else:
            lines.append(f"  - Fix: {markdown_prose(finding.remediation)}")
    if finding.waived and finding.waiver:
        lines.append(f"  - Waiver: {markdown_inline(finding.waiver)}")
    elif contact := contact_for(finding, options.policy_contact):
        lines.append(f"  - Contact: {markdown_inline(contact)}")
    if options.verbose and finding.evidence:
        chain = " → ".join(
            markdown_inline(f"{e.kind} {e.name}" + (f" ({e.detail})" if e.detail else ""))
            for e in finding.evidence
        )
        lines.append(f"  - Evidence: {chain}")
    return lines


def _tail(report: Report, options: RenderOptions) -> list[tuple[str, str]]:
    """The policy-wide parts, each with the words that name it when it has to be left out."""
    parts: list[tuple[str, str]] = []
    if report.policy_findings:
        section = ["#### Policy"]
        section += _findings_block(list(report.policy_findings), options, name_app=True)
        parts.append(("the policy findings", "\n".join(section)))
    if report.changes is not None:
        parts.append(("the changes", _changes(report)))
    if report.agreements:
        rows = [
            "#### Agreements",
            "",
            "| Agreement | Covers | Expires | State |",
            "| --- | --- | --- | --- |",
        ]
        for a in sorted(report.agreements, key=lambda a: a.expires):
            covers = markdown_inline(", ".join(a.covers) or "–")
            rows.append(
                f"| {markdown_inline(a.id)} | {covers} | {a.expires.isoformat()} "
                f"({_days(a.days_left)}) | {a.state} |"
            )
        parts.append(("the agreements", "\n".join(rows)))
    if report.waivers:
        rows = [
            "#### Waivers",
            "",
            "| Rule | App | Reason | Approved by | Expires | State |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for w in sorted(report.waivers, key=lambda w: w.expires):
            state = w.state + ("" if w.used else ", unused")
            rows.append(
                f"| {markdown_inline(w.rule)} | {markdown_inline(w.app)} | "
                f"{markdown_inline(w.reason)} | {markdown_inline(w.approved_by)} | "
                f"{w.expires.isoformat()} | {state} |"
            )
        parts.append(("the waivers", "\n".join(rows)))
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
