"""addon-denied, addon-no-agreement, addon-location-not-allowed, add-on agreement expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from demo_facts import TODAY, finding, make_app, make_estate, make_policy, rules_of, run

ADDON_RULES = {
    "addon-denied",
    "addon-no-agreement",
    "addon-location-not-allowed",
    "agreement-expiring",
}


def policy(
    agreements: str = "",
    *,
    countries: str = '["EEA", "adequate"]',
    requires: bool = True,
    deny: str = "[]",
    operated: str = "[]",
):
    return make_policy(
        f"""
        [institution]
        contact = "dpo@uni-example.edu"
        [classes.personal]
        countries = {countries}
        requires_agreement = {"true" if requires else "false"}
        [addons]
        deny = {deny}
        operated_by_heroku = {operated}
        [[apps]]
        name = "*"
        data_class = "personal"
        [[agreements]]
        id = "salesforce-dpa"
        heroku = true
        enterprise_accounts = ["uni-example"]
        expires = 2030-01-01
    """
        + agreements
    )


def addon_dpa(
    service: str = "papertrail",
    countries: str = '["US"]',
    mechanism: str = "dpf",
    expires: str = "2028-12-31",
    extra: str = "",
    id: str | None = None,
) -> str:
    return (
        f'[[agreements]]\nid = "{id or service + "-dpa"}"\naddon_services = ["{service}"]\n'
        f'countries = {countries}\nmechanism = "{mechanism}"\nexpires = {expires}\n{extra}\n'
    )


def addon_rules(plans: tuple[str, ...], pol, team: str | None = "psych-lab") -> set[str]:
    return (
        rules_of(run(make_estate(make_app("app", addons=plans, team=team)), pol), "app")
        & ADDON_RULES
    )


@pytest.mark.parametrize(
    ("deny", "plans", "expected"),
    [
        ('["sendgrid"]', ("sendgrid:starter",), {"addon-denied"}),
        ('["send*"]', ("sendgrid:starter",), {"addon-denied"}),
        ('["grid"]', ("sendgrid:starter",), {"addon-no-agreement"}),  # globs match whole names
        ('["sendgrid"]', ("sendgrid-pro:starter",), {"addon-no-agreement"}),
        ('["heroku-redis"]', ("heroku-redis:mini",), {"addon-denied"}),  # Heroku-operated too
        ("[]", ("heroku-redis:mini",), set()),
    ],
)
def test_deny_list(deny: str, plans: tuple[str, ...], expected: set[str]) -> None:
    assert addon_rules(plans, policy(deny=deny)) == expected


def test_deny_applies_whatever_the_class() -> None:
    assert addon_rules(("sendgrid:starter",), policy(deny='["sendgrid"]', requires=False)) == {
        "addon-denied"
    }


@pytest.mark.parametrize(
    ("plans", "agreements", "expected"),
    [
        (("sentry:f1",), "", {"addon-no-agreement"}),
        (("heroku-postgresql:essential-0", "scheduler:standard", "herokuconnect:demo"), "", set()),
        (("papertrail:choklad",), addon_dpa(), set()),
        (("papertrail:choklad", "sentry:f1"), addon_dpa(), {"addon-no-agreement"}),
        (
            ("papertrail:choklad",),
            addon_dpa(expires=(TODAY - timedelta(days=1)).isoformat()),
            {"addon-no-agreement"},
        ),
        (("papertrail:choklad",), addon_dpa(extra='teams = ["bio-lab"]'), {"addon-no-agreement"}),
        (("papertrail:choklad",), addon_dpa(extra='teams = ["psych-lab"]'), set()),
        (("papertrail:choklad",), addon_dpa(extra='enterprise_accounts = ["uni-example"]'), set()),
        (("papertrail:choklad",), addon_dpa(service="paper*"), set()),
    ],
)
def test_third_party_agreements(
    plans: tuple[str, ...], agreements: str, expected: set[str]
) -> None:
    assert addon_rules(plans, policy(agreements)) == expected


def test_no_agreement_needed_when_the_class_requires_none() -> None:
    assert addon_rules(("sentry:f1",), policy(requires=False)) == set()
    # ... and then the location of an agreement is not judged either
    assert (
        addon_rules(("papertrail:choklad",), policy(addon_dpa(countries='["CN"]'), requires=False))
        == set()
    )


def test_operated_by_heroku_extends_the_built_in_list() -> None:
    assert addon_rules(("sentry:f1",), policy(operated='["sentry"]')) == set()


@pytest.mark.parametrize(
    ("countries", "mechanism", "class_countries", "expected"),
    [
        ('["US"]', "dpf", '["EEA", "adequate"]', set()),
        ('["US"]', "scc", '["EEA", "adequate"]', {"addon-location-not-allowed"}),
        ('["US"]', "scc", '["EEA", "US"]', set()),
        ('["US"]', "dpf", '["EEA"]', {"addon-location-not-allowed"}),
        ('["EEA"]', "scc", '["EEA"]', set()),
        ('["DE", "IE"]', "scc", '["EEA"]', set()),
        ('["DE", "CN"]', "scc", '["EEA", "adequate"]', {"addon-location-not-allowed"}),
        ('["adequate"]', "scc", '["EEA", "adequate"]', set()),
        ('["GB"]', "scc", '["EEA"]', {"addon-location-not-allowed"}),
    ],
)
def test_covered_add_on_whose_countries_are_not_allowed(
    countries: str, mechanism: str, class_countries: str, expected: set[str]
) -> None:
    pol = policy(addon_dpa(countries=countries, mechanism=mechanism), countries=class_countries)
    assert addon_rules(("papertrail:choklad",), pol) == expected


def test_one_acceptable_agreement_is_enough() -> None:
    pol = policy(
        addon_dpa(countries='["CN"]', mechanism="scc", id="a")
        + addon_dpa(countries='["IE"]', mechanism="scc", id="b")
    )
    assert addon_rules(("papertrail:choklad",), pol) == set()


def test_location_message_names_agreement_countries_and_dpf() -> None:
    pol = policy(addon_dpa(service="sendgrid", mechanism="scc"))
    f = finding(
        run(make_estate(make_app("survey", addons=("sendgrid:starter",))), pol),
        "survey",
        "addon-location-not-allowed",
    )
    assert f.subject == "sendgrid-survey-0"
    assert "agreement sendgrid-dpa says it processes in US (mechanism scc)" in f.message
    assert 'mechanism = "dpf"' in f.message
    assert "heroku addons:destroy sendgrid-survey-0 -a survey" in f.remediation
    assert {e.kind for e in f.evidence} >= {"addon", "agreement", "data-class", "policy"}


def test_no_agreement_message_and_fix() -> None:
    pol = policy(addon_dpa(service="sentry", expires=(TODAY - timedelta(days=5)).isoformat()))
    f = finding(
        run(make_estate(make_app("bio-dashboard", addons=("sentry:f1",))), pol),
        "bio-dashboard",
        "addon-no-agreement",
    )
    assert f.severity == "block" and f.subject == "sentry-bio-dashboard-0"
    assert "until 2026-05-27" in f.message
    assert "heroku addons:destroy sentry-bio-dashboard-0 -a bio-dashboard" in f.remediation
    assert 'addon_services = ["sentry"]' in f.remediation
    assert "dpo@uni-example.edu" in f.remediation


@pytest.mark.parametrize(("days", "expected"), [(60, True), (61, False)])
def test_add_on_agreement_expiring(days: int, expected: bool) -> None:
    expires = (TODAY + timedelta(days=days)).isoformat()
    pol = policy(addon_dpa(service="*", countries='["IE"]', expires=expires, id="mail-and-logs"))
    report = run(
        make_estate(make_app("survey", addons=("papertrail:choklad", "sendgrid:starter"))), pol
    )
    expiring = [f for f in report.apps[0].findings if f.rule == "agreement-expiring"]
    if not expected:
        assert expiring == []
        return
    assert len(expiring) == 1  # one finding per agreement, not per add-on
    assert expiring[0].subject == "mail-and-logs"
    assert "add-on papertrail-survey-0, sendgrid-survey-1" in expiring[0].message


def test_denied_add_on_is_not_also_judged_for_agreements() -> None:
    assert addon_rules(("sentry:f1",), policy(deny='["sentry"]')) == {"addon-denied"}


def inference_rules(model: str, countries: str = '["EEA", "adequate"]') -> set[str]:
    app = make_app("ai", addons=(f"heroku-inference:{model}",))
    return rules_of(run(make_estate(app), policy(countries=countries)), "ai") & ADDON_RULES


@pytest.mark.parametrize(
    ("model", "countries", "blocks"),
    [
        ("claude-3-5-haiku", '["EEA", "adequate"]', True),  # us-east-1 only
        ("claude-3-5-haiku", '["EEA", "US"]', False),
        ("claude-3-haiku", '["EEA", "adequate"]', True),  # eu-central-1 and us-east-1
        ("claude-3-haiku", '["DE", "US"]', False),
        ("claude-3-haiku", '["DE"]', True),
        ("stable-image-ultra", '["EEA", "US"]', False),
        ("claude-4-sonnet", '["EEA", "US"]', True),  # unknown model: fail closed
        ("no-such-model", '["EEA", "adequate"]', True),
    ],
)
def test_inference_is_judged_by_the_models_regions(
    model: str, countries: str, blocks: bool
) -> None:
    assert ("addon-location-not-allowed" in inference_rules(model, countries)) is blocks


def test_inference_without_countries_or_agreement_requirement() -> None:
    make = make_app("ai", addons=("heroku-inference:claude-4-sonnet",))
    anywhere = make_policy('[[apps]]\nname = "*"\ndata_class = "personal"\n')
    assert rules_of(run(make_estate(make), anywhere), "ai") & ADDON_RULES == set()
    # no agreement required, but countries set: the place of the data is still judged
    app = make_app("ai", addons=("heroku-inference:claude-3-5-haiku",))
    found = rules_of(run(make_estate(app), policy(requires=False)), "ai")
    assert "addon-location-not-allowed" in found


def test_inference_finding_says_what_the_dpo_must_confirm() -> None:
    app = make_app("ai", addons=("heroku-inference:claude-3-5-haiku",))
    f = finding(run(make_estate(app), policy()), "ai", "addon-location-not-allowed")
    assert "us-east-1 (United States)" in f.message and "Amazon Bedrock" in f.message
    assert 'mechanism = "dpf"' in f.message  # the US through "adequate"
    assert "INFERENCE_URL" in f.remediation and "The DPO must confirm" in f.remediation
    assert 'subject = "heroku-inference-ai-0"' in f.remediation
    assert any(e.kind == "knowledge" and "us-east-1" in (e.detail or "") for e in f.evidence)
    unknown = make_app("ai", addons=("heroku-inference:claude-9",))
    g = finding(run(make_estate(unknown), policy()), "ai", "addon-location-not-allowed")
    assert "does not know" in g.message and "heroku ai:models:list" in g.remediation


def test_a_dpf_heroku_agreement_allows_a_us_model_through_adequate() -> None:
    dpf = make_policy("""
        [classes.personal]
        countries = ["EEA", "adequate"]
        [[agreements]]
        id = "salesforce-dpa"
        heroku = true
        enterprise_accounts = ["uni-example"]
        mechanism = "dpf"
        expires = 2030-01-01
        [[apps]]
        name = "*"
        data_class = "personal"
    """)
    app = make_app("ai", addons=("heroku-inference:claude-3-5-haiku",))
    assert rules_of(run(make_estate(app), dpf), "ai") & ADDON_RULES == set()
