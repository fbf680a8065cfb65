"""compare(): new and resolved open findings by fingerprint, in a stable order."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

from gatekeeper.compare import compare
from gatekeeper.results import AppResult, Finding, Report, Severity, fingerprint

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def f(
    rule: str,
    app: str | None,
    subject: str | None = None,
    *,
    severity: Severity = "block",
    waived: bool = False,
    message: str = "",
) -> Finding:
    app_id = f"id-{app}" if app else None
    return Finding(
        rule=rule,
        severity=severity,
        app=app,
        app_id=app_id,
        subject=subject,
        message=message or f"{rule} {app}",
        remediation="fix",
        waived=waived,
        fingerprint=fingerprint(rule, app_id, subject),
    )


def report(when: datetime, *findings: Finding, policy: tuple[Finding, ...] = ()) -> Report:
    by_app: dict[str, list[Finding]] = {}
    for finding in findings:
        by_app.setdefault(finding.app or "", []).append(finding)
    apps = tuple(
        AppResult(
            name=name, id=f"id-{name}", data_class="personal", decision="block", findings=tuple(fs)
        )
        for name, fs in by_app.items()
    )
    return Report(generated_at=when, decision="block", apps=apps, policy_findings=policy)


def test_identical_reports_have_no_changes() -> None:
    r = report(
        T0, f("team-not-covered", "survey"), f("unclassified-app", "survey", severity="warn")
    )
    changes = compare(r, dataclasses.replace(r, generated_at=T1), baseline="audit #1")
    assert changes.new == () and changes.resolved == ()
    assert changes.baseline == "audit #1"
    assert changes.since == T0


def test_new_and_resolved_by_fingerprint() -> None:
    kept = f("addon-no-agreement", "survey", "papertrail")
    gone = f("region-not-allowed", "experiment-us")
    added = f("log-drain-not-allowed", "otree-study", "logs.example.io")
    changes = compare(report(T0, kept, gone), report(T1, kept, added), baseline="b")
    assert changes.new == (added,)
    assert changes.resolved == (gone,)


def test_a_reworded_message_is_the_same_finding() -> None:
    before = f("addon-no-agreement", "survey", "papertrail", message="old words")
    after = f("addon-no-agreement", "survey", "papertrail", message="new words")
    changes = compare(report(T0, before), report(T1, after), baseline="b")
    assert changes.new == () and changes.resolved == ()


def test_a_subject_makes_a_different_finding() -> None:
    before = f("addon-no-agreement", "survey", "papertrail")
    after = f("addon-no-agreement", "survey", "sendgrid")
    changes = compare(report(T0, before), report(T1, after), baseline="b")
    assert changes.new == (after,) and changes.resolved == (before,)


def test_waivers_open_and_close_findings() -> None:
    """Newly waived counts as resolved; a lapsed waiver makes the finding new again."""
    newly_waived_before = f("addon-no-agreement", "survey", "papertrail")
    newly_waived_after = f("addon-no-agreement", "survey", "papertrail", waived=True)
    lapsed_before = f("region-not-allowed", "experiment-us", waived=True)
    lapsed_after = f("region-not-allowed", "experiment-us")
    still_waived = f("heroku-connect", "clinical-trial", severity="warn", waived=True)
    changes = compare(
        report(T0, newly_waived_before, lapsed_before, still_waived),
        report(T1, newly_waived_after, lapsed_after, still_waived),
        baseline="b",
    )
    assert changes.new == (lapsed_after,)
    assert changes.resolved == (newly_waived_before,)


def test_policy_findings_count_too() -> None:
    unused = f("waiver-unused", None, "waiver:survey", severity="info")
    changes = compare(report(T0), report(T1, policy=(unused,)), baseline="b")
    assert changes.new == (unused,)
    changes = compare(report(T0, policy=(unused,)), report(T1), baseline="b")
    assert changes.resolved == (unused,)


def test_order_is_stable_worst_first_then_app_rule_subject() -> None:
    findings = [
        f("unclassified-app", "b-app", severity="warn"),
        f("postgres-backups", "a-app", "db", severity="info"),
        f("team-not-covered", "z-app"),
        f("addon-no-agreement", "a-app", "sendgrid"),
        f("addon-no-agreement", "a-app", "papertrail"),
        f("addon-denied", "a-app", "papertrail"),
    ]
    expected = [
        ("addon-denied", "a-app", "papertrail"),
        ("addon-no-agreement", "a-app", "papertrail"),
        ("addon-no-agreement", "a-app", "sendgrid"),
        ("team-not-covered", "z-app", None),
        ("unclassified-app", "b-app", None),
        ("postgres-backups", "a-app", "db"),
    ]
    rng = random.Random(5)
    for _ in range(5):
        shuffled = findings[:]
        rng.shuffle(shuffled)
        new = compare(report(T0), report(T1, *shuffled), baseline="b").new
        assert [(x.rule, x.app, x.subject) for x in new] == expected
        resolved = compare(report(T0, *shuffled), report(T1), baseline="b").resolved
        assert [(x.rule, x.app, x.subject) for x in resolved] == expected


def test_a_repeated_fingerprint_is_listed_once() -> None:
    twice = f("addon-no-agreement", "survey", "papertrail")
    changes = compare(report(T0), report(T1, twice, twice), baseline="b")
    assert changes.new == (twice,)
