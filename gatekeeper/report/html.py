"""``--format html``: one self-contained file a data protection officer can open, print or
attach to an ethics application.

Order of the page: the overall decision and counts (with a bar per team), the table of apps
(team, region and country, space, data class, decision; sortable and filterable by a small
inline script, complete and readable without it), each blocked or warned app with its
findings and fixes, findings about the policy itself, the agreements with a timeline of
their expiry, the waivers with theirs, and what changed since the last audit (those last
three in :mod:`gatekeeper.report.html_sections`). The page is written part by part, the apps
table row by row and the embedded JSON app by app, so that at 10,000 apps (a 62 MB page) it
never exists whole in memory.

Safety: every untrusted string (app, team, add-on names, messages, reasons) is passed through
:func:`~gatekeeper.report.escape.visible` and :func:`html.escape`; element ids are generated,
never taken from names; the machine-readable report is embedded as JSON in a
``<script type="application/json">`` with ``<``, ``>``, ``&`` and U+2028/2029 escaped. The
page references nothing outside itself, and a Content-Security-Policy with the hashes of its
own style and script means nothing else could run even if escaping ever failed.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from itertools import chain
from typing import TextIO

from gatekeeper.report.escape import json_for_script, visible
from gatekeeper.report.html_sections import (
    agreements_section,
    badge,
    changes_section,
    e,
    name,
    prose,
    waivers_section,
)
from gatekeeper.report.interface import TOOL_NAME, RenderOptions, StreamFormatter
from gatekeeper.report.json_format import compact_json_chunks
from gatekeeper.report.summary import (
    DECISION_WORD,
    SEVERITY_WORD,
    FindingCounts,
    app_order,
    contact_for,
    headline,
    human_time,
    sorted_findings,
    team_label,
    utc,
)
from gatekeeper.results import AppResult, Decision, Finding, Report

# Countries of Heroku's regions (docs/design.md#3-heroku-facts-the-code-relies-on),
# for people who do not know ISO codes.
COUNTRY_NAMES = {
    "AU": "Australia",
    "CA": "Canada",
    "DE": "Germany",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "IN": "India",
    "JP": "Japan",
    "SG": "Singapore",
    "US": "United States",
}
_DECISION_SORT: dict[Decision, str] = {"block": "0", "warn": "1", "allow": "2"}


@cache
def asset(name: str) -> str:
    """A file of this package (the page's CSS and script; the register's page shares the CSS)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def csp_hash(source: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline style or script."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


class HtmlFormatter(StreamFormatter):
    """A single HTML file with inline CSS and JS and no external references."""

    name = "html"
    extension = ".html"

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        css = asset("html_report.css")
        js = asset("html_report.js")
        csp = (
            "default-src 'none'; "
            f"style-src {csp_hash(css)}; script-src {csp_hash(js)}; "
            "img-src data:; base-uri 'none'; form-action 'none'"
        )
        title = options.heading
        today = utc(report.generated_at).date()
        page = _Page(out)
        for part in (
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="{TOOL_NAME} {e(options.tool_version)}">',
            f"<title>{e(title)}: {DECISION_WORD[report.decision]}</title>",
            f"<style>{css}</style>",
            "</head>",
            "<body>",
            _header(report, options),
            _nav(report),
            "<main>",
            _overview(report),
        ):
            page.add([part])
        page.add(_apps_table(report))
        page.add(_app_details(report, options))
        for part in (
            _policy_findings(report, options),
            agreements_section(report.agreements, today),
            waivers_section(report, today),
            changes_section(report),
            "</main>",
            _footer(report, options),
        ):
            page.add([part])
        # ASCII-only JSON: no invisible or bidi character hides in the data block either;
        # made safe for <script> piece by piece.
        json_pieces = compact_json_chunks(report, tool_version=options.tool_version)
        page.add(
            chain(
                ['<script type="application/json" id="gatekeeper-report">'],
                map(json_for_script, json_pieces),
                ["</script>"],
            )
        )
        page.add([f"<script>{js}</script>"])
        page.add(["</body>"])
        page.add(["</html>"])
        page.end()


class _Page:
    """The page's parts, each given as pieces, written one after another and separated by a
    line break (an empty part adds nothing), as ``"\\n".join(parts) + "\\n"`` would."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._started = False

    def add(self, pieces: Iterable[str]) -> None:
        first = True
        for piece in pieces:
            if not piece:
                continue
            if first and self._started:
                self._out.write("\n")
            first = False
            self._started = True
            self._out.write(piece)

    def end(self) -> None:
        self._out.write("\n")


def _header(report: Report, options: RenderOptions) -> str:
    rows = [("Generated", human_time(report.generated_at))]
    if report.policy_path:
        rows.append(("Policy", f"<code>{e(report.policy_path)}</code>"))
    if report.policy_sha256:
        rows.append(("Policy SHA-256", f"<code>{e(report.policy_sha256)}</code>"))
    rows.append(("Fails on", e(report.fail_on)))
    if options.policy_contact:
        rows.append(("Contact", e(options.policy_contact)))
    rows.append(("Tool", f"{TOOL_NAME} {e(options.tool_version)}"))
    meta = "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        "<header>\n"
        f"<h1>{e(options.heading)}</h1>\n"
        f'<p class="decision {report.decision}" id="decision">{e(headline(report))}</p>\n'
        f'<dl class="meta">\n{meta}\n</dl>\n'
        "</header>"
    )


def _nav(report: Report) -> str:
    links = [("overview", "Overall state"), ("apps", "Apps")]
    if any(a.decision != "allow" for a in report.apps):
        links.append(("findings", "Findings and fixes"))
    if report.policy_findings:
        links.append(("policy", "Policy"))
    links += [("agreements", "Agreements"), ("waivers", "Waivers"), ("changes", "Changes")]
    items = "".join(f'<li><a href="#{anchor}">{label}</a></li>' for anchor, label in links)
    return f'<nav aria-label="Contents"><ul>{items}</ul></nav>'


def _overview(report: Report) -> str:
    s = report.summary
    counts = (
        '<ul class="counts">'
        f'<li class="block"><strong>{s.block}</strong>blocked</li>'
        f'<li class="warn"><strong>{s.warn}</strong>warned</li>'
        f'<li class="allow"><strong>{s.allow}</strong>allowed</li>'
        f"<li><strong>{len(report.apps)}</strong>{'app' if len(report.apps) == 1 else 'apps'}"
        " in total</li></ul>"
    )
    by_team: dict[str | None, dict[Decision, int]] = defaultdict(
        lambda: {"block": 0, "warn": 0, "allow": 0}
    )
    for app in report.apps:
        by_team[app.team][app.decision] += 1
    rows = []
    for team in sorted(by_team, key=lambda t: (t is None, t or "")):
        c = by_team[team]
        total = sum(c.values())
        rows.append(
            f'<tr><td>{name(team_label(team))}</td><td class="num">{total}</td>'
            f'<td class="num">{c["block"]}</td><td class="num">{c["warn"]}</td>'
            f'<td class="num">{c["allow"]}</td><td>{_bar(c, total)}</td></tr>'
        )
    teams = ""
    if rows:
        teams = (
            '<h3>By team</h3>\n<table class="teams"><thead><tr><th>Team</th>'
            '<th class="num">Apps</th><th class="num">Blocked</th><th class="num">Warned</th>'
            '<th class="num">Allowed</th><th>Share</th></tr></thead>\n<tbody>\n'
            + "\n".join(rows)
            + "\n</tbody></table>"
        )
    return f'<section id="overview">\n<h2>Overall state</h2>\n{counts}\n{teams}\n</section>'


def _bar(counts: dict[Decision, int], total: int) -> str:
    """A stacked bar of one team's decisions (SVG, so it prints and needs no inline style)."""
    label = f"{counts['block']} blocked, {counts['warn']} warned, {counts['allow']} allowed"
    rects, x = [], 0.0
    for decision in ("block", "warn", "allow"):
        width = 100.0 * counts[decision] / total if total else 0.0
        if width:
            rects.append(
                f'<rect class="{decision}" x="{x:.2f}" y="0" width="{width:.2f}" '
                'height="10"></rect>'
            )
        x += width
    return (
        f'<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f'aria-label="{label}"><title>{label}</title>{"".join(rects)}</svg>'
    )


def _region_cell(app: AppResult) -> str:
    if not app.region:
        return '<span class="muted">unknown</span>'
    text = e(app.region)
    if app.country:
        name = COUNTRY_NAMES.get(app.country.upper())
        country = f"{e(name)} ({e(app.country)})" if name else e(app.country)
        text += f"&nbsp;· {country}"  # the separator stays with the region when it wraps
    return text


def _apps_table(report: Report) -> Iterator[str]:
    if not report.apps:
        yield '<section id="apps">\n<h2>Apps</h2>\n<p>No apps were checked.</p>\n</section>'
        return
    options = "".join(f'<option value="{d}">{d}</option>' for d in ("block", "warn", "allow"))
    controls = (
        '<div class="controls" id="apps-controls" hidden>'
        '<label>Filter <input type="search" id="apps-filter" '
        'placeholder="app, team, region, class" autocomplete="off"></label>'
        '<label>Decision <select id="apps-decision"><option value="">all</option>'
        f"{options}</select></label>"
        '<span id="apps-count" class="muted" aria-live="polite"></span></div>'
    )
    yield (
        '<section id="apps">\n<h2>Apps</h2>\n'
        f"{controls}\n"
        '<table id="apps-table" class="apps"><thead><tr><th scope="col">App</th>'
        '<th scope="col">Team</th><th scope="col">Region and country</th>'
        '<th scope="col">Space</th><th scope="col">Data class</th>'
        '<th scope="col">Decision</th><th scope="col" class="num">Open findings</th></tr>'
        "</thead>\n"
        "<tbody>\n"
    )
    anchors = _anchors(report)
    for index, app in enumerate(report.apps):
        counts = FindingCounts.of(app.findings)
        anchor = anchors.get(index)
        shown = name(app.name)
        if anchor:
            shown = f'<a href="#{anchor}">{shown}</a>'
        space = name(app.space) + (" (Shield)" if app.shield else "") if app.space else "–"
        active = counts.block + counts.warn
        yield (
            ("\n" if index else "") + f'<tr data-decision="{app.decision}">'
            f"<td>{shown}</td>"
            f"<td>{name(team_label(app.team))}</td>"
            f"<td>{_region_cell(app)}</td>"
            f"<td>{space}</td>"
            f"<td>{e(app.data_class)}</td>"
            f'<td data-sort="{_DECISION_SORT[app.decision]}">{badge(app.decision)}</td>'
            f'<td class="num" data-sort="{active:06d}">{active}</td>'
            "</tr>"
        )
    yield "\n</tbody></table>\n</section>"


def _anchors(report: Report) -> dict[int, str]:
    """Ids of the detail sections, by app position: generated, never derived from names."""
    return {i: f"app-{i + 1}" for i, app in enumerate(report.apps) if app.decision != "allow"}


def _app_details(report: Report, options: RenderOptions) -> Iterator[str]:
    anchors = _anchors(report)
    if not anchors:
        return
    yield (
        '<section id="findings">\n<h2>Findings and fixes</h2>\n'
        "<p>Every blocked app first, then apps with warnings. Each finding names the rule, "
        "what was found, and the fix.</p>\n"
    )
    for position, index in enumerate(sorted(anchors, key=lambda i: app_order(report.apps[i]))):
        app, anchor = report.apps[index], anchors[index]
        facts = [f"team {e(team_label(app.team))}", f"region {_region_cell(app)}"]
        if app.space:
            facts.append(f"space {e(app.space)}" + (" (Shield)" if app.shield else ""))
        facts.append(f"data class {e(app.data_class)}")
        yield (
            ("\n" if position else "") + f'<article class="app {app.decision}" id="{anchor}">\n'
            f"<h3>{e(app.name)} {badge(app.decision)}</h3>\n"
            f'<p class="muted">{" · ".join(facts)}</p>\n'
            + _findings_list(app.findings, options)
            + "\n</article>"
        )
    yield "\n</section>"


def _findings_list(
    findings: tuple[Finding, ...], options: RenderOptions, *, name_app: bool = False
) -> str:
    items = []
    for f in sorted_findings(findings):
        kind = "waived" if f.waived else f.severity
        word = "WAIVED" if f.waived else SEVERITY_WORD[f.severity]
        head = f"{badge(kind, word)} <code>{e(f.rule)}</code>"
        if f.subject:
            head += f" {e(f.subject)}"
        if name_app and f.app:
            head += f" on {e(f.app)}"
        if f.waived:
            head += f" (waived {f.severity})"
        lines = [f'<p class="finding-head">{head}</p>', f"<p>{prose(f.message)}</p>"]
        if "\n" in f.remediation:
            fix = html.escape(visible(f.remediation, keep_newlines=True))
            lines.append(f"<p><strong>Fix:</strong></p><pre>{fix}</pre>")
        elif f.remediation:
            lines.append(f'<p class="fix"><strong>Fix:</strong> {prose(f.remediation)}</p>')
        if f.waived and f.waiver:
            lines.append(f"<p><strong>Waiver:</strong> {e(f.waiver)}</p>")
        elif contact := contact_for(f, options.policy_contact):
            lines.append(f"<p><strong>Contact:</strong> {e(contact)}</p>")
        if f.evidence:
            chain = " → ".join(
                e(f"{ev.kind} {ev.name}" + (f" ({ev.detail})" if ev.detail else ""))
                for ev in f.evidence
            )
            lines.append(f'<p class="evidence">Evidence: {chain}</p>')
        lines.append(f'<p class="fingerprint">Fingerprint <code>{e(f.fingerprint)}</code></p>')
        items.append(f'<li class="{kind}">' + "".join(lines) + "</li>")
    return '<ol class="findings">\n' + "\n".join(items) + "\n</ol>"


def _policy_findings(report: Report, options: RenderOptions) -> str:
    if not report.policy_findings:
        return ""
    return (
        '<section id="policy">\n<h2>Policy</h2>\n'
        "<p>Findings about the policy itself, not about one app.</p>\n"
        + _findings_list(report.policy_findings, options, name_app=True)
        + "\n</section>"
    )


def _footer(report: Report, options: RenderOptions) -> str:
    sha = f" · policy SHA-256 {e(report.policy_sha256)}" if report.policy_sha256 else ""
    return (
        f"<footer>Written by {TOOL_NAME} {e(options.tool_version)} on "
        f"{human_time(report.generated_at)}{sha}. The machine-readable report "
        "(gatekeeper.report/v1) is embedded in this file as JSON.</footer>"
    )
