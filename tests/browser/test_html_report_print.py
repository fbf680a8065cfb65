"""The HTML report printed as a DPO prints it: headless Chromium renders it to an A4 PDF
(``page.pdf()``, with the report's own script run or not), and the PDF's text is read back with
poppler's ``pdftotext``, page by page (issue 12, item 6):

- the apps table's header row, with every column name, heads each page the table runs over;
- no app, team, space or region name, and no data class, is split across lines inside a word
  ("experime" / "nt-us"); a break after one of a name's hyphens is allowed in running text;
- no section heading is the last line of a page, and no top-level heading sits on a page with
  only its lead paragraph after it.

Two reports: the demo's (``gatekeeper demo``) and an audit of a generated 150-app estate, long
enough for the apps table to run over several pages. On a narrow screen too, the names in the
tables stay on one line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from browser_harness import off_the_browser_loop
from external_programs import require_program
from playwright.sync_api import Browser

from gatekeeper.cli import run
from gatekeeper.simulator import generate_estate
from gatekeeper.snapshot import dump_snapshot

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
APPS_HEADER = re.compile(
    r"^App\s+Team\s+Region and country\s+Space\s+Data class\s+Decision\s+Open findings$"
)
# What may cling to a word in the text: punctuation around it and the region's separator.
PUNCTUATION = "()[],;:.·*\"'"


@pytest.fixture(scope="module")
def pdftotext() -> str:
    return require_program(
        os.environ.get("GATEKEEPER_PDFTOTEXT", "pdftotext"), "pdftotext (poppler-utils)"
    )


class Printed:
    """A report printed to PDF: its pages' lines as pdftotext lays them out, whitespace
    collapsed; and what the page says about itself: its apps, its headings and its text as the
    browser shows it, unbroken."""

    def __init__(
        self,
        pages: list[list[str]],
        report: dict[str, object],
        headings: dict[str, list[str]],
        shown: str,
    ) -> None:
        self.pages = pages
        self.report = report
        self.headings = headings
        self.shown = shown

    @property
    def apps(self) -> list[dict[str, str]]:
        apps = self.report["apps"]
        assert isinstance(apps, list)
        return apps


def print_report(browser: Browser, html: Path, pdftotext: str, *, javascript: bool) -> Printed:
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        data = page.locator("#gatekeeper-report").text_content() or ""
        headings = {level: page.locator(level).all_inner_texts() for level in ("h2", "h3")}
        shown = page.inner_text("body")
        pdf = html.with_suffix(".js.pdf" if javascript else ".plain.pdf")
        page.pdf(path=str(pdf), format="A4")
    finally:
        context.close()
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [
        [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        for page in text.split("\f")
    ]
    return Printed(
        [lines for lines in pages if lines],
        json.loads(data),
        {level: [" ".join(h.split()) for h in texts] for level, texts in headings.items()},
        shown,
    )


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert off_the_browser_loop(run, ["demo", "--out-dir", str(out)]) == 0
    return out / "report.html"


@pytest.fixture(scope="module")
def large_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("large")
    snapshot = out / "estate.json"
    snapshot.write_text(dump_snapshot(generate_estate(apps=150, teams=5).to_facts()))
    html = out / "report.html"
    argv = ["audit", "--all", "--snapshot", str(snapshot), "--no-history"]
    argv += ["--policy", str(POLICY), "--output", f"html={html}"]
    assert off_the_browser_loop(run, argv) == 1  # blocked apps: the report is still written
    return html


def _is_app_row(line: str, printed: Printed) -> bool:
    """A row of the apps table: an app's name, then its team (or the personal account)."""
    first, _, rest = line.partition(" ")
    return any(
        app["name"] == first and rest.startswith(app.get("team") or "(personal account)")
        for app in printed.apps
    )


def _header_heads_every_page_of_the_apps_table(printed: Printed) -> int:
    pages = [lines for lines in printed.pages if any(_is_app_row(li, printed) for li in lines)]
    for lines in pages:
        first_row = next(i for i, line in enumerate(lines) if _is_app_row(line, printed))
        assert first_row > 0, lines[:3]
        assert APPS_HEADER.match(lines[first_row - 1]), lines[: first_row + 1]
    return len(pages)


def _names(printed: Printed) -> set[str]:
    names: set[str] = set()
    for app in printed.apps:
        for key in ("name", "team", "space", "region", "data_class"):
            if value := app.get(key):
                names.add(value)
    return names


def _cuts(name: str) -> list[tuple[str, str]]:
    """The two pieces a break inside one of ``name``'s words would leave, one on each line (a
    break right after a hyphen is not inside a word)."""
    return [(name[:cut], name[cut:]) for cut in range(1, len(name)) if name[cut - 1] != "-"]


def _words(text: str) -> set[str]:
    return {word.strip(PUNCTUATION) for word in text.split()}


def _no_name_split_inside_a_word(printed: Printed) -> None:
    # A word of the PDF that the page itself does not have was made by a line break; two such
    # words that are the two pieces of a name ("experime", "nt-us") were made by a break
    # inside one of its words.
    broken = _words("\n".join("\n".join(lines) for lines in printed.pages))
    broken -= _words(printed.shown)
    split = {
        name: [f"{head} / {tail}" for head, tail in _cuts(name) if {head, tail} <= broken]
        for name in _names(printed)
    }
    assert {name: cuts for name, cuts in split.items() if cuts} == {}


def _no_heading_ends_a_page(printed: Printed) -> None:
    sections = set(printed.headings["h2"])
    headings = sections | set(printed.headings["h3"])
    for number, lines in enumerate(printed.pages[:-1], 1):
        assert lines[-1] not in headings, f"page {number} ends with the heading {lines[-1]!r}"
        assert lines[-2] not in sections, f"page {number} ends with {lines[-2:]!r}"


@pytest.mark.parametrize("javascript", [True, False], ids=["script-ran", "no-script"])
def test_a_long_apps_table_prints_its_header_on_every_page(
    browser: Browser, large_html: Path, pdftotext: str, javascript: bool
) -> None:
    printed = print_report(browser, large_html, pdftotext, javascript=javascript)
    assert len(printed.apps) == 150
    assert _header_heads_every_page_of_the_apps_table(printed) >= 3
    _no_name_split_inside_a_word(printed)
    _no_heading_ends_a_page(printed)


def test_the_demo_report_prints_names_whole_and_headings_with_their_content(
    browser: Browser, demo_html: Path, pdftotext: str
) -> None:
    printed = print_report(browser, demo_html, pdftotext, javascript=True)
    assert {"experiment-us", "bio-dashboard", "pseudonymous"} <= _names(printed)
    assert _header_heads_every_page_of_the_apps_table(printed) >= 1
    _no_name_split_inside_a_word(printed)
    _no_heading_ends_a_page(printed)
    assert len(printed.pages) > 5  # the findings run over pages: the heading rule was tested


def test_on_a_narrow_screen_names_stay_on_one_line(browser: Browser, demo_html: Path) -> None:
    page = browser.new_page(viewport={"width": 480, "height": 800})
    try:
        page.goto(demo_html.as_uri())
        page.wait_for_load_state("load")
        # An inline box that wraps has one client rectangle per line it covers.
        lines = page.eval_on_selector_all(
            "td .name", "spans => spans.map(s => [s.textContent, s.getClientRects().length])"
        )
    finally:
        page.close()
    assert {name for name, _ in lines} >= {"experiment-us", "bio-dashboard", "student-projects"}
    assert [name for name, count in lines if count != 1] == []
