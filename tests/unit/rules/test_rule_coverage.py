"""personal-account, team-not-covered, agreement-expired, agreement-expiring (Heroku DPA)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from demo_facts import TODAY, finding, make_app, make_estate, make_policy, rules_of, run

from gatekeeper.facts import FactError, Team

COVERAGE = {"personal-account", "team-not-covered", "agreement-expired", "agreement-expiring"}


def policy(*agreements: str, requires: bool = True, warning_days: int = 60):
    body = "".join(f"[[agreements]]\nheroku = true\n{a}\n" for a in agreements)
    return make_policy(
        f"""
        [institution]
        contact = "dpo@uni-example.edu"
        [defaults]
        expiry_warning_days = {warning_days}
        [classes.personal]
        requires_agreement = {"true" if requires else "false"}
        [[apps]]
        name = "*"
        data_class = "personal"
    """
        + body
    )


def dpa(
    expires: date = date(2028, 12, 31),
    *,
    scope: str = 'enterprise_accounts = ["uni-example"]',
    signed: date | None = None,
    id: str = "salesforce-dpa",
) -> str:
    signed_line = f"signed = {signed.isoformat()}\n" if signed else ""
    return f'id = "{id}"\n{scope}\n{signed_line}expires = {expires.isoformat()}'


def coverage(
    app_team: str | None, *agreements: str, teams: tuple[Team, ...] | None = None, **kwargs: object
) -> set[str]:
    report = run(
        make_estate(make_app("app", team=app_team), teams=teams), policy(*agreements, **kwargs)
    )  # type: ignore[arg-type]
    return rules_of(report, "app") & COVERAGE


@pytest.mark.parametrize(
    ("team", "scope", "expected"),
    [
        ("psych-lab", 'enterprise_accounts = ["uni-example"]', set()),  # only through its EA
        ("psych-lab", 'teams = ["psych-lab"]', set()),
        ("psych-lab", 'teams = ["bio-lab"]', {"team-not-covered"}),
        ("student-projects", 'enterprise_accounts = ["uni-example"]', {"team-not-covered"}),
        ("student-projects", 'teams = ["student-projects"]', set()),
        ("psych-lab", 'enterprise_accounts = ["other-uni"]', {"team-not-covered"}),
        (None, 'enterprise_accounts = ["uni-example"]', {"personal-account"}),
        (None, 'teams = ["psych-lab"]', {"personal-account"}),
    ],
)
def test_who_is_covered(team: str | None, scope: str, expected: set[str]) -> None:
    assert coverage(team, dpa(scope=scope)) == expected


def test_no_agreement_at_all() -> None:
    assert coverage("psych-lab") == {"team-not-covered"}
    assert coverage(None) == {"personal-account"}


def test_nothing_when_the_class_requires_no_agreement() -> None:
    assert coverage(None, requires=False) == set()
    assert coverage("student-projects", requires=False) == set()


def test_team_missing_from_the_facts_is_covered_only_by_name() -> None:
    assert coverage("new-lab", dpa(), teams=()) == {"team-not-covered"}
    assert coverage("new-lab", dpa(scope='teams = ["new-lab"]'), teams=()) == set()


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-1, {"agreement-expired"}),  # ended yesterday
        (0, {"agreement-expiring"}),  # today is its last day
        (1, {"agreement-expiring"}),
        (60, {"agreement-expiring"}),  # within expiry_warning_days, boundary included
        (61, set()),
    ],
)
def test_expiry_boundaries(days: int, expected: set[str]) -> None:
    assert coverage("psych-lab", dpa(TODAY + timedelta(days=days))) == expected


@pytest.mark.parametrize(
    ("warning_days", "days", "expected"),
    [
        (0, 0, {"agreement-expiring"}),
        (0, 1, set()),
    ],
)
def test_expiry_warning_days_zero(warning_days: int, days: int, expected: set[str]) -> None:
    assert (
        coverage("psych-lab", dpa(TODAY + timedelta(days=days)), warning_days=warning_days)
        == expected
    )


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        (TODAY, set()),
        (TODAY + timedelta(days=1), {"team-not-covered"}),
    ],
)
def test_signed_boundary(signed: date, expected: set[str]) -> None:
    assert coverage("psych-lab", dpa(signed=signed)) == expected


def test_not_yet_signed_is_explained() -> None:
    report = run(make_estate(make_app("app")), policy(dpa(signed=TODAY + timedelta(days=3))))
    assert "not in force before" in finding(report, "app", "team-not-covered").message


def test_an_active_agreement_wins_over_an_expired_one() -> None:
    old = dpa(TODAY - timedelta(days=400), id="old-dpa")
    assert coverage("psych-lab", old, dpa()) == set()


def test_the_longest_running_agreement_decides_the_warning() -> None:
    soon = dpa(TODAY + timedelta(days=10), id="bridge", scope='teams = ["psych-lab"]')
    assert coverage("psych-lab", soon, dpa()) == set()
    assert coverage("psych-lab", soon) == {"agreement-expiring"}


def test_agreement_expired_names_the_last_one_and_the_fix() -> None:
    older = dpa(TODAY - timedelta(days=400), id="dpa-2020")
    newer = dpa(TODAY - timedelta(days=3), id="dpa-2023")
    report = run(make_estate(make_app("survey")), policy(older, newer))
    f = finding(report, "survey", "agreement-expired")
    assert f.severity == "block" and f.subject == "dpa-2023"
    assert "expired on 2026-05-29" in f.message
    assert 'id = "dpa-2023"' in f.remediation
    assert [e.name for e in f.evidence if e.kind == "agreement"] == ["dpa-2020", "dpa-2023"]


def test_agreement_expiring_words() -> None:
    report = run(make_estate(make_app("survey")), policy(dpa(TODAY)))
    f = finding(report, "survey", "agreement-expiring")
    assert f.severity == "warn" and f.subject == "salesforce-dpa"
    assert "today (its last day)" in f.message


def test_personal_account_fix_is_a_transfer_to_a_covered_team() -> None:
    app = make_app("jdoe-thesis", team=None, owner_email="jane.doe@uni-example.edu")
    f = finding(run(make_estate(app), policy(dpa())), "jdoe-thesis", "personal-account")
    assert f.subject == "jane.doe@uni-example.edu"
    assert "`heroku apps:transfer --team bio-lab -a jdoe-thesis`" in f.remediation
    assert "covered teams: bio-lab, econ-lab, psych-lab" in f.remediation
    assert [e.kind for e in f.evidence] == ["app", "data-class"]


def test_team_not_covered_fix_and_evidence_chain() -> None:
    f = finding(
        run(make_estate(make_app("student-game", team="student-projects")), policy(dpa())),
        "student-game",
        "team-not-covered",
    )
    assert f.subject == "student-projects"
    assert "in no enterprise account" in f.message
    assert "heroku apps:transfer --team bio-lab -a student-game" in f.remediation
    assert [(e.kind, e.name) for e in f.evidence][:2] == [
        ("app", "student-game"),
        ("team", "student-projects"),
    ]


def test_transfer_placeholder_when_no_team_is_covered() -> None:
    f = finding(run(make_estate(make_app("app", team=None)), policy()), "app", "personal-account")
    assert "--team TEAM -a app" in f.remediation


@pytest.mark.parametrize("fact", ["team", "enterprise-account"])
def test_failed_team_read_silences_coverage(fact: str) -> None:
    app = make_app(
        "app",
        team="student-projects",
        errors=(FactError(fact=fact, message="forbidden", status=403),),
    )
    report = run(make_estate(app), policy(dpa()))
    assert rules_of(report, "app") & COVERAGE == set()
    assert "api-error" in rules_of(report, "app")
