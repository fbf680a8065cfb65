"""The engine: report fields, severities, decisions, order, fingerprints, purity."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from demo_facts import (
    TODAY,
    demo_facts,
    drain,
    make_app,
    make_estate,
    make_policy,
    result,
    rules_of,
    run,
)

from gatekeeper.engine import evaluate
from gatekeeper.facts import Estate
from gatekeeper.policy import load_policy
from gatekeeper.results import fingerprint

POLICY = """
    [institution]
    contact = "dpo@uni-example.edu"
    [defaults]
    expiry_warning_days = 60
    fail_on = "warn"
    [classes.personal]
    countries = ["EEA", "adequate"]
    requires_agreement = true
    [[agreements]]
    id = "salesforce-dpa"
    heroku = true
    enterprise_accounts = ["uni-example"]
    teams = ["student-projects"]
    mechanism = "scc"
    countries = ["EEA", "US"]
    signed = 2024-03-01
    expires = 2026-07-01
    [[agreements]]
    id = "papertrail-dpa"
    addon_services = ["papertrail"]
    teams = ["psych-lab"]
    mechanism = "dpf"
    countries = ["US"]
    expires = 2028-04-30
    [[agreements]]
    id = "old-dpa"
    addon_services = ["sendgrid"]
    countries = ["US"]
    expires = 2025-01-01
    [[agreements]]
    id = "next-dpa"
    heroku = true
    teams = ["bio-lab"]
    signed = 2026-09-01
    expires = 2030-01-01
    [logs]
    allowed_drain_hosts = ["*.uni-example.edu"]
    [[apps]]
    name = "*"
    data_class = "personal"
    [[waivers]]
    rule = "heroku-connect"
    app = "clinical-trial"
    reason = "EU org"
    approved_by = "DPO"
    expires = 2026-06-20
"""


def test_report_carries_policy_day_and_fail_on(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("version = 1\n" + POLICY.replace("\n    ", "\n"), encoding="utf-8")
    policy = load_policy(path)
    report = evaluate(demo_facts(), policy, TODAY)
    assert report.generated_at == datetime(2026, 6, 1, tzinfo=UTC)
    assert report.policy_path == str(path) and report.policy_sha256 == policy.sha256
    assert report.fail_on == "warn"
    stamp = datetime(2026, 6, 1, 2, 30, tzinfo=UTC)
    assert evaluate(demo_facts(), policy, TODAY, generated_at=stamp).generated_at == stamp


def test_agreement_statuses_for_the_dpo() -> None:
    report = run(demo_facts(), make_policy(POLICY))
    rows = [(a.id, a.kind, a.state, a.days_left, a.covers) for a in report.agreements]
    assert rows == [
        ("old-dpa", "addon", "expired", -516, ("sendgrid",)),
        (
            "salesforce-dpa",
            "heroku",
            "expiring",
            30,
            ("uni-example (enterprise account)", "student-projects (team)"),
        ),
        ("papertrail-dpa", "addon", "active", 699, ("papertrail (for psych-lab)",)),
        ("next-dpa", "heroku", "not-yet-signed", 1310, ("bio-lab (team)",)),
    ]
    assert report.agreements[1].mechanism == "scc"
    assert report.agreements[1].countries == ("EEA", "US")
    assert report.agreements[1].signed == date(2024, 3, 1)


def test_waiver_statuses_for_the_dpo() -> None:
    report = run(demo_facts(), make_policy(POLICY))
    assert [(w.rule, w.app, w.state, w.used) for w in report.waivers] == [
        ("heroku-connect", "clinical-trial", "expiring", True)
    ]


def test_decisions_and_summary_on_the_demo_estate() -> None:
    report = run(demo_facts(), make_policy(POLICY))
    decisions = {a.name: a.decision for a in report.apps}
    assert decisions == {
        "bio-dashboard": "block",  # sentry without agreement
        # heroku-connect waived; agreement expiring; its Shield space drains to a host not
        # allowed (Private Space Logging)
        "clinical-trial": "block",
        "econ-archive": "block",  # us region, scc
        "econ-game": "warn",  # agreement expiring
        "experiment-us": "block",
        "fir-survey": "block",  # telemetry drains of the app and of its Fir space
        "frankfurt-exp": "warn",
        "jdoe-thesis": "block",
        "otree-study": "block",  # bio-dashboard's sentry attached, without agreement
        "student-game": "warn",  # covered through teams = ["student-projects"]
        "survey": "block",  # sendgrid's agreement expired
    }
    assert report.decision == "block"
    assert (report.summary.allow, report.summary.warn, report.summary.block) == (0, 3, 8)
    assert report.exit_code() == 1


def test_apps_sorted_by_name_and_findings_by_rule_and_subject() -> None:
    report = run(demo_facts(), make_policy(POLICY))
    assert [a.name for a in report.apps] == sorted(a.name for a in report.apps)
    for app in report.apps:
        keys = [(f.rule, f.subject or "") for f in app.findings]
        assert keys == sorted(keys)
        assert len(set(keys)) == len(keys)


def test_app_result_fields() -> None:
    report = run(demo_facts(), make_policy(POLICY))
    frankfurt = result(report, "frankfurt-exp")
    assert (
        frankfurt.team,
        frankfurt.region,
        frankfurt.country,
        frankfurt.space,
        frankfurt.shield,
        frankfurt.data_class,
    ) == ("psych-lab", "frankfurt", "DE", "uni-frankfurt", False, "personal")
    assert result(report, "clinical-trial").shield is True
    assert result(report, "jdoe-thesis").team is None


def test_fingerprints_are_rule_app_id_and_subject() -> None:
    report = run(demo_facts(), make_policy(POLICY))
    for app in report.apps:
        for f in app.findings:
            assert f.fingerprint == fingerprint(f.rule, app.id, f.subject)
            assert f.app == app.name and f.app_id == app.id
    again = run(demo_facts(), make_policy(POLICY))
    assert [f.fingerprint for f in report.all_findings()] == [
        f.fingerprint for f in again.all_findings()
    ]


@pytest.mark.parametrize(
    ("override", "decision", "present"),
    [
        ("", "warn", True),
        ('unclassified-app = "block"', "block", True),
        ('unclassified-app = "info"', "allow", True),
        ('unclassified-app = "off"', "allow", False),
    ],
)
def test_severity_overrides(override: str, decision: str, present: bool) -> None:
    report = run(make_estate(make_app("x")), make_policy(f"[rules]\n{override}\n"))
    assert result(report, "x").decision == decision
    assert ("unclassified-app" in rules_of(report, "x")) is present
    if present:
        expected = {"": "warn"}.get(override, override.split('"')[1] if override else "warn")
        assert result(report, "x").findings[0].severity == expected


def test_info_never_changes_a_decision() -> None:
    text = '[rules]\nunclassified-app = "info"\nlog-drain-not-allowed = "info"\n'
    app = make_app("x", drains=(drain("https://x.example.io/", "x.example.io"),))
    report = run(make_estate(app), make_policy(text))
    assert {f.severity for f in result(report, "x").findings} == {"info"}
    assert report.decision == "allow"


def test_empty_estate_is_allowed() -> None:
    report = run(Estate(), make_policy(POLICY))
    assert report.apps == () and report.decision == "allow"
    assert [f.rule for f in report.policy_findings] == ["waiver-unused"]


def test_evaluate_leaves_its_inputs_alone() -> None:
    estate, policy = demo_facts(), make_policy(POLICY)
    before = copy.deepcopy((estate, policy))
    run(estate, policy)
    assert (estate, policy) == before


def test_same_inputs_same_report() -> None:
    one = run(demo_facts(), make_policy(POLICY))
    two = run(demo_facts(), make_policy(POLICY))
    assert one == two


def test_large_estate_is_quick_enough_to_stay_linear() -> None:
    apps = tuple(
        make_app(f"app-{i:05d}", addons=("heroku-postgresql:essential-0", "sentry:f1"))
        for i in range(2000)
    )
    report = run(make_estate(*apps), make_policy(POLICY))
    assert len(report.apps) == 2000
    assert all(a.decision == "block" for a in report.apps)


def test_today_matters_only_through_dates() -> None:
    policy = make_policy(POLICY)
    later = run(demo_facts(), policy, TODAY + timedelta(days=31))
    assert result(later, "econ-game").decision == "block"  # the Heroku DPA has expired
    assert "agreement-expired" in rules_of(later, "econ-game")


def test_pure_core_imports_neither_httpx_nor_click() -> None:
    code = (
        "import sys, gatekeeper.engine, gatekeeper.policy, gatekeeper.knowledge, "
        "gatekeeper.rules.registry, gatekeeper.policy.schema, gatekeeper.facts, "
        "gatekeeper.needs, gatekeeper.results, gatekeeper.compare, gatekeeper.codespan, "
        "gatekeeper.drain_url, gatekeeper.policy_values, gatekeeper.register.build, "
        "gatekeeper.register.changes, gatekeeper.register.by_recipient, "
        "gatekeeper.register.model, gatekeeper.knowledge.recipients; "
        "print(sorted(m for m in ('httpx', 'click') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.replace("'", '"')) == []
