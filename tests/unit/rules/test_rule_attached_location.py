"""addon-location-not-allowed for a Heroku data add-on attached from another app: judged by
the region of the app that owns it (``facts.App.addon_region``), not the attaching app's."""

from __future__ import annotations

import dataclasses

import pytest
from demo_facts import addon, finding, make_app, make_estate, make_policy, rules_of, run

from gatekeeper.facts import AddOn, App, FactError

RULE = "addon-location-not-allowed"


def policy(countries: str = '["EEA", "adequate"]', mechanism: str = "scc"):
    return make_policy(f"""
        [institution]
        contact = "dpo@uni-example.edu"
        [classes.personal]
        countries = {countries}
        requires_agreement = true
        [[agreements]]
        id = "salesforce-dpa"
        heroku = true
        enterprise_accounts = ["uni-example"]
        mechanism = "{mechanism}"
        expires = 2030-01-01
        [[apps]]
        name = "*"
        data_class = "personal"
    """)


def attached(
    plan: str = "heroku-postgresql:standard-0",
    region: str | None = "us",
    owner: str = "us-owner",
    team: str | None = "econ-lab",
) -> AddOn:
    """``plan`` owned by app ``owner`` (in ``region``), as the attaching app sees it."""
    return dataclasses.replace(
        addon(owner, plan, f"{plan.split(':')[0]}-{owner}"),
        owner_region=region,
        owner_team=team,
        owner_account=None if region is None else ("team" if team else "person"),
    )


def user(*addons: AddOn, region: str = "eu", errors: tuple[FactError, ...] = ()) -> App:
    return dataclasses.replace(make_app("eu-app", region=region, errors=errors), addons=addons)


def rules(app: App, pol=None) -> set[str]:
    return rules_of(run(make_estate(app), pol or policy()), app.name)


@pytest.mark.parametrize(
    "plan", ["heroku-postgresql:standard-0", "heroku-redis:premium-0", "heroku-kafka:basic-0"]
)
def test_a_data_add_on_of_a_us_app_attached_to_an_eu_app_blocks(plan: str) -> None:
    assert RULE in rules(user(attached(plan)))


def test_the_same_add_on_from_an_eu_owner_is_allowed() -> None:
    assert rules(user(attached(region="eu", owner="eu-owner"))) & {RULE, "api-error"} == set()


def test_the_finding_names_the_owner_its_region_and_the_fix() -> None:
    f = finding(run(make_estate(user(attached())), policy()), "eu-app", RULE)
    assert f.subject == "heroku-postgresql-us-owner"
    assert "attached from app us-owner" in f.message
    assert "region us (Virginia" in f.message and "United States (US) is not allowed" in f.message
    assert "not in the app's region eu" in f.message
    assert 'mechanism = "dpf"' in f.message  # the US through "adequate"
    assert "heroku addons:detach ATTACHMENT -a eu-app" in f.remediation
    assert "heroku addons:create heroku-postgresql:standard-0 -a eu-app" in f.remediation
    assert "dpo@uni-example.edu" in f.remediation
    kinds = [e.kind for e in f.evidence]
    assert kinds[:4] == ["app", "team", "enterprise-account", "addon"]
    (addon_ev,) = [e for e in f.evidence if e.kind == "addon"]
    assert "owned by app us-owner of team econ-lab, region us" in addon_ev.detail
    (region_ev,) = [e for e in f.evidence if e.kind == "region"]
    assert region_ev.name == "us" and "region of owning app us-owner" in region_ev.detail
    assert "devcenter.heroku.com" in region_ev.detail


def test_an_owner_in_a_personal_account_is_named_as_such() -> None:
    f = finding(run(make_estate(user(attached(team=None))), policy()), "eu-app", RULE)
    (addon_ev,) = [e for e in f.evidence if e.kind == "addon"]
    assert "owned by app us-owner of a personal account, region us" in addon_ev.detail


@pytest.mark.parametrize(
    ("countries", "mechanism", "blocks"),
    [
        ('["EEA", "adequate"]', "scc", True),
        ('["EEA", "adequate"]', "dpf", False),  # a DPF Heroku agreement: the US is adequate
        ('["EEA", "US"]', "scc", False),
        ('["DE"]', "scc", True),
    ],
)
def test_the_owners_country_is_judged_like_the_apps_own(
    countries: str, mechanism: str, blocks: bool
) -> None:
    assert (RULE in rules(user(attached()), policy(countries, mechanism))) is blocks


def test_a_class_without_countries_does_not_judge_the_place() -> None:
    anywhere = make_policy('[[apps]]\nname = "*"\ndata_class = "personal"\n')
    assert RULE not in rules(user(attached()), anywhere)


def test_an_owner_in_the_apps_own_region_is_left_to_region_not_allowed() -> None:
    found = rules(user(attached(region="us"), region="us"))
    assert "region-not-allowed" in found and RULE not in found


def test_an_owner_region_gatekeeper_does_not_know_blocks() -> None:
    f = finding(run(make_estate(user(attached(region="mars"))), policy()), "eu-app", RULE)
    assert "region mars, which is not in gatekeeper's region table" in f.message
    assert "fail closed" in f.message


def test_an_owner_region_missing_from_the_facts_blocks() -> None:
    """An older snapshot: the add-on is owned elsewhere but its owner's region was never read."""
    f = finding(run(make_estate(user(attached(region=None))), policy()), "eu-app", RULE)
    assert "the facts do not say which region" in f.message and "Fail closed" in f.message
    assert "gatekeeper snapshot" in f.remediation


def test_an_owner_that_could_not_be_read_is_the_api_error_alone() -> None:
    error = FactError(fact="addon-attachments", message="The app us-owner ... HTTP 403")
    found = rules(user(attached(region=None), errors=(error,)))
    assert "api-error" in found and RULE not in found


def test_an_add_on_the_app_owns_itself_is_judged_by_the_apps_region() -> None:
    own = make_app("eu-app", region="eu", addons=("heroku-postgresql:standard-0",))
    assert RULE not in rules(own)


def test_a_third_party_add_on_attached_from_a_us_app_is_judged_by_its_agreement() -> None:
    found = rules(user(attached("sentry:f1")))
    assert "addon-no-agreement" in found and RULE not in found


def test_a_waiver_for_the_service_covers_it() -> None:
    waived = make_policy(f"""
        [classes.personal]
        countries = ["EEA", "adequate"]
        [[apps]]
        name = "*"
        data_class = "personal"
        [[waivers]]
        rule = "{RULE}"
        app = "eu-app"
        subject = "heroku-postgresql"
        reason = "Test data only"
        approved_by = "DPO"
        expires = 2030-01-01
    """)
    report = run(make_estate(user(attached())), waived)
    assert RULE in rules_of(report, "eu-app") and RULE not in rules_of(
        report, "eu-app", unwaived=True
    )
