"""The JUnit output against the schemas CI tools check it with, by a real XSD validator
(lxml), and read back by junitparser as a CI plugin would read it.

The schemas are copied unchanged into tests/fixtures/ (see its README): the Jenkins xUnit
plugin's ``junit-10.xsd`` and the strict Apache Ant ``JUnit.xsd``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import junitparser
import pytest
from lxml import etree
from report_samples import CASES, OPTIONS, audit_report, block_report, warn_report

from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.registry import render

FIXTURES = Path(__file__).parents[2] / "fixtures"
SCHEMAS = {
    "jenkins-xunit": FIXTURES / "jenkins-xunit-junit-10.xsd",
    "ant-strict": FIXTURES / "ant-junit-strict.xsd",
}


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS[name])))


def _document(text: str) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(text.encode("utf-8")))


@pytest.mark.parametrize("schema", sorted(SCHEMAS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_valid_against_the_schema(schema: str, case: str) -> None:
    validator = _schema(schema)
    document = _document(render(CASES[case](), "junit", OPTIONS))
    assert validator.validate(document), validator.error_log.filter_from_errors()


@pytest.mark.parametrize("schema", sorted(SCHEMAS))
def test_strict_and_fail_on_warn_stay_valid(schema: str) -> None:
    validator = _schema(schema)
    strict = render(warn_report(), "junit", RenderOptions(strict=True))
    fail_on_warn = render(dataclasses.replace(warn_report(), fail_on="warn"), "junit", OPTIONS)
    for text in (strict, fail_on_warn):
        assert validator.validate(_document(text)), validator.error_log.filter_from_errors()


@pytest.mark.parametrize(
    ("schema", "damage"),
    [
        # what the output used to have: totals on <testsuites>, no hostname/id/package
        ("jenkins-xunit", lambda root: root.set("skipped", "1")),
        ("ant-strict", lambda root: root[0].attrib.pop("hostname")),
        ("ant-strict", lambda root: root[0].attrib.pop("package")),
        ("ant-strict", lambda root: root[0].attrib.pop("id")),
        ("ant-strict", lambda root: root.set("tests", "20")),
    ],
)
def test_the_schema_check_is_not_vacuous(schema: str, damage: object) -> None:
    root = etree.fromstring(render(block_report(), "junit", OPTIONS).encode("utf-8"))
    assert callable(damage)
    damage(root)
    assert not _schema(schema).validate(etree.ElementTree(root))


def test_junitparser_reads_what_a_ci_plugin_would_show(tmp_path: Path) -> None:
    report = audit_report()
    path = tmp_path / "gatekeeper.xml"
    path.write_text(render(report, "junit", OPTIONS), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == [a.name for a in report.apps] + ["(policy)"]
    for suite, app in zip(suites, report.apps, strict=False):
        failed = {
            case.name
            for case in suite
            if any(isinstance(r, junitparser.Failure) for r in case.result)
        }
        blocking = {f.rule for f in app.findings if f.severity == "block" and not f.waived}
        assert failed == blocking
        assert suite.failures == len(failed)
        assert suite.tests == len(list(suite))
    skipped = [
        case.name
        for case in suites[-1]
        if any(isinstance(r, junitparser.Skipped) for r in case.result)
    ]
    assert skipped == ["waiver-expired"]
