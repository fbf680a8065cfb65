"""app.json: the add-ons and stack ``gatekeeper plan`` reads, every problem with its line."""

from __future__ import annotations

import pytest

from gatekeeper.appjson import PlannedAddOn, parse_app_json
from gatekeeper.errors import InputFileError


def test_strings_and_objects_are_read_and_other_keys_passed_over() -> None:
    manifest = parse_app_json(
        """{
  "name": "oTree",
  "env": {"OTREE_PRODUCTION": {"value": "1"}},
  "formation": {"web": {"quantity": 1}},
  "stack": "heroku-24",
  "addons": [
    "heroku-postgresql:essential-0",
    "papertrail",
    {"plan": "heroku-redis:mini", "as": "REDIS", "options": {"version": "7"}},
    "heroku-inference:claude-3-7-sonnet"
  ]
}""",
        name="app.json",
    )
    assert manifest.stack == "heroku-24"
    assert manifest.addons == (
        PlannedAddOn("heroku-postgresql", "heroku-postgresql:essential-0"),
        PlannedAddOn("papertrail", "papertrail"),
        PlannedAddOn("heroku-redis", "heroku-redis:mini", "REDIS"),
        PlannedAddOn("heroku-inference", "heroku-inference:claude-3-7-sonnet"),
    )
    # "papertrail" names only the service: Heroku provisions its default plan
    assert [a.names_plan for a in manifest.addons] == [True, False, True, True]


def test_no_addons_is_an_app_without_addons() -> None:
    assert parse_app_json("{}").addons == ()


def test_every_problem_is_reported_at_once_with_its_line_and_key() -> None:
    text = """{
  "addons": [
    {"plan": "heroku-postgresql:essential-0", "as": "database url"},
    {"plan": "papertrail:choklad", "plan_name": "x"},
    {"plan": ["x"]},
    "heroku-postgresql:",
    {"plan": "ok:fine", "options": 3}
  ],
  "stack": false
}
"""
    with pytest.raises(InputFileError) as raised:
        parse_app_json(text, name="review/app.json")
    found = [(p.line, p.key) for p in raised.value.problems]
    assert found == [
        (3, "addons[0].as"),
        (4, "addons[1].plan_name"),
        (5, "addons[2].plan"),
        (6, "addons[3]"),
        (7, "addons[4].options"),
        (9, "stack"),
    ]
    assert all(p.file == "review/app.json" for p in raised.value.problems)
    assert raised.value.exit_code == 2


def test_a_hostile_plan_is_quoted_in_the_message() -> None:
    with pytest.raises(InputFileError) as raised:
        parse_app_json('{"addons": ["x\\n::error::forged"]}')
    assert "\n" not in str(raised.value)


REVIEW = """{
  "addons": ["heroku-postgresql:standard-0", "papertrail:choklad"],
  "environments": {
    "review": {"addons": ["heroku-postgresql:essential-0"]},
    "test": {"addons": [3]}
  }
}
"""


def test_an_environment_overrides_the_top_level_addons_as_heroku_does() -> None:
    assert parse_app_json(REVIEW).addons[1].service == "papertrail"
    review = parse_app_json(REVIEW, environment="review")
    assert [a.plan for a in review.addons] == ["heroku-postgresql:essential-0"]
    assert review.environment == "review" and parse_app_json(REVIEW).environment is None
    # An environment without an entry keeps the top-level keys.
    assert len(parse_app_json(REVIEW, environment="staging").addons) == 2


def test_an_environment_override_is_validated_with_its_line() -> None:
    with pytest.raises(InputFileError) as raised:
        parse_app_json(REVIEW, name="app.json", environment="test")
    (problem,) = raised.value.problems
    assert (problem.line, problem.key) == (5, "environments.test.addons[0]")
