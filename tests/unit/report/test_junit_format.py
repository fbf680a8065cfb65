from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from report_samples import (
    CASES,
    HOSTILE_NAME,
    OPTIONS,
    audit_report,
    block_report,
    hostile_report,
    warn_report,
)

from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.registry import render
from gatekeeper.results import Report
from gatekeeper.rules.catalog import RULES


def _xml(report: Report, options: RenderOptions = OPTIONS) -> ET.Element:
    return ET.fromstring(render(report, "junit", options).encode("utf-8"))


def _case(root: ET.Element, app: str, rule: str) -> ET.Element:
    for case in root.iter("testcase"):
        if case.get("classname") == app and case.get("name") == rule:
            return case
    raise AssertionError(f"no test case {app}/{rule}")


@pytest.mark.parametrize("case", sorted(CASES))
def test_parses_and_has_one_case_per_app_and_rule(case: str) -> None:
    report = CASES[case]()
    root = _xml(report)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    policy_suites = 1 if report.policy_findings else 0
    assert len(suites) == len(report.apps) + policy_suites
    for app, suite in zip(report.apps, suites, strict=False):
        assert suite.get("name") == app.name
        names = [c.get("name") for c in suite.findall("testcase")]
        assert names == list(RULES)
        assert {c.get("classname") for c in suite.findall("testcase")} == {app.name}
    assert root.attrib == {}, "the strict Ant schema allows no attribute on <testsuites>"
    assert [s.get("id") for s in suites] == [str(i) for i in range(len(suites))]
    for suite in suites:
        assert suite.get("tests") == str(len(suite.findall("testcase")))
        assert suite.get("package") == suite.get("name")
        assert suite.get("hostname") == "localhost"


def test_blocks_fail_warnings_are_skipped_and_the_rest_pass() -> None:
    root = _xml(block_report())
    failure = _case(root, "survey", "addon-no-agreement").find("failure")
    assert failure is not None
    assert failure.get("type") == "block"
    assert failure.get("message") == (
        "The third-party add-on papertrail has no active agreement. (and 1 more)"
    )
    assert failure.text is not None
    assert "Fix: Remove it: `heroku addons:destroy papertrail -a survey`" in failure.text
    assert "Fix: Remove it: `heroku addons:destroy sendgrid -a survey`" in failure.text
    assert "Contact: DPO <dpo@uni-example.edu>" in failure.text
    skipped = _case(root, "survey", "agreement-expiring").find("skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("warning: The agreement salesforce-dpa")
    passing = _case(root, "survey", "team-not-covered")
    assert list(passing) == []
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (
        str(len(RULES)),
        "1",
        "1",
    )


def test_info_and_waived_pass_and_the_suite_output_has_their_details() -> None:
    root = _xml(warn_report())
    for rule in ("postgres-backups", "heroku-connect"):
        assert list(_case(root, "otree-study", rule)) == []
    suite = root.find("testsuite")
    assert suite is not None
    out = suite.find("system-out")
    assert out is not None and out.text is not None
    assert out.text.startswith("[waived warn] heroku-connect")
    assert "\n\n[info] postgres-backups" in out.text
    assert [child.tag for child in suite][-2:] == ["system-out", "system-err"]


def test_a_warning_carries_its_details_in_the_skip() -> None:
    skipped = _case(_xml(warn_report()), "otree-study", "unclassified-app").find("skipped")
    assert skipped is not None and skipped.text is not None
    assert skipped.text.startswith("[warn] unclassified-app (otree-study)")
    assert "Fingerprint: " in skipped.text


@pytest.mark.parametrize("options", [RenderOptions(strict=True)])
def test_strict_makes_warnings_fail(options: RenderOptions) -> None:
    root = _xml(warn_report(), options)
    failure = _case(root, "otree-study", "unclassified-app").find("failure")
    assert failure is not None and failure.get("type") == "warn"


def test_fail_on_warn_in_the_policy_makes_warnings_fail() -> None:
    report = dataclasses.replace(warn_report(), fail_on="warn")
    assert _case(_xml(report), "otree-study", "unclassified-app").find("failure") is not None


def test_policy_findings_form_their_own_suite() -> None:
    root = _xml(audit_report())
    suite = root.findall("testsuite")[-1]
    assert suite.get("name") == "(policy)"
    assert [c.get("name") for c in suite.findall("testcase")] == ["waiver-unused", "waiver-expired"]
    assert _case(root, "(policy)", "waiver-expired").find("skipped") is not None


def test_hostile_names_round_trip_through_the_xml() -> None:
    text = render(hostile_report(), "junit", OPTIONS)
    assert "<script>" not in text
    root = ET.fromstring(text.encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == HOSTILE_NAME
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["team"] == "lab; rm -rf / $(id) `id` | =cmd"
    assert props["region"] == "eu\r\nBLOCK (IE)"  # attribute newlines survive as &#10;


def test_characters_xml_forbids_do_not_break_the_document() -> None:
    report = block_report()
    app = dataclasses.replace(report.apps[0], name="nul\x00bell\x07esc\x1b")
    report = dataclasses.replace(report, apps=(app,))
    root = _xml(report)
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "nul\\x00bell\\x07esc\\x1b"
