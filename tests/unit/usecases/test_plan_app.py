"""The ``plan`` use case with a fake of what exists: the would-be app and its judgement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gatekeeper import facts
from gatekeeper.appjson import AppManifest, PlannedAddOn
from gatekeeper.collect.plan import Surroundings
from gatekeeper.errors import UsageError
from gatekeeper.needs import Needs
from gatekeeper.policy import load_policy
from gatekeeper.usecases.plan import UNNAMED, PlannedApp, plan_app

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
