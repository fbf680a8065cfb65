from __future__ import annotations

import csv
import io

import pytest
from report_samples import CASES, HOSTILE_NAME, OPTIONS, audit_report, hostile_report

from gatekeeper.report.csv_format import COLUMNS
from gatekeeper.report.escape import csv_cell
from gatekeeper.report.registry import render
from gatekeeper.results import Report

BLOCK_CSV = (
    "app,team,region,data_class,decision,rule,severity,subject,message,remediation,waived,"
    "fingerprint\r\n"
    "survey,psych-lab,eu,personal,block,addon-no-agreement,block,papertrail,The third-party "
    "add-on papertrail has no active agreement.,Remove it: `heroku addons:destroy papertrail "
    "-a survey`,false,eb5af31c070e053e0604\r\n"
)


def _rows(report: Report) -> list[dict[str, str]]:
    text = render(report, "csv", OPTIONS)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_first_row_exact() -> None:
    text = render(CASES["block"](), "csv", OPTIONS)
    assert text.startswith(BLOCK_CSV)


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_row_per_finding_with_the_documented_columns(case: str) -> None:
    report = CASES[case]()
    text = render(report, "csv", OPTIONS)
    reader = csv.reader(io.StringIO(text, newline=""))
    assert tuple(next(reader)) == COLUMNS
    rows = list(reader)
    assert len(rows) == len(report.all_findings())
    assert all(len(row) == len(COLUMNS) for row in rows)


def test_policy_findings_have_no_app_and_waived_is_a_boolean_word() -> None:
    rows = _rows(audit_report())
    policy = [r for r in rows if r["rule"].startswith("waiver-")]
    assert [(r["app"], r["decision"]) for r in policy] == [("", ""), ("", "")]
    assert {r["waived"] for r in rows} == {"true", "false"}
    waived = next(r for r in rows if r["waived"] == "true")
    assert (waived["app"], waived["rule"]) == ("otree-study", "heroku-connect")


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        ("survey", "survey"),
    ],
)
def test_csv_cell(cell: str, safe: str) -> None:
    assert csv_cell(cell) == safe


def test_hostile_cells_are_neutralised_and_round_trip() -> None:
    rows = _rows(hostile_report())
    first = rows[0]
    assert first["app"] == HOSTILE_NAME
    assert first["team"] == "lab; rm -rf / $(id) `id` | =cmd"
    assert first["subject"] == "'-evil,sub:ject %25 <b>"
    assert first["remediation"].startswith("'=HYPERLINK(")
    assert "\n" in first["remediation"]  # line breaks survive inside the quoted cell
    assert first["region"] == "eu\r\nBLOCK"
    second = rows[1]
    assert second["subject"] == "'@drain"
    assert second["remediation"] == "'+cmd ``` fence `<img src=x onerror=alert(1)>`"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert rows[2]["app"] == "übung-日本-🧪"
