"""docs/report-formats.md: the HTML report of the demo estate parses, contains every app, and
escapes a hostile app name.

The report comes from the real commands over HTTP: ``gatekeeper demo`` (the report it
writes), and ``gatekeeper audit --all --output html=FILE`` against a simulator serving a copy
of the demo estate with one more app whose name, add-on and drain URL are hostile markup.
The HTML is read with ``html.parser``; the checks are structural (elements, attributes,
the embedded JSON data block), not string searches alone.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from demo_apps import DEMO_APPS as ALL_DEMO_APPS

from gatekeeper.cli import run
from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    SimAddOn,
    SimApp,
    SimEstate,
    SimLogDrain,
    Simulator,
    demo_estate,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
DEMO_APPS = set(ALL_DEMO_APPS)
HOSTILE_NAME = '<script>alert("pwned")</script>&amp;"\'><img src=x onerror=alert(1)>'
HOSTILE_ADDON = 'sentry-"><b onmouseover=alert(3)>x</b>'
HOSTILE_DRAIN = 'https://evil.example.com/"><svg onload=alert(2)>'


class ReportParser(HTMLParser):
    """Collects what matters: every element and attribute, the text of each cell of the apps
    table, the headings of the findings, and the embedded JSON report."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.table_rows: list[list[str]] = []
        self.headings: list[str] = []
        self.data_block = ""
        self._in_table = False
        self._in_tbody = False
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag not in ("meta", "input", "br", "img", "link", "option"):
            self.stack.append(tag)
        if tag == "table" and attributes.get("id") == "apps-table":
            self._in_table = True
        elif tag == "tbody" and self._in_table:
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.table_rows.append([])
        elif tag == "td" and self._in_tbody:
            self._cell = []
        elif tag == "h3":
            self._heading = []
        elif tag == "script" and attributes.get("id") == "gatekeeper-report":
            self._in_data = True

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        if tag == "td" and self._cell is not None:
            self.table_rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tbody":
            self._in_tbody = False
        elif tag == "table":
            self._in_table = False
        elif tag == "h3" and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None
        elif tag == "script":
            self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._in_data:
            self.data_block += data


def strings_in(value: object) -> set[str]:
    """Every string anywhere in a decoded JSON document, and every string a string holds."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


def parse(html: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(html)
    parser.close()
    return parser


def assert_well_formed(parser: ReportParser) -> None:
    assert parser.stack == []  # every element that was opened was closed
    tags = [tag for tag, _ in parser.elements]
    assert tags.count("script") == 2  # the JSON data block and the report's own script
    scripts = [attrs for tag, attrs in parser.elements if tag == "script"]
    assert not any("src" in attrs for attrs in scripts)  # self-contained
    handlers = [
        (tag, name) for tag, attrs in parser.elements for name in attrs if name.startswith("on")
    ]
    assert handlers == []
    links = [attrs.get("href") or "" for tag, attrs in parser.elements if tag == "a"]
    assert all(link.startswith("#") for link in links), links  # no external references


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))


def test_the_demo_report_parses_and_lists_every_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["demo", "--out-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    parser = parse(html)
    assert_well_formed(parser)
    assert {row[0] for row in parser.table_rows} == DEMO_APPS
    decisions = {row[0]: row[5] for row in parser.table_rows}
    assert decisions["experiment-us"] == "BLOCK" and decisions["econ-game"] == "ALLOW"
    blocked_or_warned = {name for name, d in decisions.items() if d != "ALLOW"}
    assert {h.split(" ")[0] for h in parser.headings} >= blocked_or_warned
    data = json.loads(parser.data_block)
    assert {a["name"] for a in data["apps"]} == DEMO_APPS
    assert data["schema"] == "gatekeeper.report/v1"


def hostile_estate() -> SimEstate:
    estate = demo_estate()
    estate.apps.append(
        SimApp(
            name=HOSTILE_NAME,
            region="us",
            team="psych-lab",
            addons=[SimAddOn(plan="sentry:f1", name=HOSTILE_ADDON)],
            log_drains=[SimLogDrain(url=HOSTILE_DRAIN)],
        )
    )
    return estate


@pytest.fixture
def hostile_sim(api_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    with Simulator(hostile_estate()) as sim:
        monkeypatch.setenv("HEROKU_HOST", sim.url)
        yield sim


def test_a_hostile_app_name_is_escaped(
    hostile_sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.html"
    assert run(["audit", "--all", "--no-history", "--output", f"html={report}"]) == 1
    capsys.readouterr()
    html = report.read_text(encoding="utf-8")
    parser = parse(html)
    assert_well_formed(parser)
    # No markup from the estate became markup in the report: no such elements, the only
    # SVGs are the report's own charts, and no attribute carries the payloads...
    tags = {tag for tag, _ in parser.elements}
    assert not tags & {"img", "b", "iframe", "object"}
    assert {attrs.get("class") for tag, attrs in parser.elements if tag == "svg"} <= {
        "bar",
        "timeline",
    }
    assert not [
        (tag, attrs)
        for tag, attrs in parser.elements
        if any("alert(" in (value or "") for value in attrs.values())
    ]
    for raw in ("<script>alert", "<img src=x", "<svg onload", "<b onmouseover"):
        assert raw not in html
    # ...and the hostile names still read as what they are, in the table and the findings.
    names = [row[0] for row in parser.table_rows]
    assert set(names) == DEMO_APPS | {HOSTILE_NAME}
    hostile_row = next(row for row in parser.table_rows if row[0] == HOSTILE_NAME)
    assert hostile_row[5] == "BLOCK"
    assert any(h.startswith(HOSTILE_NAME) for h in parser.headings)
    assert "sentry-&quot;&gt;&lt;b onmouseover=alert(3)&gt;" in html  # the add-on, escaped
    # The embedded JSON is data, not code: it cannot close its own script element.
    assert "</script" not in parser.data_block
    data = json.loads(parser.data_block)
    hostile = next(a for a in data["apps"] if a["name"] == HOSTILE_NAME)
    assert {f["subject"] for f in hostile["findings"]} >= {
        HOSTILE_ADDON,
        'https://evil.example.com/"><svg onload=alert(2)>',
    }


@pytest.mark.parametrize("fmt", ["markdown", "csv", "junit", "sarif", "json", "text"])
def test_other_formats_carry_the_hostile_name_safely(
    fmt: str, hostile_sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every format still parses (or reads) with the hostile name in it."""
    out = tmp_path / f"report.{fmt}"
    assert run(["audit", "--all", "--no-history", "--output", f"{fmt}={out}"]) == 1
    capsys.readouterr()
    text = out.read_text(encoding="utf-8")
    if fmt in ("json", "sarif"):
        assert HOSTILE_NAME in strings_in(json.loads(text))
    elif fmt == "junit":
        import xml.etree.ElementTree as ET

        root = ET.fromstring(text)
        assert any(
            HOSTILE_NAME in (case.get("classname") or "") + (case.get("name") or "")
            for case in root.iter("testcase")
        )
    elif fmt == "markdown":
        # Inside `code spans` markup is shown, not run; everywhere else it must be escaped.
        prose = re.sub(r"`[^`]*`", "", text)
        assert not re.search(r"(?<!\\)<(script|img|svg|b )", prose)
        assert "\\<script\\>" in prose  # the name, escaped, in a finding's message
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert any(row and row[0] == HOSTILE_NAME for row in rows)
    else:
        assert HOSTILE_NAME in text
