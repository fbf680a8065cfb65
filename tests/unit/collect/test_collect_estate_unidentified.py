"""An app list entry without an id or a name is not dropped: it is blocked (fail closed)."""

from __future__ import annotations

from gatekeeper.collect.parse import broken_app, parse_item, unnamed_app
from gatekeeper.heroku import models


def test_an_entry_without_id_or_name_becomes_a_blocked_stand_in() -> None:
    raw = {"region": {"id": "x", "name": "eu"}}
    problem = parse_item(raw, models.TeamApp)
    assert isinstance(problem, str)
    assert broken_app(raw, problem, team="psych-lab") is None
    app = unnamed_app(4, problem, team="psych-lab")
    assert app.name == "unidentified-app-5"
    assert app.team == "psych-lab"
    assert app.errors and app.errors[0].fact == "app"
    assert "Entry 5 of team psych-lab's app list" in app.errors[0].message


def test_the_stand_in_is_blocked_by_the_engine() -> None:
    from datetime import date

    from gatekeeper.engine import evaluate
    from gatekeeper.facts import Estate
    from gatekeeper.policy import loads_policy

    app = unnamed_app(0, "id: Field required", team=None)
    report = evaluate(Estate(apps=(app,)), loads_policy("version = 1\n"), date(2026, 11, 26))
    assert report.decision == "block"
    assert next(f.rule for f in report.apps[0].findings if not f.waived) == "api-error"
