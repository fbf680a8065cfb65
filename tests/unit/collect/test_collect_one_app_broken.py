"""One app's broken answer is that app's problem (issue 10, item 6): its detail request
failing in any way (a body too deeply nested to decode included), or one item of it not
validating for any reason (``RecursionError`` included), becomes that app's ``FactError``
(an ``api-error`` block); the other apps are judged and the audit goes on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from collect_fakes import FakeApi, addon, drain, team, uid
from test_collect_app import SyncFakeApi

from gatekeeper import records
from gatekeeper.collect import AuditScope, collect_app, collect_app_sync, collect_estate, parse
from gatekeeper.facts import Estate
from gatekeeper.heroku import models, protocol

SCOPE = AuditScope(teams=("psych", "bio"))


def audit(routes: dict[str, Any]) -> dict[str, Any]:
    estate: Estate = asyncio.run(collect_estate(FakeApi(routes), SCOPE))
    return {a.name: a for a in estate.apps}


def test_a_drain_list_too_deep_to_decode_is_an_error_of_its_app(routes: dict[str, Any]) -> None:
    routes["/apps/trial/log-drains"] = RecursionError("maximum recursion depth exceeded")
    apps = audit(routes)
    assert [(e.fact, e.status) for e in apps["trial"].errors] == [("log-drains", None)]
    assert "nested too deeply" in apps["trial"].errors[0].message
    assert apps["trial"].log_drains is None
    assert not apps["survey"].errors and not apps["lab-exp"].errors


@pytest.fixture
def unvalidatable(monkeypatch: pytest.MonkeyPatch) -> str:
    """Items whose URL is this marker raise ``RecursionError`` when validated, as a validator
    recursing through a deeply nested item would."""
    marker = "https://deep.example.io/"

    def read(model: type[Any], data: Any) -> Any:
        if model is models.LogDrain and isinstance(data, dict) and data.get("url") == marker:
            raise RecursionError("maximum recursion depth exceeded while validating")
        return records.read(model, data)

    # Wherever an answer is read: item by item (collect.parse) or whole (heroku.protocol).
    monkeypatch.setattr(parse, "read", read)
    monkeypatch.setattr(protocol, "read", read)
    return marker


def test_a_drain_item_that_cannot_be_validated_is_an_error_of_its_app(
    routes: dict[str, Any], unvalidatable: str
) -> None:
    routes["/apps/trial/log-drains"] = [drain(unvalidatable, "trial")]
    apps = audit(routes)
    (error,) = apps["trial"].errors
    assert error.fact == "log-drains" and "nested too deeply" in error.message
    assert not apps["survey"].errors and not apps["lab-exp"].errors


@pytest.mark.parametrize("run", ["async", "sync"])
def test_check_reports_the_broken_detail_instead_of_crashing(
    routes: dict[str, Any], unvalidatable: str, run: str
) -> None:
    routes["/apps/trial"] = routes["/apps"][2]
    routes[f"/teams/{uid('team', 'bio')}"] = team("bio", "uni")
    routes["/apps/trial/addons"] = []
    routes["/apps/trial/log-drains"] = [drain(unvalidatable, "trial")]
    api = FakeApi(routes)
    if run == "async":
        estate = asyncio.run(collect_app(api, "trial"))
    else:
        estate = collect_app_sync(SyncFakeApi(api), "trial")  # type: ignore[arg-type]
    (trial,) = estate.apps
    assert [e.fact for e in trial.errors] == ["log-drains"]
    assert trial.log_drains is None and trial.team == "bio"


def test_a_malformed_add_on_in_a_team_list_is_an_error_of_its_app_only(
    routes: dict[str, Any],
) -> None:
    broken = addon("pg-broken", "heroku-postgresql:essential-0", "lab-exp")
    del broken["plan"]
    routes["/teams/psych/addons"] = [*routes["/teams/psych/addons"], broken]
    apps = audit(routes)
    (error,) = apps["lab-exp"].errors
    assert error.fact == "addons" and "plan" in error.message
    assert apps["lab-exp"].addons == ()
    assert not apps["survey"].errors  # same team, its add-ons are read
    assert {a.name for a in apps["survey"].addons} == {"pg-one", "pt-one"}


def test_a_malformed_add_on_of_no_known_app_is_an_error_of_every_app_listed(
    routes: dict[str, Any],
) -> None:
    routes["/teams/psych/addons"] = [*routes["/teams/psych/addons"], {"id": "x"}]
    apps = audit(routes)
    assert [e.fact for e in apps["survey"].errors] == ["addons"]
    assert [e.fact for e in apps["lab-exp"].errors] == ["addons"]
    assert not apps["trial"].errors  # another team's listing
