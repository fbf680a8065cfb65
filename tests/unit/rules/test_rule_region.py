"""unknown-region and region-not-allowed: where each fires, and where it just does not."""

from __future__ import annotations

import pytest
from demo_facts import finding, make_app, make_estate, make_policy, rules_of, run

from gatekeeper.facts import FactError

REGION_RULES = {"unknown-region", "region-not-allowed"}


def policy(
    countries: str | None = '["EEA", "adequate"]',
    mechanism: str = "scc",
    expires: str = "2028-12-31",
    scope: str = 'enterprise_accounts = ["uni-example"]',
):
    countries_line = f"countries = {countries}\n" if countries is not None else ""
    return make_policy(f"""
        [institution]
        contact = "dpo@uni-example.edu"
        [classes.personal]
        {countries_line}requires_agreement = true
        [[agreements]]
        id = "salesforce-dpa"
        heroku = true
        {scope}
        mechanism = "{mechanism}"
        expires = {expires}
        [[apps]]
        name = "*"
        data_class = "personal"
    """)


@pytest.mark.parametrize(
    ("region", "space", "countries", "mechanism", "expected"),
    [
        ("eu", None, '["EEA", "adequate"]', "scc", set()),
        ("us", None, '["EEA", "adequate"]', "scc", {"region-not-allowed"}),
        ("us", None, '["EEA", "adequate"]', "dpf", set()),  # US via adequate + DPF
        ("us", None, '["EEA"]', "dpf", {"region-not-allowed"}),  # DPF needs "adequate"
        ("us", None, '["EEA", "US"]', "scc", set()),  # listed outright
        ("oregon", None, '["EEA", "adequate"]', "scc", {"region-not-allowed"}),
        ("london", None, '["EEA", "adequate"]', "scc", set()),  # GB is adequate
        ("london", None, '["EEA"]', "scc", {"region-not-allowed"}),
        ("tokyo", None, '["adequate"]', "scc", set()),
        ("eu", None, '["adequate"]', "scc", {"region-not-allowed"}),  # adequate is not the EEA
        ("mumbai", None, '["EEA", "adequate"]', "dpf", {"region-not-allowed"}),
        ("frankfurt", None, '["DE"]', "scc", set()),
        ("dublin", None, '["DE"]', "scc", {"region-not-allowed"}),
        (None, "uni-frankfurt", '["DE"]', "scc", set()),  # region taken from the space
        ("us", None, None, "scc", set()),  # no countries key: every country
        ("eu", None, "[]", "scc", {"region-not-allowed"}),  # empty list: no country
        ("mars", None, '["EEA"]', "scc", {"unknown-region"}),
        ("mars", None, None, "scc", {"unknown-region"}),  # fail closed whatever the class
        (None, None, '["EEA"]', "scc", {"unknown-region"}),
    ],
)
def test_region_rules(
    region: str | None, space: str | None, countries: str | None, mechanism: str, expected: set[str]
) -> None:
    report = run(
        make_estate(make_app("app", region=region, space=space)), policy(countries, mechanism)
    )
    assert rules_of(report, "app") & REGION_RULES == expected


def test_dpf_counts_only_while_the_agreement_is_in_force() -> None:
    estate = make_estate(make_app("app", region="us"))
    assert "region-not-allowed" in rules_of(
        run(estate, policy(mechanism="dpf", expires="2026-05-31")), "app"
    )
    assert "region-not-allowed" not in rules_of(
        run(estate, policy(mechanism="dpf", expires="2026-06-01")), "app"
    )


def test_dpf_counts_only_for_the_teams_it_covers() -> None:
    estate = make_estate(make_app("app", region="us", team="psych-lab"))
    other = policy(mechanism="dpf", scope='teams = ["bio-lab"]')
    assert "region-not-allowed" in rules_of(run(estate, other), "app")


def test_message_fix_and_evidence() -> None:
    report = run(make_estate(make_app("experiment-us", region="us")), policy())
    f = finding(report, "experiment-us", "region-not-allowed")
    assert f.severity == "block"
    assert f.subject == "us"
    assert "Data Privacy Framework" in f.message
    assert "heroku apps:create NEW-NAME --region eu --team psych-lab" in f.remediation
    assert "dpo@uni-example.edu" in f.remediation
    kinds = [e.kind for e in f.evidence]
    assert kinds[:3] == ["app", "team", "enterprise-account"]
    assert {"region", "data-class", "policy", "agreement"} <= set(kinds)


def test_a_fix_through_a_private_space_says_it_needs_enterprise() -> None:
    """Where only a Private Space region fits (Germany), the fix names the space, and says
    that a space needs an Enterprise account new customers can no longer buy."""
    report = run(make_estate(make_app("experiment-us", region="us")), policy(countries='["DE"]'))
    f = finding(report, "experiment-us", "region-not-allowed")
    assert "heroku spaces:create --space NEW-SPACE --region frankfurt" in f.remediation
    assert "no new Enterprise Account contracts to new customers since 2026-02-06" in (
        f.remediation
    )


def test_unknown_region_message() -> None:
    f = finding(run(make_estate(make_app("app", region="mars")), policy()), "app", "unknown-region")
    assert f.subject == "mars" and f.severity == "block"
    assert "cannot map to a country" in f.message


@pytest.mark.parametrize("fact", ["region", "space", "app"])
def test_a_failed_read_silences_the_region_rules(fact: str) -> None:
    app = make_app("app", region=None, errors=(FactError(fact=fact, message="boom", status=503),))
    assert rules_of(run(make_estate(app), policy()), "app") & REGION_RULES == set()
