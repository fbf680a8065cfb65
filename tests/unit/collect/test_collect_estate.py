"""``collect_estate``: what it asks for, what it builds, and how it fails (per app, or not at
all), against ``FakeApi`` (no HTTP; the e2e tests run it over HTTP)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from collect_fakes import FakeApi, forbidden, server_error, team_app

from gatekeeper.collect import AuditScope, collect_estate, request_budget
from gatekeeper.errors import ForbiddenError, NotFoundError
from gatekeeper.facts import Estate
from gatekeeper.needs import Needs

NO_DRAINS = Needs.everything().without("log-drains")  # [logs] check_drains = false


class RecordingProgress:
    """A ``Progress`` that keeps every call."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def phase(self, name: str, total: int | None = None) -> None:
        self.events.append(("phase", name, total))

    def advance(self, n: int = 1) -> None:
        self.events.append(("advance", n))

    def status(
        self, *, requests: int, rate_remaining: int | None, pages: int | None = None
    ) -> None:
        self.events.append(("status", requests, rate_remaining, pages))

    def close(self) -> None:
        self.events.append(("close",))


def collect(api: FakeApi, scope: AuditScope, **options: Any) -> Estate:
    return asyncio.run(collect_estate(api, scope, **options))


def apps_of(estate: Estate) -> dict[str, Any]:
    return {a.name: a for a in estate.apps}


def test_named_teams_use_team_lists_and_one_drain_request_per_app(routes: dict[str, Any]) -> None:
    api = FakeApi(routes)
    scope = AuditScope(teams=("psych", "bio"))
    estate = collect(api, scope)
    per_app = sorted(c for c in api.calls if c.startswith("/apps/"))
    assert per_app == [
        "/apps/lab-exp/log-drains",
        "/apps/survey/log-drains",
        "/apps/trial/log-drains",
    ]
    assert sorted(c for c in api.calls if not c.startswith("/apps/")) == sorted(
        [
            "/account/rate-limits",
            "/regions",
            "/spaces",
            "/addon-attachments",
            "/teams/bio",
            "/teams/psych",
            "/teams/bio/apps",
            "/teams/bio/addons",
            "/teams/psych/apps",
            "/teams/psych/addons",
        ]
    )
    assert len(api.calls) == request_budget(scope=scope, estate=estate, needs=Needs.everything())
    assert [a.name for a in estate.apps] == ["lab-exp", "survey", "trial"]  # sorted by name
    assert [t.name for t in estate.teams] == ["bio", "psych"]
    assert [e.name for e in estate.enterprise_accounts] == ["uni"]
    assert [s.name for s in estate.spaces] == ["fra-space"]
    assert {r.name for r in estate.regions} == {"eu", "us", "frankfurt"}


def test_facts_of_each_app(routes: dict[str, Any]) -> None:
    apps = apps_of(collect(FakeApi(routes), AuditScope(teams=("psych", "bio"))))
    survey = apps["survey"]
    assert (survey.owner, survey.team, survey.region, survey.space) == ("team", "psych", "eu", None)
    assert {a.plan for a in survey.addons} == {
        "heroku-postgresql:essential-0",
        "papertrail:choklad",
    }
    assert [(d.host, d.addon) for d in survey.log_drains or ()] == [
        ("logs.papertrailapp.com", "pt-one")
    ]
    lab = apps["lab-exp"]
    assert (lab.region, lab.space, lab.addons) == ("frankfurt", "fra-space", ())  # gone add-on
    trial = apps["trial"]
    assert trial.log_drains is not None
    (custom,) = trial.log_drains
    assert (custom.host, custom.url, custom.addon) == (
        "logs.example.io",
        "https://logs.example.io/in",
        None,
    )
    assert all(not a.errors for a in apps.values())


def test_an_enterprise_lists_its_teams(routes: dict[str, Any]) -> None:
    api = FakeApi(routes)
    scope = AuditScope(enterprises=("uni",))
    estate = collect(api, scope)
    assert "/enterprise-accounts/uni/teams" in api.calls
    assert not any(c in api.calls for c in ("/teams/psych", "/teams/students/apps"))
    assert {a.name for a in estate.apps} == {"survey", "lab-exp", "trial"}
    assert len(api.calls) == request_budget(
        scope=scope, estate=estate, needs=Needs.everything(), teams_per_enterprise={"uni": 2}
    )


def test_everything_uses_the_account_wide_lists(routes: dict[str, Any]) -> None:
    api = FakeApi(routes)
    scope = AuditScope(everything=True)
    estate = collect(api, scope)
    assert {"/teams", "/apps", "/addons"} <= set(api.calls)
    assert not [c for c in api.calls if c.startswith("/teams/")]
    apps = apps_of(estate)
    assert set(apps) == {"survey", "lab-exp", "trial", "game", "thesis"}
    thesis = apps["thesis"]
    assert (thesis.owner, thesis.team, thesis.owner_email) == ("person", None, "jane@example.edu")
    assert [a.name for a in thesis.addons] == ["pg-two"]
    assert apps["game"].team == "students"
    assert [e.name for e in estate.enterprise_accounts] == ["uni"]
    assert len(api.calls) == request_budget(scope=scope, estate=estate, needs=Needs.everything())


def test_without_drains_nothing_is_asked_per_app(routes: dict[str, Any]) -> None:
    api = FakeApi(routes)
    scope = AuditScope(everything=True)
    estate = collect(api, scope, needs=NO_DRAINS)
    assert not [c for c in api.calls if c.startswith("/apps/")]
    assert all(a.log_drains is None for a in estate.apps)  # not read, not "none"
    assert len(api.calls) == request_budget(scope=scope, estate=estate, needs=NO_DRAINS)


def test_drains_that_cannot_be_read_fail_that_app_only(routes: dict[str, Any]) -> None:
    routes["/apps/trial/log-drains"] = forbidden("/apps/trial/log-drains")
    apps = apps_of(collect(FakeApi(routes), AuditScope(teams=("psych", "bio"))))
    (error,) = apps["trial"].errors
    assert (error.fact, error.status) == ("log-drains", 403)
    assert "/apps/trial/log-drains" in error.message
    assert apps["trial"].log_drains is None
    assert not apps["survey"].errors and not apps["lab-exp"].errors


def test_team_add_ons_that_cannot_be_read_fail_that_teams_apps(routes: dict[str, Any]) -> None:
    routes["/teams/psych/addons"] = server_error("/teams/psych/addons")
    apps = apps_of(collect(FakeApi(routes), AuditScope(teams=("psych", "bio"))))
    for name in ("survey", "lab-exp"):
        assert [(e.fact, e.status) for e in apps[name].errors] == [("addons", 503)]
    assert not apps["trial"].errors
    assert [a.name for a in apps["trial"].addons] == ["sentry-one"]


def test_regions_that_cannot_be_read_fail_every_app(routes: dict[str, Any]) -> None:
    routes["/regions"] = server_error("/regions")
    estate = collect(FakeApi(routes), AuditScope(teams=("bio",)))
    assert estate.regions == ()
    assert [e.fact for e in estate.apps[0].errors] == ["region"]


def test_spaces_that_cannot_be_read_fail_the_apps_in_a_space(routes: dict[str, Any]) -> None:
    routes["/spaces"] = forbidden("/spaces")
    apps = apps_of(collect(FakeApi(routes), AuditScope(teams=("psych",))))
    assert [e.fact for e in apps["lab-exp"].errors] == ["space"]
    assert not apps["survey"].errors


def test_an_unknown_team_stops_the_audit(routes: dict[str, Any]) -> None:
    with pytest.raises(NotFoundError):
        collect(FakeApi(routes), AuditScope(teams=("psych", "no-such-team")))


def test_a_team_whose_apps_cannot_be_listed_stops_the_audit(routes: dict[str, Any]) -> None:
    """Without the list the audit would not know which apps it owes a decision on."""
    routes["/teams/bio/apps"] = forbidden("/teams/bio/apps")
    with pytest.raises(ForbiddenError):
        collect(FakeApi(routes), AuditScope(teams=("psych", "bio")))


def test_a_malformed_app_is_kept_with_an_error(routes: dict[str, Any]) -> None:
    broken = team_app("half-app", "bio")
    del broken["region"]
    nameless = team_app("nameless", "bio")
    del nameless["name"]
    routes["/teams/bio/apps"] = [*routes["/teams/bio/apps"], broken, nameless]
    routes["/apps/half-app/log-drains"] = []
    api = FakeApi(routes)
    apps = apps_of(collect(api, AuditScope(teams=("bio",))))
    (error,) = apps["half-app"].errors
    assert error.fact == "app" and "region" in error.message
    assert apps["half-app"].team == "bio"
    assert not apps["trial"].errors
    # The broken app's drains are not asked for: it is blocked already.
    assert "/apps/half-app/log-drains" not in api.calls
    assert "nameless" not in apps


def test_progress_reports_phases_apps_and_counters(routes: dict[str, Any]) -> None:
    progress = RecordingProgress()
    collect(
        FakeApi(routes, rate_limit_remaining=1000),
        AuditScope(teams=("psych", "bio")),
        progress=progress,
    )
    phases = [e for e in progress.events if e[0] == "phase"]
    assert phases == [
        ("phase", "listing teams, apps and add-ons", None),
        ("phase", "log drains", 3),
    ]
    drains_phase = progress.events[progress.events.index(phases[1]) :]
    assert sum(e[1] for e in drains_phase if e[0] == "advance") == 3
    statuses = [e for e in progress.events if e[0] == "status"]
    final = statuses[-1]
    assert final[1] == 13  # requests sent (GET /addon-attachments included)
    assert final[2] == 1000 - 12  # rate budget left (GET /account/rate-limits is free)
    assert final[3] is not None and final[3] > 0  # list pages read
    assert [s[1] for s in statuses] == sorted(s[1] for s in statuses)
    assert progress.events[-1] == ("close",)


def test_the_rate_limit_is_read_first(routes: dict[str, Any]) -> None:
    api = FakeApi(routes)
    collect(api, AuditScope(teams=("bio",)))
    assert api.calls[0] == "/account/rate-limits"
