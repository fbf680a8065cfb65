"""The policy-wide sections of the HTML report, after the apps: the agreements and the waivers
with their expiry timelines, and what changed since the last audit; plus the badge and the
escaping every section uses. Safety as in :mod:`gatekeeper.report.html`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date, timedelta

from gatekeeper.codespan import split_code
from gatekeeper.report.escape import visible
from gatekeeper.report.summary import finding_title, human_time, plural
from gatekeeper.results import AgreementStatus, Report

# Heroku's app names have at most 30 characters; a word longer than that is a URL, an id or a
# hostile name, the only kind of word that may break at any character (issue 12, item 6).
LONG_WORD = 30
_SPACES = re.compile(r"(\s+)")


def e(text: str) -> str:
    """Untrusted text as HTML text or attribute value."""
    return html.escape(visible(text), quote=True)


def words(text: str) -> str:
    """Untrusted text as HTML that wraps between words: a word breaks inside only when it is
    longer than any name (a URL), so a narrow column never splits a name or a plain word."""
    return "".join(
        f'<span class="long">{html.escape(part)}</span>'
        if len(part) > LONG_WORD
        else html.escape(part)
        for part in _SPACES.split(visible(text))
    )


def name(text: str) -> str:
    """An app, team, space or agreement name in a table cell: kept on one line, hyphens
    included, unless it is too long to be a Heroku name."""
    if len(visible(text)) > LONG_WORD:
        return words(text)
    return f'<span class="name">{e(text)}</span>'


def prose(text: str) -> str:
    """Untrusted prose as HTML, with its code spans (``gatekeeper.codespan``) as ``<code>``."""
    return "".join(
        f"<code>{words(part)}</code>" if code else words(part) for code, part in split_code(text)
    )


def badge(kind: str, text: str | None = None) -> str:
    return f'<span class="badge {kind}">{text or kind.upper()}</span>'


def agreements_section(agreements: tuple[AgreementStatus, ...], today: date) -> str:
    head = '<section id="agreements">\n<h2>Agreements</h2>\n'
    if not agreements:
        return head + "<p>The policy lists no agreements.</p>\n</section>"
    ordered = sorted(agreements, key=lambda a: (a.expires, a.id))
    rows = []
    for a in ordered:
        rows.append(
            f"<tr><td>{name(a.id)}</td>"
            f"<td>{'Heroku (Salesforce)' if a.kind == 'heroku' else 'add-on'}</td>"
            f"<td>{words(', '.join(a.covers)) or '–'}</td>"
            f"<td>{words(', '.join(a.countries)) or '–'}</td><td>{words(a.mechanism or '–')}</td>"
            f'<td class="date">{a.signed.isoformat() if a.signed else "–"}</td>'
            f'<td class="date">{a.expires.isoformat()}</td><td>{_days_left(a.days_left)}</td>'
            f"<td>{badge(a.state, a.state)}</td></tr>"
        )
    table = (
        "<table><thead><tr><th>Agreement</th><th>With</th><th>Covers</th><th>Countries</th>"
        "<th>Mechanism</th><th>Signed</th><th>Expires</th><th>Time left</th><th>State</th>"
        "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )
    bars = [(a.id, a.signed, a.expires, a.state) for a in ordered]
    return (
        head + "<h3>Expiry timeline</h3>\n" + timeline(bars, today) + "\n" + table + "\n</section>"
    )


def timeline(bars: Sequence[tuple[str, date | None, date, str]], today: date) -> str:
    """An SVG timeline: one bar per item from its start (or the left edge) to its expiry."""
    ends = [end for _, _, end, _ in bars] + [today]
    starts = [s for _, s, _, _ in bars if s] + ends
    first, last = min(starts) - timedelta(days=30), max(ends) + timedelta(days=30)
    span = max((last - first).days, 1)
    # Labels left of the axis, expiry dates right of each bar: keep room on both sides.
    left, right, row_height, top = 190, 910, 26, 28
    height = top + row_height * len(bars) + 30

    def x(day: date) -> float:
        return left + (right - left) * (day - first).days / span

    parts = [
        f'<svg class="timeline" viewBox="0 0 1000 {height}" role="img" '
        f'aria-label="Expiry timeline, report date {today.isoformat()}">'
    ]
    for year in range(first.year + 1, last.year + 1):
        tick = x(date(year, 1, 1))
        parts.append(
            f'<line class="axis" x1="{tick:.1f}" y1="{top - 8}" x2="{tick:.1f}" '
            f'y2="{height - 24}"></line>'
            f'<text x="{tick:.1f}" y="{height - 8}" text-anchor="middle">{year}</text>'
        )
    for row, (label, start, end, state) in enumerate(bars):
        y = top + row * row_height
        x0 = x(start) if start else left
        x1 = max(x(end), x0 + 2)
        shown = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{e(shown)}</text>'
            f'<rect class="{state}" x="{x0:.1f}" y="{y + 3}" width="{x1 - x0:.1f}" '
            f'height="14" rx="3"><title>{e(label)}: {state}, expires {end.isoformat()}'
            f"</title></rect>"
            f'<text x="{x1 + 4:.1f}" y="{y + 14}">{end.isoformat()}</text>'
        )
    now = x(today)
    parts.append(
        f'<line class="today" x1="{now:.1f}" y1="{top - 14}" x2="{now:.1f}" '
        f'y2="{height - 24}"></line>'
        f'<text class="today-label" x="{now:.1f}" y="{top - 16}" text-anchor="middle">'
        f"report date {today.isoformat()}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _days_left(days: int) -> str:
    if days < 0:
        return f"expired {plural(-days, 'day')} ago"
    if days == 0:
        return "expires today"
    return plural(days, "day")


def waivers_section(report: Report, today: date) -> str:
    head = '<section id="waivers">\n<h2>Waivers</h2>\n'
    if not report.waivers:
        return head + "<p>The policy grants no waivers.</p>\n</section>"
    ordered = sorted(report.waivers, key=lambda w: (w.expires, w.rule, w.app))
    rows = []
    for w in ordered:
        rows.append(
            f"<tr><td><code>{words(w.rule)}</code></td><td>{name(w.app)}</td>"
            f"<td>{words(w.subject or '–')}</td><td>{words(w.reason)}</td>"
            f"<td>{words(w.approved_by)}</td>"
            f'<td class="date">{w.expires.isoformat()}</td>'
            f"<td>{_days_left((w.expires - today).days)}</td>"
            f"<td>{badge(w.state, w.state)}</td><td>{'yes' if w.used else 'no'}</td></tr>"
        )
    bars = [(f"{w.rule} · {w.app}", None, w.expires, w.state) for w in ordered]
    return (
        head + "<h3>Expiry timeline</h3>\n" + timeline(bars, today) + "\n"
        "<table><thead><tr><th>Rule</th><th>App</th><th>Subject</th><th>Reason</th>"
        "<th>Approved by</th><th>Expires</th><th>Time left</th><th>State</th>"
        "<th>Used in this report</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n</section>"
    )


def changes_section(report: Report) -> str:
    head = '<section id="changes">\n<h2>Changes since the last audit</h2>\n'
    changes = report.changes
    if changes is None:
        return (
            head + "<p>No earlier audit was compared. Run the audit with "
            "<code>--since-last</code> or <code>--baseline FILE</code> to see new and "
            "resolved findings.</p>\n</section>"
        )
    since = f" ({human_time(changes.since)})" if changes.since else ""
    parts = [
        head,
        f"<p>Compared with {e(changes.baseline)}{since}: "
        f"{len(changes.new)} new, {len(changes.resolved)} resolved.</p>\n",
    ]
    for title, findings in (("New findings", changes.new), ("Resolved findings", changes.resolved)):
        parts.append(f"<h3>{title}</h3>\n")
        if not findings:
            parts.append("<p>None.</p>\n")
            continue
        rows = [
            f"<tr><td>{name(f.app or '(policy)')}</td><td>{badge(f.severity)}</td>"
            f"<td><code>{words(finding_title(f))}</code></td><td>{words(f.message)}</td></tr>"
            for f in findings
        ]
        parts.append(
            "<table><thead><tr><th>App</th><th>Severity</th><th>Finding</th>"
            "<th>Message</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        )
    parts.append("</section>")
    return "".join(parts)
