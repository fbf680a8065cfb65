from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from report_samples import (
    CASES,
    HOSTILE_NAME,
    HOSTILE_TEAM,
    OPTIONS,
    allow_report,
    audit_report,
    hostile_report,
)

from gatekeeper.report.escape import json_for_script
from gatekeeper.report.registry import render
from gatekeeper.report.v1 import report_document
from gatekeeper.results import Report

# Every element the report is built from; anything else would have come from input.
KNOWN_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "h3",
    "p",
    "dl",
    "dt",
    "dd",
    "code",
    "nav",
    "ul",
    "li",
    "a",
    "main",
    "section",
    "strong",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "svg",
    "rect",
    "line",
    "text",
    "div",
    "label",
    "input",
    "select",
    "option",
    "span",
    "article",
    "ol",
    "pre",
    "footer",
    "script",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "srcset",
    "background",
    "cite",
}


class _Page(HTMLParser):
    """Collects what the tests look at: tags, attributes, text and script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self._attrs: dict[str, str | None] = {}
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in, self._attrs = tag, dict(attrs)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts.append((self._attrs, data))
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.text.append(data)


def _page(report: Report) -> tuple[str, _Page]:
    html_text = render(report, "html", OPTIONS)
    page = _Page()
    page.feed(html_text)
    page.close()
    return html_text, page


def _apps_table_rows(html_text: str) -> list[str]:
    if '<table id="apps-table"' not in html_text:
        assert "<p>No apps were checked.</p>" in html_text
        return []
    table = html_text.split('<table id="apps-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr data-decision=\"(?:block|warn|allow)\">.*?</tr>", table)


@pytest.mark.parametrize("case", sorted(CASES))
def test_parses_and_uses_only_known_elements(case: str) -> None:
    _, page = _page(CASES[case]())
    used = {tag for tag, _ in page.tags}
    assert used <= KNOWN_TAGS, used - KNOWN_TAGS
    assert page.tags[0][0] == "html"


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_app_is_in_the_table(case: str) -> None:
    report = CASES[case]()
    html_text, page = _page(report)
    rows = _apps_table_rows(html_text)
    assert len(rows) == len(report.apps)
    joined = "".join(page.text)
    for app in report.apps:
        assert app.name in joined


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_external_resource_reference(case: str) -> None:
    html_text, page = _page(CASES[case]())
    for _, attrs in page.tags:
        for name, value in attrs.items():
            if name in URL_ATTRIBUTES:
                assert value is not None and value.startswith("#"), (name, value)
            assert not (name.startswith("on")), name  # no inline event handlers
    for css in page.styles:
        assert "url(" not in css and "@import" not in css
    scripts = [attrs for attrs, _ in page.scripts]
    assert all("src" not in attrs for attrs in scripts)
    assert not re.search(r"<(link|img|iframe|object|embed|base)\b", html_text)


@pytest.mark.parametrize("case", sorted(CASES))
def test_csp_allows_exactly_the_inline_style_and_script(case: str) -> None:
    _, page = _page(CASES[case]())
    [csp] = [
        a["content"]
        for t, a in page.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp is not None
    [style] = page.styles
    [code] = [body for attrs, body in page.scripts if "type" not in attrs]

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"style-src 'sha256-{digest(style)}'" in csp
    assert f"script-src 'sha256-{digest(code)}'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp


def test_hostile_names_appear_only_escaped() -> None:
    html_text, page = _page(hostile_report())
    # Only our two scripts and the known elements exist.
    assert [t for t, _ in page.tags].count("script") == 2
    assert "<script>alert(1)" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&amp;" in html_text
    text = "".join(page.text)
    assert HOSTILE_NAME in text
    assert HOSTILE_TEAM in text
    # Control and bidi characters are shown, not obeyed.
    assert "\u202e" not in html_text and "\x1b" not in html_text
    assert "sp\\u202eace\\nfake" in text
    # Ids come from positions, never from names.
    ids = [a["id"] for _, a in page.tags if "id" in a]
    assert all(re.fullmatch(r"[a-z0-9-]+", i or "") for i in ids), ids


def test_embedded_json_is_safe_and_is_the_v1_document() -> None:
    report = hostile_report()
    _, page = _page(report)
    [(attrs, body)] = [(a, b) for a, b in page.scripts if a.get("type") == "application/json"]
    assert attrs["id"] == "gatekeeper-report"
    assert "<" not in body and ">" not in body and "&" not in body
    assert "\u2028" not in body and "\u2029" not in body
    assert json.loads(body) == report_document(report, tool_version="9.9.9")


def test_json_for_script() -> None:
    raw = json.dumps({"a": "</script><!-- & \u2028\u2029"}, ensure_ascii=False)
    safe = json_for_script(raw)
    assert safe == '{"a": "\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029"}'
    assert json.loads(safe) == json.loads(raw)


def test_overview_comes_first_with_counts_and_a_bar_per_team() -> None:
    html_text, page = _page(audit_report())
    order = [
        html_text.index(f'<section id="{s}">')
        for s in ("overview", "apps", "findings", "policy", "agreements", "waivers", "changes")
    ]
    assert order == sorted(order)
    assert html_text.index('class="decision block"') < order[0]
    counts = html_text.split('<ul class="counts">', 1)[1].split("</ul>", 1)[0]
    assert "<strong>2</strong>blocked" in counts
    assert "<strong>1</strong>warned" in counts
    assert "<strong>3</strong>allowed" in counts
    bars = [a for t, a in page.tags if t == "svg" and a.get("class") == "bar"]
    assert [b["aria-label"] for b in bars] == [
        "0 blocked, 0 warned, 2 allowed",  # econ-lab
        "1 blocked, 1 warned, 1 allowed",  # psych-lab
        "1 blocked, 0 warned, 0 allowed",  # (personal account)
    ]


def test_apps_table_has_region_country_space_class_and_decision() -> None:
    rows = _apps_table_rows(render(audit_report(), "html", OPTIONS))
    frankfurt = next(r for r in rows if "frankfurt-exp" in r)
    assert "frankfurt&nbsp;· Germany (DE)" in frankfurt
    assert '<span class="name">uni-frankfurt</span>' in frankfurt
    assert 'data-sort="2"><span class="badge allow">ALLOW</span>' in frankfurt
    survey = next(r for r in rows if ">survey<" in r)
    assert '<a href="#app-1"><span class="name">survey</span></a>' in survey
    assert '<td class="num" data-sort="000003">3</td>' in survey


def test_table_works_without_javascript() -> None:
    _, page = _page(audit_report())
    controls = next(a for t, a in page.tags if a.get("id") == "apps-controls")
    assert "hidden" in controls  # the script reveals the controls; without it, none show
    assert all(not a.get("hidden") for t, a in page.tags if t == "tr")


def test_blocked_apps_listed_with_findings_and_fixes() -> None:
    html_text, _ = _page(audit_report())
    findings = html_text.split('<section id="findings">', 1)[1].split("</section>", 1)[0]
    names = re.findall(r"<h3>([^<]+) <span", findings)
    assert names == ["jdoe-thesis", "survey", "otree-study"]
    assert (
        '<p class="fix"><strong>Fix:</strong> Remove it: '
        "<code>heroku addons:destroy papertrail -a survey</code></p>"
    ) in findings
    # The fix of jdoe-thesis names the contact already: no second contact line.
    jdoe = findings.split('id="app-4"', 1)[1].split("</article>", 1)[0]
    assert "Questions: DPO &lt;dpo@uni-example.edu&gt;." in jdoe
    assert "<strong>Contact:</strong>" not in jdoe
    assert "<strong>Contact:</strong> DPO &lt;dpo@uni-example.edu&gt;" in findings
    assert "Evidence: app survey → team psych-lab → enterprise-account uni-example" in findings
    assert '<span class="badge waived">WAIVED</span>' in findings


def test_agreements_and_waivers_with_expiry_timelines() -> None:
    html_text, _ = _page(audit_report())
    agreements = html_text.split('<section id="agreements">', 1)[1].split("</section>", 1)[0]
    assert agreements.count('<svg class="timeline"') == 1
    assert agreements.count('<rect class="expired"') == 1
    assert "report date 2026-11-25" in agreements
    assert "expired 208 days ago" in agreements
    waivers = html_text.split('<section id="waivers">', 1)[1].split("</section>", 1)[0]
    assert "Pilot with synthetic data" in waivers
    assert "expired 55 days ago" in waivers
    assert "67 days" in waivers


def test_changes_section_and_its_absence() -> None:
    html_text, _ = _page(audit_report())
    changes = html_text.split('<section id="changes">', 1)[1].split("</section>", 1)[0]
    assert "1 new, 1 resolved" in changes
    assert "bio-dashboard" in changes
    single, _ = _page(allow_report())
    assert "No earlier audit was compared" in single
    assert "The policy lists no agreements." in single
