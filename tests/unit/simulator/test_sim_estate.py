"""The demo estate is exactly the brief's; ``to_facts`` is the ground truth per token;
``from_facts`` serves a snapshot; ``generate_estate`` is deterministic and mixed."""

from __future__ import annotations

import pytest

from gatekeeper import facts, serial
from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    SimEstate,
    demo_estate,
    generate_estate,
)

# The demo estate of the helpers' brief: app -> (owner, region, space, add-on plans, drains).
BRIEF: dict[str, tuple[str, str, str | None, list[str], list[str]]] = {
    "survey": (
        "psych-lab",
        "eu",
        None,
        ["heroku-postgresql:essential-0", "papertrail:choklad", "sendgrid:starter"],
        ["logs.papertrailapp.com"],
    ),
    "otree-study": (
        "psych-lab",
        "eu",
        None,
        # sentry: bio-dashboard's, attached
        ["heroku-postgresql:standard-0", "heroku-redis:mini", "scheduler:standard", "sentry:f1"],
        ["syslog+tls://logs.uni-example.edu:6514"],
    ),
    "fir-survey": ("psych-lab", "frankfurt", "uni-fir", [], []),
    "experiment-us": ("psych-lab", "us", None, ["heroku-postgresql:essential-0"], []),
    "frankfurt-exp": (
        "psych-lab",
        "frankfurt",
        "uni-frankfurt",
        ["heroku-postgresql:essential-0", "heroku-postgresql:private-0", "heroku-applink:base"],
        [],
    ),
    "clinical-trial": (
        "bio-lab",
        "dublin",
        "bio-shield",
        ["heroku-postgresql:shield-0", "herokuconnect:demo"],
        [],
    ),
    "bio-dashboard": (
        "bio-lab",
        "eu",
        None,
        ["sentry:f1", "heroku-inference:claude-3-5-haiku"],
        ["https://logs.example-logging.io/ingest"],
    ),
    "econ-game": ("econ-lab", "eu", None, [], []),
    "econ-archive": ("econ-lab", "us", None, [], []),
    "student-game": ("student-projects", "eu", None, ["heroku-redis:mini"], []),
    "jdoe-thesis": ("jane.doe@uni-example.edu", "eu", None, ["heroku-postgresql:essential-0"], []),
}


def test_demo_estate_is_the_brief() -> None:
    estate = demo_estate()
    assert [e.name for e in estate.enterprise_accounts] == ["uni-example"]
    assert {t.name: t.enterprise_account for t in estate.teams} == {
        "psych-lab": "uni-example",
        "bio-lab": "uni-example",
        "econ-lab": "uni-example",
        "student-projects": None,
    }
    assert {(s.name, s.region, s.shield, s.team) for s in estate.spaces} == {
        ("uni-frankfurt", "frankfurt", False, "psych-lab"),
        ("bio-shield", "dublin", True, "bio-lab"),
        ("uni-fir", "frankfurt", False, "psych-lab"),
    }
    truth = estate.to_facts()
    assert [a.name for a in truth.apps] == sorted(BRIEF)
    for app in truth.apps:
        owner, region, space, plans, drains = BRIEF[app.name]
        assert (app.team or app.owner_email) == owner
        assert app.owner == ("person" if "@" in owner else "team")
        assert (app.region, app.space) == (region, space)
        assert sorted(o.plan for o in app.addons) == sorted(plans)
        assert app.log_drains is not None
        shown = [d.url if d.addon is None else d.host for d in app.log_drains]
        assert shown == drains
    survey_drain = truth.apps[[a.name for a in truth.apps].index("survey")].log_drains
    assert survey_drain is not None and survey_drain[0].addon is not None
    assert survey_drain[0].addon.startswith("papertrail-")


def test_demo_tokens() -> None:
    estate = demo_estate()
    admin = estate.token(DEMO_ADMIN_TOKEN)
    jdoe = estate.token(DEMO_JDOE_TOKEN)
    assert admin is not None and admin.email == "admin@uni-example.edu"
    assert jdoe is not None and jdoe.email == "jane.doe@uni-example.edu"
    assert DEMO_ADMIN_TOKEN not in repr(admin)


def test_to_facts_for_the_admin_sees_everything() -> None:
    truth = demo_estate().to_facts(DEMO_ADMIN_TOKEN)
    assert truth == demo_estate().to_facts()
    assert [t.name for t in truth.teams] == ["bio-lab", "econ-lab", "psych-lab", "student-projects"]
    assert [e.name for e in truth.enterprise_accounts] == ["uni-example"]
    assert len(truth.regions) == 12
    frankfurt = truth.region("frankfurt")
    assert frankfurt == facts.Region(
        name="frankfurt", country="Germany", provider_region="eu-central-1", private_capable=True
    )


def test_to_facts_for_a_researcher() -> None:
    truth = demo_estate().to_facts(DEMO_JDOE_TOKEN)
    assert [a.name for a in truth.apps] == [
        "experiment-us",
        "fir-survey",
        "frankfurt-exp",
        "jdoe-thesis",
        "otree-study",
        "survey",
    ]
    assert [t.name for t in truth.teams] == ["psych-lab"]
    # The team's enterprise account is known from the team, even without access to it.
    assert [e.name for e in truth.enterprise_accounts] == ["uni-example"]
    assert [s.name for s in truth.spaces] == ["uni-fir", "uni-frankfurt"]
    # otree-study attaches bio-dashboard's sentry; jdoe cannot read bio-dashboard (bio-lab)
    otree = next(a for a in truth.apps if a.name == "otree-study")
    assert [(e.fact, e.status) for e in otree.errors] == [("addon-attachments", 403)]
    assert "bio-dashboard" in otree.errors[0].message
    assert [a.owner_region for a in otree.addons if a.service == "sentry"] == [None]
    assert all(not a.errors for a in truth.apps if a.name != "otree-study")


def test_to_facts_rejects_a_foreign_token() -> None:
    with pytest.raises(ValueError):
        demo_estate().to_facts("HRKU-not-in-the-estate")


def test_facts_never_keep_drain_secrets() -> None:
    dump = serial.to_json(demo_estate().to_facts())
    assert "s3cr3t-drain-token" not in dump
    assert "https://logs.example-logging.io/ingest" in dump


def test_from_facts_round_trips() -> None:
    truth = demo_estate().to_facts()
    served = SimEstate.from_facts(truth)
    again = served.to_facts()
    assert again.apps == truth.apps
    assert again.teams == truth.teams
    assert again.spaces == truth.spaces
    assert again.enterprise_accounts == truth.enterprise_accounts
    assert served.token(DEMO_ADMIN_TOKEN) is not None


def test_from_facts_fills_gaps_in_a_snapshot() -> None:
    snapshot = facts.Estate(
        apps=(
            facts.App(
                id="app-1",
                name="lonely",
                owner="team",
                team="ghost-team",
                region=None,
                space="ghost-space",
            ),
        )
    )
    estate = SimEstate.from_facts(snapshot)
    assert estate.team("ghost-team") is not None
    assert estate.space("ghost-space") is not None
    app = estate.app("lonely")
    assert app is not None and len(app.id) == 36  # a non-UUID id becomes a stable UUID
    assert app.region is None


def test_generate_is_deterministic() -> None:
    one = generate_estate(apps=300, seed=7)
    two = generate_estate(apps=300, seed=7)
    assert one.to_facts() == two.to_facts()
    assert generate_estate(apps=300, seed=8).to_facts() != one.to_facts()


def test_generated_estate_has_the_promised_mix() -> None:
    estate = generate_estate(apps=1200, teams=5, addons_per_app=2, drains=True)
    assert len(estate.apps) == 1200
    assert len({a.name for a in estate.apps}) == 1200
    assert {t.enterprise_account for t in estate.teams} == {"uni-example"}
    assert sorted({a.team for a in estate.apps}) == sorted(t.name for t in estate.teams)
    regions = {a.region for a in estate.apps}
    assert {"eu", "us", "frankfurt", "dublin", "oregon"} <= regions
    assert any(s.shield for s in estate.spaces)
    assert all(len(a.addons) == 2 for a in estate.apps)
    services = {o.service for a in estate.apps for o in a.addons}
    assert {"heroku-postgresql", "papertrail", "sendgrid", "sentry"} <= services
    custom = [d for a in estate.apps for d in a.log_drains if d.addon is None]
    by_addon = [d for a in estate.apps for d in a.log_drains if d.addon is not None]
    assert custom and by_addon
    assert len({o.name for a in estate.apps for o in a.addons}) == 2400  # names are unique
    assert len({d.id for a in estate.apps for d in a.log_drains}) == len(custom) + len(by_addon)


def test_generate_without_drains_or_enterprise() -> None:
    estate = generate_estate(apps=50, teams=2, enterprise=None, addons_per_app=0, drains=False)
    assert estate.enterprise_accounts == []
    assert all(a.addons == [] and a.log_drains == [] for a in estate.apps)
    with pytest.raises(ValueError):
        generate_estate(apps=10, teams=0)
