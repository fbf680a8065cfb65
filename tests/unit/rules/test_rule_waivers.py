"""Waivers: what they hide, waiver-expired and waiver-unused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from demo_facts import TODAY, make_app, make_estate, make_policy, result, run

BASE = """
    [defaults]
    expiry_warning_days = 30
    [classes.personal]
    requires_agreement = true
    [[agreements]]
    id = "salesforce-dpa"
    heroku = true
    enterprise_accounts = ["uni-example"]
    expires = 2030-01-01
    [[apps]]
    name = "*"
    data_class = "personal"
"""


def waiver(
    rule: str = "addon-no-agreement",
    app: str = "bio-dashboard",
    subject: str | None = "sentry",
    expires: str = "2027-01-01",
    reason: str = "scrubbing on",
) -> str:
    subject_line = f'subject = "{subject}"\n' if subject is not None else ""
    return (
        f'[[waivers]]\nrule = "{rule}"\napp = "{app}"\n{subject_line}reason = "{reason}"\n'
        f'approved_by = "DPO"\nexpires = {expires}\n'
    )


def estate():
    return make_estate(
        make_app("bio-dashboard", addons=("sentry:f1", "papertrail:choklad")),
        make_app("biology", addons=("sentry:f1",)),
    )


def waived(report, app: str) -> list[tuple[str, str | None, bool]]:
    return [(f.rule, f.subject, f.waived) for f in result(report, app).findings]


@pytest.mark.parametrize(
    ("kwargs", "hides_sentry", "hides_papertrail"),
    [
        ({}, True, False),
        ({"subject": "sentry-bio-dashboard-0"}, True, False),  # the add-on's own name
        ({"subject": "sen*"}, True, False),
        ({"subject": "papertrail"}, False, True),
        ({"subject": None}, True, True),  # no subject: every subject of the rule
        ({"subject": "sentry-pro"}, False, False),
        ({"app": "bio-*"}, True, False),
        ({"app": "bio-dash"}, False, False),
        ({"rule": "addon-denied"}, False, False),
        ({"expires": TODAY.isoformat()}, True, False),  # the last day still counts
        ({"expires": (TODAY - timedelta(days=1)).isoformat()}, False, False),
    ],
)
def test_what_a_waiver_hides(
    kwargs: dict[str, str | None], hides_sentry: bool, hides_papertrail: bool
) -> None:
    report = run(estate(), make_policy(BASE + waiver(**kwargs)))  # type: ignore[arg-type]
    findings = {
        f.subject: f
        for f in result(report, "bio-dashboard").findings
        if f.rule == "addon-no-agreement"
    }
    assert findings["sentry-bio-dashboard-0"].waived is hides_sentry
    assert findings["papertrail-bio-dashboard-1"].waived is hides_papertrail


def test_app_glob_edge_does_not_leak_to_similar_names() -> None:
    report = run(estate(), make_policy(BASE + waiver(app="bio-*")))
    assert all(not w for _, _, w in waived(report, "biology"))


def test_waived_finding_keeps_its_place_and_says_why() -> None:
    report = run(estate(), make_policy(BASE + waiver(subject=None)))
    app = result(report, "bio-dashboard")
    sentry = next(f for f in app.findings if f.subject == "sentry-bio-dashboard-0")
    assert sentry.waived and sentry.waiver == "scrubbing on (approved by DPO, expires 2027-01-01)"
    assert sentry.severity == "block"
    assert app.decision == "allow"  # every block waived


def test_expired_waiver_hides_nothing_and_warns_on_the_app() -> None:
    expired = (TODAY - timedelta(days=1)).isoformat()
    report = run(estate(), make_policy(BASE + waiver(expires=expired)))
    app = result(report, "bio-dashboard")
    assert not any(f.waived for f in app.findings)
    warning = next(f for f in app.findings if f.rule == "waiver-expired")
    assert warning.severity == "warn"
    assert warning.subject == "addon-no-agreement bio-dashboard sentry"
    assert "expired on 2026-05-31" in warning.message
    assert app.decision == "block"
    assert report.policy_findings == ()
    assert [w.state for w in report.waivers] == ["expired"]
    assert report.waivers[0].used is False


def test_expired_waiver_matching_nothing_is_a_policy_finding() -> None:
    report = run(estate(), make_policy(BASE + waiver(app="gone", expires="2026-01-01")))
    assert [(f.rule, f.app, f.severity) for f in report.policy_findings] == [
        ("waiver-expired", None, "warn")
    ]
    assert report.decision == "block"  # from the apps; policy findings decide nothing
    assert all(f.rule != "waiver-expired" for a in report.apps for f in a.findings)


def test_unused_waiver_is_reported_once_for_the_policy() -> None:
    report = run(estate(), make_policy(BASE + waiver(app="gone")))
    assert [(f.rule, f.severity, f.subject) for f in report.policy_findings] == [
        ("waiver-unused", "info", "addon-no-agreement gone sentry")
    ]
    assert report.waivers[0].used is False and report.waivers[0].state == "active"


def test_waiver_rule_severities_can_be_changed() -> None:
    text = BASE.replace(
        "[defaults]", '[rules]\nwaiver-unused = "off"\nwaiver-expired = "off"\n[defaults]'
    )
    report = run(
        estate(),
        make_policy(
            text
            + waiver(app="gone")
            + waiver(app="bio-*", expires="2026-01-01", subject="sentry-bio-dashboard-0")
        ),
    )
    assert report.policy_findings == ()
    assert all(f.rule != "waiver-expired" for f in result(report, "bio-dashboard").findings)


def test_of_two_matching_waivers_the_longest_is_shown_and_both_count_as_used() -> None:
    text = (
        BASE
        + waiver(reason="short", expires="2026-12-01")
        + waiver(app="bio-*", reason="long", expires="2027-06-01")
    )
    report = run(estate(), make_policy(text))
    sentry = next(
        f for f in result(report, "bio-dashboard").findings if f.subject == "sentry-bio-dashboard-0"
    )
    assert sentry.waiver is not None and sentry.waiver.startswith("long")
    assert [w.used for w in report.waivers] == [True, True]
    assert report.policy_findings == ()


@pytest.mark.parametrize(
    ("days", "state"), [(-1, "expired"), (0, "expiring"), (30, "expiring"), (31, "active")]
)
def test_waiver_states(days: int, state: str) -> None:
    expires = (TODAY + timedelta(days=days)).isoformat()
    report = run(estate(), make_policy(BASE + waiver(expires=expires)))
    assert report.waivers[0].state == state
