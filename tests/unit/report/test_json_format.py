from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_samples import CASES, OPTIONS, audit_report, block_report

from gatekeeper.errors import EXIT_USAGE, InputFileError
from gatekeeper.report.json_format import parse_json_report, report_schema
from gatekeeper.report.registry import render
from gatekeeper.report.v1 import generated_schema, report_document, schema_text

# The core of the contract, docs/design.md#6-interfaces, exactly.
CORE_TOP = {"schema", "generated_at", "policy", "decision", "summary", "apps"}
CORE_POLICY = {"path", "sha256"}
CORE_APP = {"name", "id", "team", "region", "space", "data_class", "decision", "findings"}
CORE_FINDING = {"rule", "severity", "subject", "message", "remediation", "waived", "fingerprint"}
# The documented additions (docs/report-formats.md).
ADDED_TOP = {"tool", "policy_findings", "agreements", "waivers"}
ADDED_POLICY = {"fail_on"}
ADDED_APP = {"country", "shield"}
ADDED_FINDING = {"waiver", "evidence"}


def _doc(case: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render(CASES[case](), "json", OPTIONS))
    return doc


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_valid_against_the_shipped_schema(case: str) -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(_doc(case))


@pytest.mark.parametrize("case", sorted(CASES))
def test_keys_are_the_contract_plus_documented_additions(case: str) -> None:
    doc = _doc(case)
    extra = {"changes"} if CASES[case]().changes is not None else set()
    assert set(doc) == CORE_TOP | ADDED_TOP | extra
    assert doc["schema"] == "gatekeeper.report/v1"
    assert set(doc["policy"]) == CORE_POLICY | ADDED_POLICY
    assert set(doc["summary"]) == {"allow", "warn", "block"}
    for app in doc["apps"]:
        assert set(app) == CORE_APP | ADDED_APP
        for finding in app["findings"]:
            assert set(finding) == CORE_FINDING | ADDED_FINDING
    for finding in doc["policy_findings"]:
        assert set(finding) == CORE_FINDING | ADDED_FINDING | {"app", "app_id"}


def test_schema_rejects_a_document_missing_a_core_field() -> None:
    doc = _doc("block")
    del doc["apps"][0]["findings"][0]["fingerprint"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, report_schema(), cls=jsonschema.Draft202012Validator)


def test_values_of_the_block_report() -> None:
    doc = _doc("block")
    assert doc["generated_at"] == "2026-11-25T02:00:00Z"
    assert doc["decision"] == "block"
    assert doc["summary"] == {"allow": 0, "warn": 0, "block": 1}
    assert doc["policy"]["path"] == "gatekeeper.toml"
    assert doc["tool"] == {"name": "heroku-gatekeeper", "version": "9.9.9"}
    first = doc["apps"][0]["findings"][0]
    assert first["rule"] == "addon-no-agreement"
    assert first["subject"] == "papertrail"
    assert first["waived"] is False
    assert first["evidence"][1] == {"kind": "team", "name": "psych-lab", "detail": ""}


def test_changes_only_present_when_compared() -> None:
    assert "changes" not in _doc("block")
    changes = _doc("audit")["changes"]
    assert changes["baseline"] == "audit #12 of 2026-11-24T02:00:00Z"
    assert changes["since"] == "2026-11-24T02:00:00Z"
    assert [f["app"] for f in changes["resolved"]] == ["bio-dashboard"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_parse_is_the_inverse_of_render(case: str) -> None:
    report = CASES[case]()
    assert parse_json_report(render(report, "json", OPTIONS)) == report


def test_parse_ignores_fields_a_newer_writer_adds_and_accepts_a_bom() -> None:
    doc = _doc("audit")
    doc["something_new"] = {"x": 1}
    doc["apps"][0]["stack"] = "heroku-24"
    doc["apps"][0]["findings"][0]["cwe"] = None
    text = "\ufeff" + json.dumps(doc)
    assert parse_json_report(text) == audit_report()


def _problems(text: str) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        parse_json_report(text, source="old.json")
    assert info.value.exit_code == EXIT_USAGE
    return info.value


def test_parse_reports_invalid_json_with_line() -> None:
    error = _problems('{\n  "schema": "gatekeeper.report/v1",\n  oops\n}')
    assert error.problems[0].file == "old.json"
    assert error.problems[0].line == 3
    assert "not valid JSON" in str(error)
    assert "gatekeeper audit --format json" in str(error)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected a JSON object"),
        (
            '{"schema": "gatekeeper.estate/v1"}',
            "expected 'gatekeeper.report/v1', found 'gatekeeper.estate/v1'",
        ),
        ("{}", "found None"),
    ],
)
def test_parse_rejects_other_documents(text: str, message: str) -> None:
    assert message in str(_problems(text))


def test_parse_lists_every_problem_with_its_key_path() -> None:
    doc = _doc("block")
    del doc["generated_at"]
    doc["decision"] = "maybe"
    doc["apps"][0]["findings"][1]["severity"] = "fatal"
    del doc["apps"][0]["id"]
    error = _problems(json.dumps(doc))
    keys = {p.key for p in error.problems}
    assert {"generated_at", "decision", "apps.0.findings.1.severity", "apps.0.id"} <= keys


def test_parse_names_the_line_of_each_problem() -> None:
    text = render(block_report(), "json", OPTIONS).replace('"severity": "warn"', '"severity": "x"')
    text = text.replace('"decision": "block",\n  "summary"', '"decision": "maybe",\n  "summary"')
    lines = text.splitlines()
    error = _problems(text)
    by_key = {p.key: p.line for p in error.problems}
    decision = by_key["decision"]
    assert decision is not None and lines[decision - 1] == '  "decision": "maybe",'
    severity = next(line for key, line in by_key.items() if key.endswith(".severity"))
    assert severity is not None and lines[severity - 1].strip() == '"severity": "x",'
    wrong = text.replace('"gatekeeper.report/v1"', '"gatekeeper.report/v0"')
    [problem] = _problems(wrong).problems
    assert problem.line == 2 and problem.key == "schema"


def test_parse_keeps_app_identity_on_findings() -> None:
    report = parse_json_report(render(block_report(), "json", OPTIONS))
    finding = report.apps[0].findings[0]
    assert (finding.app, finding.app_id) == ("survey", "00000000-0000-4000-8000-000000000001")


def test_the_shipped_schema_is_the_one_the_models_generate() -> None:
    # Regenerate with: python -m gatekeeper.report.v1 > gatekeeper/report/report-schema-v1.json
    shipped = resources.files("gatekeeper.report").joinpath("report-schema-v1.json")
    assert shipped.read_text(encoding="utf-8") == schema_text()
    assert report_schema() == generated_schema()


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_json_report_is_the_model_document_byte_for_byte(case: str) -> None:
    report = CASES[case]()
    document = report_document(report, tool_version=OPTIONS.tool_version)
    expected = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    golden = Path(__file__).parent / "golden" / f"{case}.json"
    assert golden.read_bytes() == expected.encode("utf-8")
    assert render(report, "json", OPTIONS) == expected


def test_the_schema_rejects_what_the_contract_rules_out() -> None:
    validator = jsonschema.Draft202012Validator(report_schema())
    for mutate in (
        lambda d: d["policy"].update(sha256="not-hex"),
        lambda d: d["apps"][0]["findings"][0].update(fingerprint="XYZ"),
        lambda d: d.update(generated_at="2026-11-25 02:00"),
        lambda d: d["summary"].update(block=-1),
        lambda d: d["apps"][0].update(stack="heroku-24"),
        lambda d: d.update(changes=None),
    ):
        doc = _doc("block")
        mutate(doc)
        assert not validator.is_valid(doc)
