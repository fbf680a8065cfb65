"""Every format renders the engine's report of the demo estate (docs/report-formats.md: the
HTML report of the demo estate parses, contains every app, and escapes a hostile app name)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from demo_apps import DEMO_APPS as ALL_DEMO_APPS
from lxml import etree
from report_samples import HOSTILE_NAME

from gatekeeper.engine import evaluate
from gatekeeper.policy import load_policy
from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.json_format import parse_json_report, report_schema
from gatekeeper.report.registry import format_names, render
from gatekeeper.results import Report
from gatekeeper.simulator.demo import demo_estate

ROOT = Path(__file__).parents[3]
SARIF_SCHEMA = json.loads(
    (ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text("utf-8")
)
FIXTURES = ROOT / "tests" / "fixtures"
DEMO_APPS = set(ALL_DEMO_APPS)


@pytest.fixture(scope="module")
def demo_report() -> Report:
    estate = demo_estate().to_facts()
    survey = next(a for a in estate.apps if a.name == "survey")
    hostile = dataclasses.replace(
        survey, name=HOSTILE_NAME, id="00000000-0000-4000-8000-00000000beef"
    )
    estate = dataclasses.replace(estate, apps=(*estate.apps, hostile))
    policy = load_policy(ROOT / "gatekeeper" / "examples" / "university.toml")
    return evaluate(estate, policy, date(2026, 11, 25))


@pytest.fixture(scope="module")
def options() -> RenderOptions:
    policy = load_policy(ROOT / "gatekeeper" / "examples" / "university.toml")
    return RenderOptions(
        policy_contact=policy.institution.contact or None,
        title="University of Example: data protection check",
    )


def test_the_demo_estate_is_what_the_tests_expect(demo_report: Report) -> None:
    assert {a.name for a in demo_report.apps} == DEMO_APPS | {HOSTILE_NAME}
    assert demo_report.decision == "block"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.cells: list[str] = []
        self._td = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._td = tag == "td"

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._td:
            self.cells.append(data)


def test_html_parses_contains_every_app_and_escapes_the_hostile_name(
    demo_report: Report, options: RenderOptions
) -> None:
    html_text = render(demo_report, "html", options)
    page = _Collect()
    page.feed(html_text)
    page.close()
    assert page.tags.count("script") == 2
    assert "<script>alert(1)" not in html_text
    text = "".join(page.text)
    for name in DEMO_APPS | {HOSTILE_NAME}:
        assert name in text
    table = html_text.split('<table id="apps-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-decision=") == len(demo_report.apps)


def test_json_validates_and_round_trips(demo_report: Report, options: RenderOptions) -> None:
    text = render(demo_report, "json", options)
    jsonschema.Draft202012Validator(report_schema()).validate(json.loads(text))
    assert parse_json_report(text) == demo_report


def test_sarif_validates(demo_report: Report, options: RenderOptions) -> None:
    doc = json.loads(render(demo_report, "sarif", options))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    assert len(doc["runs"][0]["results"]) == len(demo_report.all_findings())


def test_junit_and_csv_parse(demo_report: Report, options: RenderOptions) -> None:
    text = render(demo_report, "junit", options)
    root = ET.fromstring(text.encode("utf-8"))
    for xsd in ("jenkins-xunit-junit-10.xsd", "ant-junit-strict.xsd"):
        schema = etree.XMLSchema(etree.parse(str(FIXTURES / xsd)))
        assert schema.validate(etree.fromstring(text.encode("utf-8")).getroottree()), xsd
    assert {s.get("name") for s in root.iter("testsuite")} >= DEMO_APPS | {HOSTILE_NAME}
    rows = list(csv.DictReader(io.StringIO(render(demo_report, "csv", options), newline="")))
    assert len(rows) == len(demo_report.all_findings())


@pytest.mark.parametrize("fmt", format_names())
def test_every_format_starts_or_carries_the_decision(
    demo_report: Report, options: RenderOptions, fmt: str
) -> None:
    s = demo_report.summary
    # fir-survey (telemetry drains), clinical-trial (its space's drain) and otree-study (an
    # attached sentry) block since Fir, Private Space Logging and attachments are read
    assert (s.block, s.warn, s.allow) == (7, 2, 3)
    text = render(demo_report, fmt, options)
    line = "BLOCK: 7 of 12 apps blocked, 2 warned, 3 allowed"
    if fmt in ("text", "github"):
        assert text.startswith(line + "\n")
    elif fmt in ("markdown", "html"):
        assert line in text
