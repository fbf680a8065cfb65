"""addon-outside-region, heroku-connect, postgres-backups."""

from __future__ import annotations

import pytest
from demo_facts import finding, make_app, make_estate, make_policy, rules_of, run

DATA_RULES = {"addon-outside-region", "heroku-connect", "postgres-backups"}


def policy(countries: str | None = '["EEA"]', data_class: str = "personal", mechanism: str = "scc"):
    countries_line = f"countries = {countries}" if countries is not None else ""
    return make_policy(f"""
        [classes.{data_class}]
        {countries_line}
        [[agreements]]
        id = "salesforce-dpa"
        heroku = true
        enterprise_accounts = ["uni-example"]
        mechanism = "{mechanism}"
        expires = 2030-01-01
        [[apps]]
        name = "*"
        data_class = "{data_class}"
    """)


def data_rules(
    plans: tuple[str, ...],
    *,
    region: str | None = "eu",
    space: str | None = None,
    **kwargs: str | None,
) -> set[str]:
    app = make_app("app", addons=plans, region=region, space=space)
    return rules_of(run(make_estate(app), policy(**kwargs)), "app") & DATA_RULES  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("plan", "region", "space", "outside"),
    [
        ("heroku-postgresql:essential-0", "frankfurt", "uni-frankfurt", True),
        ("heroku-postgresql:essential-2", "dublin", "bio-shield", True),  # Dublin is not "eu"
        ("heroku-postgresql:essential-0", "eu", None, False),
        ("heroku-postgresql:essential-0", "us", None, False),
        ("heroku-postgresql:mini", "frankfurt", "uni-frankfurt", True),  # legacy names
        ("heroku-postgresql:hobby-dev", "tokyo", None, True),
        ("heroku-postgresql:private-0", "frankfurt", "uni-frankfurt", False),
        ("heroku-postgresql:shield-0", "dublin", "bio-shield", False),
        ("heroku-postgresql:standard-0", "frankfurt", "uni-frankfurt", False),
        ("heroku-postgresql:essentials-9", "frankfurt", "uni-frankfurt", True),  # unknown plan
        ("heroku-postgresql:essentials-9", "eu", None, True),  # ... fails closed anywhere
        ("heroku-kafka:basic-0", "frankfurt", "uni-frankfurt", False),  # no tier table for it
        ("heroku-redis:mini", "frankfurt", "uni-frankfurt", True),
        ("heroku-redis:private-7", "frankfurt", "uni-frankfurt", False),
        ("heroku-postgresql:essential-0", "mars", None, False),  # region unknown: no guess
    ],
)
def test_addon_outside_region(plan: str, region: str, space: str | None, outside: bool) -> None:
    found = "addon-outside-region" in data_rules(
        (plan,), region=region, space=space, countries=None
    )
    assert found is outside


def test_outside_region_message() -> None:
    app = make_app(
        "frankfurt-exp",
        region="frankfurt",
        space="uni-frankfurt",
        addons=("heroku-postgresql:essential-0",),
    )
    f = finding(run(make_estate(app), policy()), "frankfurt-exp", "addon-outside-region")
    assert f.severity == "warn"
    assert "exists only in eu (Dublin, Ireland) and us (Virginia, United States)" in f.message
    assert "not inside its Private Space" in f.message
    assert "heroku addons:create heroku-postgresql:private-0 -a frankfurt-exp" in f.remediation
    assert any(e.kind == "knowledge" for e in f.evidence)


def test_heroku_connect() -> None:
    assert "heroku-connect" in data_rules(("herokuconnect:demo",))
    f = finding(
        run(make_estate(make_app("c", addons=("herokuconnect:demo",))), policy()),
        "c",
        "heroku-connect",
    )
    assert f.severity == "warn" and f.subject == "herokuconnect-c-0"


@pytest.mark.parametrize(
    ("countries", "mechanism", "region", "expected"),
    [
        ('["EEA"]', "scc", "eu", True),
        ('["EEA", "adequate"]', "scc", "eu", True),
        ('["EEA", "adequate"]', "dpf", "eu", False),  # US allowed for a DPF-certified Heroku
        ('["EEA", "US"]', "scc", "eu", False),
        (None, "scc", "eu", False),  # no country constraint
        ('["US"]', "scc", "us", False),
        ('["EEA"]', "scc", "us", False),  # region-not-allowed says it already
    ],
)
def test_postgres_backups(
    countries: str | None, mechanism: str, region: str, expected: bool
) -> None:
    found = "postgres-backups" in data_rules(
        ("heroku-postgresql:standard-0",), region=region, countries=countries, mechanism=mechanism
    )
    assert found is expected


def test_postgres_backups_once_per_database() -> None:
    app = make_app("app", addons=("heroku-postgresql:standard-0", "heroku-postgresql:premium-0"))
    report = run(make_estate(app), policy())
    backups = [f for f in report.apps[0].findings if f.rule == "postgres-backups"]
    assert [f.subject for f in backups] == ["heroku-postgresql-app-0", "heroku-postgresql-app-1"]
    assert {f.severity for f in backups} == {"info"}
    assert report.apps[0].decision == "allow"


def test_class_none_raises_none_of_them() -> None:
    plans = ("heroku-postgresql:essential-0", "herokuconnect:demo")
    assert data_rules(plans, region="frankfurt", space="uni-frankfurt", data_class="none") == set()


def test_heroku_connect_is_the_service_herokuconnect() -> None:
    """heroku-connect is the CLI plugin's name, not an add-on service: it is a third party."""
    assert "heroku-connect" not in data_rules(("heroku-connect:demo",))


def test_heroku_applink() -> None:
    f = finding(
        run(make_estate(make_app("l", addons=("heroku-applink:base",))), policy()),
        "l",
        "heroku-applink",
    )
    assert f.severity == "warn" and f.subject == "heroku-applink-l-0"
    assert "Heroku AppLink" in f.message and "Salesforce" in f.message
    assert 'rule = "heroku-applink"' in f.remediation
    assert "heroku-applink" not in data_rules(("heroku-applink:base",), data_class="none")


@pytest.mark.parametrize(
    ("plan", "space", "noted"),
    [
        ("heroku-postgresql:standard-0", "uni-frankfurt", True),
        ("heroku-postgresql:premium-0", "uni-frankfurt", True),
        ("heroku-postgresql:private-0", "uni-frankfurt", False),
        ("heroku-postgresql:standard-0", None, False),
    ],
)
def test_a_space_databases_region_is_not_verifiable(
    plan: str, space: str | None, noted: bool
) -> None:
    app = make_app("db", addons=(plan,), region="frankfurt" if space else "eu", space=space)
    f = finding(run(make_estate(app), policy()), "db", "postgres-backups")
    assert ("can be created in another region" in f.message) is noted
    assert "PGBackups" in f.message
