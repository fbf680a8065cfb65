"""Which policy entry decides a finding, and its line (gatekeeper.report.policy_lines)."""

from __future__ import annotations

import dataclasses

import pytest
from report_samples import finding

from gatekeeper.policy import loads_policy
from gatekeeper.report.policy_lines import (
    AGREEMENT_RULES,
    NO_ENTRY_RULES,
    TABLE_OF_RULE,
    WAIVER_RULES,
    PolicyLine,
    deciding_path,
    finding_lines,
)
from gatekeeper.results import Finding
from gatekeeper.rules.catalog import RULES
from gatekeeper.rules.waivers import waiver_note

POLICY_TEXT = """\
version = 1

[defaults]
data_class = "personal"

[[agreements]]
id = "salesforce-dpa"
heroku = true
teams = ["psych-lab"]
expires = 2027-01-10

[addons]
deny = ["logentries"]

[logs]
allowed_drain_hosts = ["*.uni-example.edu"]

[[apps]]
name = "survey"
data_class = "personal"

[[apps]]
name = "econ-*"
data_class = "pseudonymous"

[[waivers]]
rule = "heroku-connect"
app = "econ-*"
reason = "Org is the university's own"
approved_by = "dpo@uni-example.edu"
expires = 2027-01-31
"""
POLICY = loads_policy(POLICY_TEXT, source="gatekeeper.toml")
LINES = {
    "agreements[0]": 6,
    "apps[0]": 18,
    "apps[1]": 22,
    "waivers[0]": 26,
    "defaults.data_class": 4,
    "addons.deny": 13,
    "logs.allowed_drain_hosts": 16,
}


def _on(
    rule: str, app: str | None, subject: str | None = None, waiver: str | None = None
) -> Finding:
    return finding(
        rule, "block", "m", "r", app_name=app, app_id=app, subject=subject, waiver=waiver
    )


WAIVED = _on(
    "heroku-connect",
    "econ-game",
    "heroku-connect",
    waiver=waiver_note(POLICY.waivers[0]),
)


@pytest.mark.parametrize(
    ("found", "entry"),
    [
        (_on("region-not-allowed", "survey"), "apps[0]"),
        (_on("addon-no-agreement", "econ-game", "papertrail"), "apps[1]"),  # the glob entry
        (_on("team-not-covered", "student-game"), "defaults.data_class"),  # no entry matches
        (_on("unclassified-app", "student-game"), "defaults.data_class"),
        (_on("agreement-expiring", "survey", "salesforce-dpa"), "agreements[0]"),
        (_on("agreement-expiring", None, "salesforce-dpa"), "agreements[0]"),
        (_on("addon-denied", "survey", "logentries"), "addons.deny"),
        (_on("log-drain-not-allowed", "survey", "d.1"), "logs.allowed_drain_hosts"),
        (_on("telemetry-drain-not-allowed", "survey", "t.1"), "logs.allowed_drain_hosts"),
        (WAIVED, "waivers[0]"),  # the waiver that hides it, not the [[apps]] entry
        (_on("waiver-unused", None, POLICY.waivers[0].label()), "waivers[0]"),
        (_on("waiver-expired", "econ-game", POLICY.waivers[0].label()), "waivers[0]"),
    ],
)
def test_the_deciding_entry_and_its_line(found: Finding, entry: str) -> None:
    assert finding_lines(POLICY, POLICY_TEXT, [found]) == {
        found.fingerprint: PolicyLine(entry, LINES[entry])
    }
    assert POLICY_TEXT.splitlines()[LINES[entry] - 1].split()[0] in (
        "[[agreements]]",
        "[[apps]]",
        "[[waivers]]",
        "data_class",
        "deny",
        "allowed_drain_hosts",
    )


@pytest.mark.parametrize(
    "found",
    [
        _on("api-error", "survey", "addons"),  # a fact that could not be read
        _on("unknown-region", "survey", "mars"),  # a gap in gatekeeper's knowledge
        _on("agreement-expired", "survey", "no-such-agreement"),
        _on("waiver-unused", None, "no-such-waiver *"),
        _on("heroku-connect", None),  # no app, no entry
    ],
)
def test_findings_no_entry_decides_have_no_line(found: Finding) -> None:
    assert finding_lines(POLICY, POLICY_TEXT, [found]) == {}


def test_an_entry_the_text_leaves_to_its_default_has_no_line() -> None:
    bare = 'version = 1\n\n[[apps]]\nname = "survey"\ndata_class = "personal"\n'
    policy = loads_policy(bare, source="gatekeeper.toml")
    unclassified = _on("unclassified-app", "student-game")
    drain = _on("log-drain-not-allowed", "survey", "d.1")
    assert deciding_path(policy, unclassified) == ("defaults", "data_class")
    assert finding_lines(policy, bare, [unclassified, drain]) == {}
    assert finding_lines(policy, bare, [_on("shield-required", "survey")]) == {
        _on("shield-required", "survey").fingerprint: PolicyLine("apps[0]", 3)
    }


def test_a_waived_finding_of_another_waiver_is_not_credited_to_this_one() -> None:
    other = dataclasses.replace(WAIVED, waiver="another reason (approved by x, expires y)")
    assert deciding_path(POLICY, other) == ("apps", 1)


def test_the_rule_tables_name_catalog_rules() -> None:
    named = set(TABLE_OF_RULE) | AGREEMENT_RULES | WAIVER_RULES | NO_ENTRY_RULES
    assert named <= set(RULES)
