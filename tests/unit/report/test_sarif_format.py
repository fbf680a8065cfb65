from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_samples import CASES, OPTIONS, audit_report, block_report, warn_report

from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.policy_lines import PolicyLine, PolicySource
from gatekeeper.report.registry import render
from gatekeeper.rules.catalog import RULES

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "sarif-schema-2.1.0.json").read_text("utf-8")
)


def _sarif(report: Any, options: RenderOptions = OPTIONS) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render(report, "sarif", options))
    return doc


@pytest.mark.parametrize("case", sorted(CASES))
def test_valid_against_the_sarif_2_1_0_schema(case: str) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(_sarif(CASES[case]()))


def test_schema_check_is_not_vacuous() -> None:
    doc = _sarif(block_report())
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(doc)


def test_driver_and_one_rule_entry_per_catalog_rule() -> None:
    driver = _sarif(block_report())["runs"][0]["tool"]["driver"]
    assert driver["name"] == "heroku-gatekeeper"
    assert driver["version"] == "9.9.9"
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    levels = {"block": "error", "warn": "warning", "info": "note"}
    for entry in driver["rules"]:
        info = RULES[entry["id"]]
        assert entry["shortDescription"]["text"] == info.title
        assert entry["fullDescription"]["text"]
        assert entry["help"]["text"] == info.help_text()
        assert entry["defaultConfiguration"]["level"] == levels[info.default_severity]
        assert entry["name"][0].isupper() and "-" not in entry["name"]


def test_results_meet_github_code_scanning_requirements() -> None:
    run = _sarif(audit_report())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(audit_report().all_findings())
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "policies/university.toml"
        assert physical["region"]["startLine"] == 1
        fingerprints = result["partialFingerprints"]
        assert fingerprints["gatekeeperFingerprint/v1"] in fingerprints["primaryLocationLineHash"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(hashes)) == len(hashes), "each finding needs its own alert"


def test_levels_messages_and_logical_location() -> None:
    [first, second, third] = _sarif(block_report())["runs"][0]["results"]
    assert (first["ruleId"], first["level"]) == ("addon-no-agreement", "error")
    assert third["level"] == "warning"
    assert first["message"]["text"] == (
        "survey: The third-party add-on papertrail has no active agreement.\n"
        "Fix: Remove it: `heroku addons:destroy papertrail -a survey`\n"
        "Contact: DPO <dpo@uni-example.edu>"
    )
    assert first["locations"][0]["logicalLocations"] == [
        {"name": "survey", "fullyQualifiedName": "psych-lab/survey", "kind": "resource"}
    ]
    assert first["partialFingerprints"] != second["partialFingerprints"]


def test_waived_findings_are_suppressed_not_dropped() -> None:
    results = _sarif(warn_report())["runs"][0]["results"]
    waived = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["heroku-connect"]
    [suppression] = waived[0]["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["status"] == "accepted"
    assert "approved by dpo@uni-example.edu" in suppression["justification"]
    assert all("suppressions" not in r for r in results if r is not waived[0])


def test_fingerprints_are_stable_across_runs() -> None:
    a = [r["partialFingerprints"] for r in _sarif(audit_report())["runs"][0]["results"]]
    b = [r["partialFingerprints"] for r in _sarif(audit_report())["runs"][0]["results"]]
    assert a == b


@pytest.mark.parametrize(
    ("policy_path", "artifact", "expected"),
    [
        ("gatekeeper.toml", None, "gatekeeper.toml"),
        ("./config/my policy.toml", None, "config/my%20policy.toml"),
        ("/etc/gatekeeper/policy.toml", None, "gatekeeper.toml"),
        ("../elsewhere/policy.toml", None, "gatekeeper.toml"),
        ("C:\\policies\\uni.toml", None, "gatekeeper.toml"),
        (None, None, "gatekeeper.toml"),
        ("/etc/gatekeeper/policy.toml", "app.json", "app.json"),
        ("gatekeeper.toml", "deploy\\Procfile", "deploy/Procfile"),
    ],
)
def test_artifact_location_is_relative_to_the_repository(
    policy_path: str | None, artifact: str | None, expected: str
) -> None:
    report = dataclasses.replace(block_report(), policy_path=policy_path)
    options = RenderOptions(artifact_uri=artifact)
    for result in _sarif(report, options)["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == expected


def test_a_rule_unknown_to_the_catalog_still_gets_a_descriptor() -> None:
    report = block_report()
    app = report.apps[0]
    odd = dataclasses.replace(app.findings[0], rule="brand-new-rule")
    report = dataclasses.replace(report, apps=(dataclasses.replace(app, findings=(odd,)),))
    doc = _sarif(report)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    run = doc["runs"][0]
    [result] = run["results"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "brand-new-rule"


def test_beyond_githubs_result_limit_the_most_severe_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gatekeeper.report import sarif

    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    doc = _sarif(audit_report())  # 9 findings: 3 block, 3 warn, 2 info, 1 waived
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    run = doc["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error", "error", "error"]
    assert run["properties"]["omittedResults"] == 6
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("6 less severe findings were left out")


def _located(report: Any) -> RenderOptions:
    """Options as a run in a repository makes them: the policy's place and each line."""
    findings = report.all_findings()
    lines = {f.fingerprint: PolicyLine(f"apps[{i}]", 10 + i) for i, f in enumerate(findings)}
    source = PolicySource(path="config/my policy.toml", root_uri="file:///repo/", lines=lines)
    return replace(OPTIONS, locate_policy=lambda: source, run_scope="check/survey")


def test_results_sit_on_the_deciding_line_below_the_repository_root() -> None:
    report = block_report()
    doc = _sarif(report, _located(report))
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    [run] = doc["runs"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///repo/"}}
    assert run["automationDetails"] == {"id": "gatekeeper/check/survey/"}
    for i, result in enumerate(run["results"]):
        [location] = result["locations"]
        assert location["physicalLocation"] == {
            "artifactLocation": {"uri": "config/my%20policy.toml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 10 + i},
        }
        assert location["message"]["text"] == f"Decided by apps[{i}] of the policy."
        # the alert's identity does not move with the line
        assert result["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")


def test_a_finding_without_a_deciding_line_sits_on_line_1() -> None:
    report = block_report()
    options = _located(report)
    located = options.placed_policy()
    assert located is not None
    source = replace(located, lines={})
    [first, *_] = _sarif(report, replace(options, locate_policy=lambda: source))["runs"][0][
        "results"
    ]
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert "message" not in first["locations"][0]


def test_another_artifact_is_pointed_at_as_a_whole() -> None:
    report = block_report()
    options = replace(_located(report), artifact_uri="app.json")
    for result in _sarif(report, options)["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "app.json", "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": 1}


def test_without_a_scope_or_source_no_category_and_no_base() -> None:
    run = _sarif(block_report())["runs"][0]
    assert "automationDetails" not in run and "originalUriBaseIds" not in run


def test_rules_are_security_alerts_with_the_severity_the_report_gives_them() -> None:
    report = block_report()  # addon-no-agreement blocks, agreement-expiring warns
    rules = {r["id"]: r for r in _sarif(report)["runs"][0]["tool"]["driver"]["rules"]}
    for entry in rules.values():
        assert "security" in entry["properties"]["tags"]
        assert 0.0 < float(entry["properties"]["security-severity"]) < 9.0
    assert rules["addon-no-agreement"]["properties"]["security-severity"] == "8.0"  # high
    assert rules["agreement-expiring"]["properties"]["security-severity"] == "5.0"  # medium
    assert rules["postgres-backups"]["properties"]["security-severity"] == "2.0"  # low
    # a policy that lowers a blocking rule to warn gets medium alerts for it
    app = report.apps[0]
    lowered = tuple(
        dataclasses.replace(f, severity="warn") if f.rule == "addon-no-agreement" else f
        for f in app.findings
    )
    report = dataclasses.replace(report, apps=(dataclasses.replace(app, findings=lowered),))
    rules = {r["id"]: r for r in _sarif(report)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["addon-no-agreement"]["properties"]["security-severity"] == "5.0"
