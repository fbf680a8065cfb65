"""The ``plan`` use case with a fake of what exists: the would-be app and its judgement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gatekeeper import facts
from gatekeeper.appjson import AppManifest, PlannedAddOn
from gatekeeper.collect.plan import Surroundings
from gatekeeper.errors import UsageError
from gatekeeper.knowledge.addons import DEFAULT_PLANS, plan_tier
from gatekeeper.needs import Needs
from gatekeeper.policy import load_policy
from gatekeeper.usecases.check import CheckOutcome
from gatekeeper.usecases.plan import UNNAMED, PlannedApp, judged_plan, plan_app

POLICY = load_policy(Path(__file__).resolve().parents[3] / "gatekeeper/examples/university.toml")
REGIONS = (
    facts.Region(name="eu", country="Ireland"),
    facts.Region(name="us", country="United States"),
    facts.Region(name="frankfurt", country="Germany", private_capable=True),
)
TEAM = facts.Team(id="t1", name="psych-lab", enterprise_account="uni-example")
EA = facts.EnterpriseAccount(id="e1", name="uni-example")
SPACE = facts.Space(id="s1", name="lab-space", region="frankfurt", team="psych-lab")
MANIFEST = AppManifest(
    path="app.json", addons=(PlannedAddOn("heroku-postgresql", "heroku-postgresql:essential-0"),)
)


class FakeSurroundings:
    def __init__(self, *, errors: tuple[facts.FactError, ...] = ()) -> None:
        self.asked: list[tuple[str | None, str | None]] = []
        self.errors = errors

    def surroundings(self, *, team: str | None, space: str | None, needs: Needs) -> Surroundings:
        self.asked.append((team, space))
        owner = team or (SPACE.team if space else None)
        estate = facts.Estate(
            teams=(TEAM,) if owner else (),
            enterprise_accounts=(EA,) if owner else (),
            spaces=(SPACE,) if space else (),
            regions=REGIONS,
        )
        email = None if owner else "jane@uni-example.edu"
        return Surroundings(estate=estate, team=owner, owner_email=email, errors=self.errors)


def test_the_would_be_app_is_owned_by_the_team_in_the_region_with_the_addons() -> None:
    outcome = plan_app(
        PlannedApp(MANIFEST, team="psych-lab", region="eu", name="otree-study"),
        policy=POLICY,
        source=FakeSurroundings(),
        today=date(2026, 1, 5),
    )
    (app,) = outcome.report.apps
    assert (app.name, app.team, app.region, app.data_class) == (
        "otree-study",
        "psych-lab",
        "eu",
        "pseudonymous",
    )
    assert outcome.exit_code == 0


def test_a_space_gives_region_and_team() -> None:
    source = FakeSurroundings()
    outcome = plan_app(
        PlannedApp(MANIFEST, space="lab-space"),
        policy=POLICY,
        source=source,
        today=date(2026, 1, 5),
    )
    (app,) = outcome.report.apps
    assert (app.name, app.team, app.region, app.space) == (
        UNNAMED,
        "psych-lab",
        "frankfurt",
        "lab-space",
    )
    assert source.asked == [(None, "lab-space")]


def test_no_team_is_a_personal_account() -> None:
    outcome = plan_app(
        PlannedApp(MANIFEST, region="eu", name="otree-study"),
        policy=POLICY,
        source=FakeSurroundings(),
        today=date(2026, 1, 5),
    )
    rules = {f.rule for f in outcome.report.apps[0].findings}
    assert "personal-account" in rules and outcome.exit_code == 1


def test_what_could_not_be_read_fails_closed() -> None:
    error = facts.FactError(fact="team", message="HTTP 503", status=503)
    outcome = plan_app(
        PlannedApp(MANIFEST, team="psych-lab", region="eu", name="otree-study"),
        policy=POLICY,
        source=FakeSurroundings(errors=(error,)),
        today=date(2026, 1, 5),
    )
    assert outcome.exit_code == 3 and outcome.status == "could-not-evaluate"


def test_region_and_space_together_are_refused_before_any_read() -> None:
    source = FakeSurroundings()
    with pytest.raises(UsageError):
        plan_app(PlannedApp(MANIFEST, region="eu", space="lab-space"), policy=POLICY, source=source)
    assert source.asked == []


@pytest.mark.parametrize(
    ("plan", "in_space", "shield", "judged"),
    [
        ("heroku-postgresql", False, False, "heroku-postgresql:essential-0"),
        ("heroku-postgresql", True, False, "heroku-postgresql:private-0"),
        ("heroku-postgresql", True, True, "heroku-postgresql:shield-0"),
        ("heroku-redis", False, False, "heroku-redis:mini"),
        ("heroku-redis", True, False, "heroku-redis:private-7"),
        ("heroku-redis", True, True, "heroku-redis:shield-7"),
        # a plan app.json names is judged as named, wherever the app is
        ("heroku-postgresql:standard-0", True, False, "heroku-postgresql:standard-0"),
        # no default known: the bare service, judged by its service alone
        ("papertrail", False, False, "papertrail"),
        ("heroku-inference", False, False, "heroku-inference"),
    ],
)
def test_a_bare_service_is_judged_with_the_plan_heroku_provisions(
    plan: str, in_space: bool, shield: bool, judged: str
) -> None:
    addon = PlannedAddOn(plan.split(":")[0], plan)
    assert judged_plan(addon, in_space=in_space, shield=shield) == judged


def test_every_default_plan_has_a_known_tier_and_a_source() -> None:
    for default in DEFAULT_PLANS.values():
        for plan in (default.common_runtime, default.private_space, default.shield_space):
            assert plan_tier(default.service, plan) is not None, (default.service, plan)
        assert default.source.url.startswith("https://")
    # in a space the default lives with the app; in the Common Runtime it is in us or eu
    assert plan_tier("heroku-postgresql", "private-0").regions is None  # type: ignore[union-attr]
    assert plan_tier("heroku-postgresql", "essential-0").regions == {"us", "eu"}  # type: ignore[union-attr]


def _plan(manifest: AppManifest, **where: str) -> CheckOutcome:
    return plan_app(
        PlannedApp(manifest, name="otree-study", **where),
        policy=POLICY,
        source=FakeSurroundings(),
        today=date(2026, 1, 5),
    )


BARE = AppManifest(
    path="app.json",
    addons=(
        PlannedAddOn("heroku-postgresql", "heroku-postgresql"),
        PlannedAddOn("heroku-redis", "heroku-redis", attachment="REDIS"),
    ),
)


def test_bare_heroku_data_services_in_eu_are_allowed_with_a_notice_of_the_plans() -> None:
    outcome = _plan(BARE, team="psych-lab", region="eu")
    (app,) = outcome.report.apps
    assert outcome.exit_code == 0 and app.decision == "allow"
    assert {f.rule for f in app.findings} == {"postgres-backups"}
    (notice,) = [n.text for n in outcome.notices if "names no plan" in n.text]
    assert "heroku-postgresql:essential-0" in notice and "heroku-redis:mini as redis" in notice


def test_bare_heroku_data_services_in_a_space_get_its_private_plans() -> None:
    outcome = _plan(BARE, space="lab-space")
    rules = {f.rule for f in outcome.report.apps[0].findings}
    # named essential/mini plans would warn here; the private defaults live in the space
    assert "addon-outside-region" not in rules
    assert any("heroku-postgresql:private-0" in n.text for n in outcome.notices)


def test_a_bare_service_without_a_known_default_is_judged_by_its_service() -> None:
    manifest = AppManifest(path="app.json", addons=(PlannedAddOn("mailgun", "mailgun"),))
    outcome = _plan(manifest, team="psych-lab", region="eu")
    (finding,) = [f for f in outcome.report.apps[0].findings if f.rule == "addon-no-agreement"]
    assert finding.severity == "block" and outcome.exit_code == 1
    # the agreement does not depend on the plan: its fix is the rule's own
    assert "names no plan" not in finding.remediation
    assert any("names no plan for mailgun" in n.text for n in outcome.notices)


def test_where_the_plan_decides_an_unnamed_plan_fails_closed_and_says_to_name_it() -> None:
    manifest = AppManifest(
        path="app.json", addons=(PlannedAddOn("heroku-inference", "heroku-inference"),)
    )
    outcome = _plan(manifest, team="psych-lab", region="eu")
    (finding,) = [
        f for f in outcome.report.apps[0].findings if f.rule == "addon-location-not-allowed"
    ]
    assert finding.severity == "block" and outcome.exit_code == 1
    assert finding.remediation.startswith("app.json names no plan for heroku-inference")
    assert '"heroku-inference:PLAN"' in finding.remediation


@pytest.mark.parametrize(
    ("error", "where", "says", "never"),
    [
        (
            facts.FactError(fact="team", message="not found", status=404),
            {"team": "psych-lab", "region": "eu"},
            ["--team (psych-lab)", "`heroku teams`"],
            "apps:info",
        ),
        (
            facts.FactError(fact="space", message="forbidden", status=403),
            {"team": "psych-lab", "space": "lab-space"},
            ["--space (lab-space)", "`heroku spaces --team psych-lab`", "member"],
            "apps:info",
        ),
        (
            facts.FactError(fact="team", message="HTTP 503", status=503),
            {"team": "psych-lab", "region": "eu"},
            ["run again"],
            "apps:info",
        ),
    ],
)
def test_an_api_error_of_a_plan_says_what_to_check_not_an_app(
    error: facts.FactError, where: dict[str, str], says: list[str], never: str
) -> None:
    outcome = plan_app(
        PlannedApp(MANIFEST, name="otree-study", **where),
        policy=POLICY,
        source=FakeSurroundings(errors=(error,)),
        today=date(2026, 1, 5),
    )
    (finding,) = [f for f in outcome.report.apps[0].findings if f.rule == "api-error"]
    assert finding.subject == error.fact and outcome.exit_code == 3
    for text in says:
        assert text in finding.remediation
    assert never not in finding.remediation and "(new app)" not in finding.remediation


def test_a_review_environment_says_heroku_picks_the_plans_of_short_lived_apps() -> None:
    review = AppManifest(path="app.json", addons=MANIFEST.addons, environment="review")
    outcome = _plan(review, team="psych-lab", region="eu")
    assert any("overrides the plan app.json names" in n.text for n in outcome.notices)
    staging = AppManifest(path="app.json", addons=MANIFEST.addons, environment="staging")
    notices = _plan(staging, team="psych-lab", region="eu").notices
    assert not any("short-lived" in n.text for n in notices)
